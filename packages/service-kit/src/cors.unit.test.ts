import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Router } from 'express';
import pino from 'pino';
import { createTestIssuer } from '../../../test/support/issuer';
import { corsOriginsFromEnv } from './cors';
import { openApiDocument } from './openapi';
import { buildPublicApp } from './public-api';

const DASHBOARD = 'http://127.0.0.1:3001';
let server: Server;
let base: string;
let teller: { authorization: string };

beforeAll(async () => {
  const issuer = await createTestIssuer();
  teller = await issuer.bearer('teller-1', ['teller']);
  const router = Router();
  router.post('/api/v1/things', (_req, res) => {
    res.status(201).location('/api/v1/things/1').setHeader('ETag', '"1"').json({ ok: true });
  });
  const app = buildPublicApp({
    log: pino({ level: 'silent' }),
    readiness: [],
    document: openApiDocument({ title: 't', version: '1', description: '' }, []),
    routers: [router],
    verifyToken: issuer.verifyToken,
    corsOrigins: [DASHBOARD],
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const preflight = (origin: string) =>
  fetch(`${base}/api/v1/things`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, idempotency-key',
    },
  });

describe('CORS on a public API', () => {
  it('answers a preflight from an allowed origin without a token, before the bearer guard', async () => {
    const res = await preflight(DASHBOARD);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(DASHBOARD);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toEqual(
      expect.stringContaining('idempotency-key'),
    );
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('lets the allowed origin read the answer and the contract headers', async () => {
    const res = await fetch(`${base}/api/v1/things`, {
      method: 'POST',
      headers: { origin: DASHBOARD, 'content-type': 'application/json', ...teller },
      body: '{}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe(DASHBOARD);
    const exposed = res.headers.get('access-control-expose-headers') ?? '';
    for (const h of ['X-Correlation-Id', 'ETag', 'X-Read-Model-Version', 'Location']) expect(exposed).toContain(h);
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('gives a refused origin no CORS header: its preflight meets the guard (401), its requests stay unreadable', async () => {
    const pre = await preflight('http://evil.example');
    expect(pre.status).toBe(401);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(`${base}/api/v1/things`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json', ...teller },
      body: '{}',
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-expose-headers')).toBeNull();
  });

  it('reads the allow-list from CORS_ALLOWED_ORIGINS (none by default) and refuses what is not an origin', () => {
    expect(corsOriginsFromEnv({})).toEqual([]);
    expect(corsOriginsFromEnv({ CORS_ALLOWED_ORIGINS: ' http://127.0.0.1:3001, https://ops.example ' })).toEqual([
      'http://127.0.0.1:3001',
      'https://ops.example',
    ]);
    expect(() => corsOriginsFromEnv({ CORS_ALLOWED_ORIGINS: 'http://127.0.0.1:3001/' })).toThrow(/not an origin/);
    expect(() => corsOriginsFromEnv({ CORS_ALLOWED_ORIGINS: '*' })).toThrow(/not an origin/);
  });
});
