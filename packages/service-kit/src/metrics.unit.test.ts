import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Router } from 'express';
import pino from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { requireAppToken } from './app-token';
import { createHttpApp, finish } from './http';
import { metricsRegistry, mountMetrics, serveMetrics, startProcessMetrics } from './metrics';
import { ApiError } from './problem';

// An app built like the services' (createHttpApp ... finish), with a router mounted under a prefix.
let server: Server;
let base: string;

beforeAll(async () => {
  const log = pino({ level: 'silent' });
  const app = createHttpApp(log, []);
  app.use(requireAppToken(log, 'app-secret'));
  const accounts = Router();
  accounts.get('/accounts/:accountId', (req, res) => {
    res.json({ id: req.params.accountId });
  });
  accounts.post('/accounts/:accountId/fail', () => {
    throw new Error('boom');
  });
  accounts.get('/accounts/:accountId/missing', () => {
    throw new ApiError('ACCOUNT_NOT_FOUND', 'no such account');
  });
  app.use('/api/v1', accounts);
  finish(app, log);
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const fromSidecar = { 'dapr-api-token': 'app-secret' };

/** The value of one series in the exposition text, or undefined when it is not there. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((l) => {
    if (!l.startsWith(`${name}{`)) return false;
    return Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`));
  });
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function scrape(): Promise<string> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

describe('HTTP metrics', () => {
  it('counts requests by route pattern (never the raw path) and status, without a token on /metrics', async () => {
    const before = sample(await scrape(), 'bank_http_requests_total', {
      route: '/api/v1/accounts/:accountId',
      status: '200',
    });
    for (const id of ['a-1', 'a-2', 'a-3']) {
      expect((await fetch(`${base}/api/v1/accounts/${id}`, { headers: fromSidecar })).status).toBe(200);
    }
    const text = await scrape();
    const labels = { method: 'GET', route: '/api/v1/accounts/:accountId', status: '200' };
    expect(sample(text, 'bank_http_requests_total', labels)).toBe((before ?? 0) + 3);
    expect(sample(text, 'bank_http_request_duration_seconds_count', labels)).toBeGreaterThanOrEqual(3);
    expect(text).not.toContain('a-1');
  });

  it('labels errors with their status and counts 5xx as errors; refused and unknown paths are `unmatched`', async () => {
    expect((await fetch(`${base}/api/v1/accounts/a-1/fail`, { method: 'POST', headers: fromSidecar })).status).toBe(
      500,
    );
    expect((await fetch(`${base}/api/v1/accounts/a-1/missing`, { headers: fromSidecar })).status).toBe(404);
    expect((await fetch(`${base}/api/v1/accounts/a-1`)).status).toBe(401); // no app token
    expect((await fetch(`${base}/nowhere/x-123`, { headers: fromSidecar })).status).toBe(404);

    const text = await scrape();
    const failed = { method: 'POST', route: '/api/v1/accounts/:accountId/fail', status: '500' };
    expect(sample(text, 'bank_http_requests_total', failed)).toBe(1);
    expect(sample(text, 'bank_http_request_errors_total', failed)).toBe(1);
    const missing = { route: '/api/v1/accounts/:accountId/missing', status: '404' };
    expect(sample(text, 'bank_http_requests_total', missing)).toBe(1);
    expect(sample(text, 'bank_http_request_errors_total', missing)).toBeUndefined();
    expect(sample(text, 'bank_http_requests_total', { route: 'unmatched', status: '401' })).toBe(1);
    expect(sample(text, 'bank_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(text).not.toContain('nowhere');
  });
});

describe('the process registry', () => {
  it('labels every series with the app and carries Node default metrics', async () => {
    const registry = new Registry();
    startProcessMetrics('test-app', registry);
    const text = await registry.metrics();
    expect(text).toMatch(/^process_cpu_seconds_total\{app="test-app"\} /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds\{app="test-app"\} /m);
    expect(metricsRegistry).not.toBe(registry);
  });
});

describe('the metrics port', () => {
  it("keeps the metrics off the app's own port when they have a port of their own", async () => {
    const paths: string[] = [];
    mountMetrics({ get: ((path: string) => paths.push(path)) as never }, new Registry(), { METRICS_PORT: '9464' });
    expect(paths).toEqual([]);
    mountMetrics({ get: ((path: string) => paths.push(path)) as never }, new Registry(), {});
    expect(paths).toEqual(['/metrics']);
  });

  it('serves GET /metrics alone on a port of its own', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ app: 'port-test' });
    collectDefaultMetrics({ register: registry });
    const server = serveMetrics(0, registry, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^process_cpu_seconds_total\{app="port-test"\} /m);
      expect((await fetch(`${url}/healthz`)).status).toBe(404);
      expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(404);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
