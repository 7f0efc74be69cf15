import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@bank/domain';
import type { AccountActorRequest, AppendResult } from '@bank/contracts';
import { createHttpApp, currentTraceContext, finish, type EventLogClient } from '@bank/service-kit';
import pino from 'pino';
import { emptySnapshot, execute, type ExecuteDeps } from './execute';
import { openRequest } from './fixtures.test';

// The actor's event metadata records the traceparent its sidecar sent with the call: the same
// middleware as the actors app, and the same source of the traceparent as bank-account-actor.ts.
const appended: StoredEvent[] = [];
const eventLog = {
  append: async (_id: string, _expected: number, events: StoredEvent[]): Promise<AppendResult> => {
    await new Promise((r) => setTimeout(r, 1)); // the context must survive real asynchrony
    appended.push(...events);
    return { ok: true, version: events.length, logTx: 1, duplicate: false };
  },
} as unknown as EventLogClient;
const deps: ExecuteDeps = {
  eventLog,
  now: () => new Date('2026-12-01T10:00:00.000Z'),
  newId: randomUUID,
  sleep: async () => undefined,
  traceparent: () => currentTraceContext()?.traceparent,
};
const open: AccountActorRequest = { ...openRequest, correlationId: 'corr-1' };

let server: Server;
let url: string;
beforeAll(async () => {
  const log = pino({ level: 'silent' });
  const app = createHttpApp(log, []);
  app.put('/execute', async (_req, res) => {
    const { result } = await execute(deps, 'acc-1', emptySnapshot(), open);
    res.json(result);
  });
  finish(app, log);
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/execute`;
});
afterAll(() => new Promise((r) => server.close(r)));
beforeEach(() => appended.splice(0));

describe('trace context in event metadata', () => {
  it('records the traceparent of the incoming call in every event the command appends', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await fetch(url, { method: 'PUT', headers: { traceparent } });
    expect(res.status).toBe(200);
    expect(appended.map((e) => e.type)).toEqual(['AccountOpened', 'MoneyDeposited']);
    for (const e of appended) expect(e.metadata).toEqual({ correlationId: 'corr-1', traceparent });
  });

  it('records none when the call came without a valid one (events written before tracing look the same)', async () => {
    await fetch(url, {
      method: 'PUT',
      headers: { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' },
    });
    await fetch(url, { method: 'PUT' });
    expect(appended).toHaveLength(4);
    for (const e of appended) expect(e.metadata).toEqual({ correlationId: 'corr-1' });
  });
});
