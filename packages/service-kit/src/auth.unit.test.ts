import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import fc from 'fast-check';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import pino from 'pino';
import { accessOf, allow, authenticate, createTokenVerifier } from './auth';
import { createHttpApp, finish } from './http';

// The verifier and the two middlewares on a small app, with real keys and real signatures.
const ISSUER = 'urn:issuer';
const AUDIENCE = 'urn:bank';
let privateKey: KeyLike;
let publicJwk: Record<string, unknown>;
let server: Server;
let url: string;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sign = (claims: Record<string, unknown>, opts: { key?: KeyLike; alg?: string } = {}) =>
  new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? 'ES256', kid: 'k1' }).sign(opts.key ?? privateKey);
const valid = (extra: Record<string, unknown> = {}) => ({
  sub: 'alice',
  iss: ISSUER,
  aud: AUDIENCE,
  exp: Math.floor(Date.now() / 1000) + 600,
  roles: ['customer'],
  ...extra,
});
const call = (authorization?: string) =>
  fetch(url, { headers: authorization === undefined ? {} : { authorization } }).then(async (r) => ({
    status: r.status,
    wwwAuthenticate: r.headers.get('www-authenticate'),
    body: (await r.json()) as { code?: string; detail?: string; sub?: string; ownerId?: string | null },
  }));

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
  const verify = createTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: createLocalJWKSet({ keys: [publicJwk as never] }),
  });
  const log = pino({ level: 'silent' });
  const app = createHttpApp(log, []);
  app.use('/api/v1', authenticate(verify));
  app.get('/api/v1/thing', allow('customer', 'teller'), (req, res) => {
    const { principal, ownerId } = accessOf(req);
    res.json({ sub: principal.sub, ownerId: ownerId ?? null });
  });
  app.get('/api/v1/audit', allow('auditor'), (_req, res) => {
    res.json({});
  });
  finish(app, log);
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/thing`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('authenticate', () => {
  it('lets a valid token through, scoped to its subject for a customer', async () => {
    const res = await call(`Bearer ${await sign(valid())}`);
    expect(res).toMatchObject({ status: 200, body: { sub: 'alice', ownerId: 'alice' } });
  });

  it('gives a role other than customer every account', async () => {
    const res = await call(`Bearer ${await sign(valid({ roles: ['customer', 'teller'] }))}`);
    expect(res).toMatchObject({ status: 200, body: { sub: 'alice', ownerId: null } });
  });

  it('answers 401 UNAUTHENTICATED with WWW-Authenticate: Bearer without a token', async () => {
    for (const header of [undefined, '', '   ']) {
      const res = await call(header);
      expect(res).toMatchObject({ status: 401, wwwAuthenticate: 'Bearer', body: { code: 'UNAUTHENTICATED' } });
    }
  });

  const forged: Array<[string, () => Promise<string>, RegExp]> = [
    ['an expired token', () => sign(valid({ exp: Math.floor(Date.now() / 1000) - 120 })), /expired/],
    ['another issuer', () => sign(valid({ iss: 'urn:someone-else' })), /iss/],
    ['another audience', () => sign(valid({ aud: 'urn:other-api' })), /aud/],
    ['no expiry', () => sign(valid({ exp: undefined })), /exp/],
    ['no subject', () => sign(valid({ sub: undefined })), /sub/],
    ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(valid())}.`, /algorithm/],
    [
      'HMAC signed with the public key',
      async () => {
        const header = b64({ alg: 'HS256', kid: 'k1' });
        const body = b64(valid({ roles: ['admin'] }));
        const mac = crypto
          .createHmac('sha256', JSON.stringify(publicJwk))
          .update(`${header}.${body}`)
          .digest('base64url');
        return `${header}.${body}.${mac}`;
      },
      /algorithm/,
    ],
    [
      'a tampered payload (roles raised to admin)',
      async () => {
        const [h, , s] = (await sign(valid())).split('.');
        return `${h}.${b64(valid({ roles: ['admin'] }))}.${s}`;
      },
      /signature/,
    ],
    [
      'a key the issuer does not have',
      async () => sign(valid(), { key: (await generateKeyPair('ES256')).privateKey }),
      /signature/,
    ],
  ];
  it.each(forged)('refuses %s with 401 and invalid_token', async (_name, make, reason) => {
    const res = await call(`Bearer ${await make()}`);
    expect(res.status).toBe(401);
    expect(res.wwwAuthenticate).toBe('Bearer error="invalid_token"');
    expect(res.body.code).toBe('UNAUTHENTICATED');
    expect(res.body.detail).toMatch(reason);
  });

  it('refuses a header that is not "Bearer <JWT>"', async () => {
    const token = await sign(valid());
    for (const header of [token, `Basic ${token}`, `Bearer ${token} extra`, `Bearer ${'a'.repeat(9000)}.b.c`]) {
      expect((await call(header)).status).toBe(401);
    }
  });

  it('answers 401 and never anything else for arbitrary Authorization headers (fuzzed)', async () => {
    const header = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ maxLength: 200 }).map((s) => `Bearer ${s}`),
      fc
        .tuple(fc.base64String(), fc.base64String(), fc.base64String())
        .map(([a, b, c]) => `Bearer ${a}.${b}.${c}`.replaceAll('=', '')),
    );
    await fc.assert(
      fc.asyncProperty(header, async (h) => {
        // fetch refuses header values with control characters or non-Latin-1 text itself.
        if (!/^[\x20-\x7e]*$/.test(h)) return;
        const res = await call(h);
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('UNAUTHENTICATED');
      }),
      { numRuns: 150 },
    );
  });
});

describe('allow', () => {
  it('answers 403 FORBIDDEN to a valid token without a role the route allows', async () => {
    for (const roles of [[], ['auditor'], ['superuser'], 'admin']) {
      const res = await call(`Bearer ${await sign(valid({ roles }))}`);
      expect(res).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    }
  });
});

describe('the verified-token cache', () => {
  const t0 = Date.parse('2026-12-05T12:00:00Z');
  let clock = t0;
  let keyLookups = 0;
  const verifierWith = (cacheSize = 10) => {
    const jwks = createLocalJWKSet({ keys: [publicJwk as never] });
    return createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: (header, token) => {
        keyLookups++;
        return jwks(header, token);
      },
      cacheSeconds: 60,
      cacheSize,
      now: () => clock,
    });
  };
  const tokenUntil = (expSeconds: number, sub = 'alice') =>
    sign(valid({ sub, exp: Math.floor(t0 / 1000) + expSeconds, iat: Math.floor(t0 / 1000) }));

  it('checks a signature once per token and cache period, and never accepts a token past its expiry', async () => {
    const verify = verifierWith();
    const token = await tokenUntil(100);
    clock = t0;
    keyLookups = 0;
    expect((await verify(token)).sub).toBe('alice');
    clock = t0 + 50_000;
    expect((await verify(token)).sub).toBe('alice');
    expect(keyLookups).toBe(1);
    clock = t0 + 61_000; // the cache period is over: checked again
    await verify(token);
    expect(keyLookups).toBe(2);
    clock = t0 + 131_000; // past exp + 30 s of skew: refused, cached or not
    await expect(verify(token)).rejects.toThrow(/expired/);
  });

  it('keeps at most cacheSize tokens', async () => {
    const verify = verifierWith(1);
    const [a, b] = [await tokenUntil(100, 'a'), await tokenUntil(100, 'b')];
    clock = t0;
    keyLookups = 0;
    for (const token of [a, a, b, a]) await verify(token);
    expect(keyLookups).toBe(3);
  });
});
