import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { EventMetadataSchema } from '@bank/domain';
import { DaprSidecar } from './dapr';
import { createHttpApp, finish } from './http';

// An app built like the services, calling a stand-in for its sidecar that records what it got.
const seen: http.IncomingHttpHeaders[] = [];
let sidecar: http.Server;
let app: http.Server;
let base: string;

beforeAll(async () => {
  sidecar = http.createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  sidecar.listen(0, '127.0.0.1');
  await new Promise((r) => sidecar.once('listening', r));
  const dapr = new DaprSidecar({ host: '127.0.0.1', httpPort: (sidecar.address() as AddressInfo).port });
  const log = pino({ level: 'silent' });
  const express = createHttpApp(log, []);
  express.post('/commands', async (_req, res) => {
    await new Promise((r) => setTimeout(r, 1));
    await dapr.invokeActor('BankAccount', 'acc-1', 'execute', { type: 'Deposit' });
    await dapr.invoke('event-source', '/streams/acc-1/events', 'POST', {});
    res.status(201).json({});
  });
  finish(express, log);
  app = express.listen(0, '127.0.0.1');
  await new Promise((r) => app.once('listening', r));
  base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => app.close(r));
  await new Promise((r) => sidecar.close(r));
});
beforeEach(() => seen.splice(0));

describe('W3C trace context', () => {
  it('is passed on with every call the request makes to its sidecar', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await fetch(`${base}/commands`, {
      method: 'POST',
      headers: { traceparent, tracestate: 'congo=t61rcWkgMzE' },
    });
    expect(res.status).toBe(201);
    expect(seen).toHaveLength(2);
    for (const h of seen) expect([h.traceparent, h.tracestate]).toEqual([traceparent, 'congo=t61rcWkgMzE']);
  });

  it('is not invented, nor passed on when invalid, and does not leak into the next request', async () => {
    await fetch(`${base}/commands`, { method: 'POST', headers: { traceparent: 'not-a-traceparent' } });
    await fetch(`${base}/commands`, { method: 'POST' });
    expect(seen).toHaveLength(4);
    for (const h of seen) expect(h.traceparent).toBeUndefined();
  });

  it('is optional in stored event metadata: events written before it still parse', () => {
    expect(EventMetadataSchema.parse({ correlationId: 'c' })).toEqual({ correlationId: 'c' });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(EventMetadataSchema.parse({ correlationId: 'c', traceparent })).toEqual({ correlationId: 'c', traceparent });
    expect(EventMetadataSchema.safeParse({ correlationId: 'c', traceparent: 'x' }).success).toBe(false);
  });
});
