import type { Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createTestIssuer, type TestIssuer } from '../../../test/support/issuer';
import { openSse, type SseConnection } from '../../../test/support/sse';
import { buildApp } from '../app';
import { stubDeps } from '../app-stubs.test';
import { FakeLog } from './fake-log.test';
import { LogTail } from './log-tail';
import { DEFAULT_STREAM_LIMITS, type StreamLimits } from './stream-route';
import { StreamScope } from './stream-scope';

// The route over a log in memory: the SSE format, resuming, who sees what, and the limits.
const silent = pino({ level: 'silent' });
let issuer: TestIssuer;
let log: FakeLog;
let server: Server;
let base: string;
let tail: LogTail;
const open: SseConnection[] = [];

/** Accounts the read model knows (older than the stream); others are learnt from the log. */
const owners: Record<string, string> = { 'acc-alice': 'alice', 'acc-bob': 'bob' };

async function start(limits: Partial<StreamLimits> = {}) {
  log = new FakeLog();
  tail = new LogTail(log.read, silent, { waitMs: 50 });
  const scope = new StreamScope({
    accountOwner: async (id) => owners[id],
    transferAccounts: async () => undefined,
  });
  const app = buildApp(
    stubDeps({
      verifyToken: issuer.verifyToken,
      stream: { tail, scope, limits: { ...DEFAULT_STREAM_LIMITS, ...limits }, log: silent },
    }),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/stream`;
}

async function connect(sub: string, roles: Parameters<TestIssuer['bearer']>[1], query = '', lastEventId?: string) {
  const headers = { ...(await issuer.bearer(sub, roles)), ...(lastEventId ? { 'last-event-id': lastEventId } : {}) };
  const conn = await openSse(`${base}${query}`, headers);
  open.push(conn);
  return conn;
}
const payloads = (conn: SseConnection) => conn.events().map((f) => JSON.parse(f.data!));

beforeAll(async () => {
  issuer = await createTestIssuer();
});
beforeEach(() => start());
afterEach(async () => {
  for (const conn of open.splice(0)) conn.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await tail.stopped();
});

it('sends each event with its log position as id, its type as event, and the public data', async () => {
  const conn = await connect('teller-1', ['teller']);
  expect(conn.status).toBe(200);
  expect(conn.headers.get('content-type')).toMatch(/^text\/event-stream/);
  log.commit({ streamId: 'acc-alice', type: 'MoneyDeposited', version: 2, data: { amount: '500' } });
  log.commit({ streamId: 'acc-bob', type: 'TransferDebited', version: 3, data: { transferId: 't-1' } });
  await conn.until(() => conn.events().length === 2);
  expect(conn.frames[0]).toEqual({ retry: DEFAULT_STREAM_LIMITS.retryMs });
  expect(conn.events().map((f) => [f.id, f.event])).toEqual([
    ['10000', 'MoneyDeposited'],
    ['20000', 'TransferDebited'],
  ]);
  expect(payloads(conn)).toEqual([
    {
      accountId: 'acc-alice',
      type: 'MoneyDeposited',
      version: 2,
      occurredAt: '2026-01-01T00:00:01.000Z',
      data: { amount: '500' },
    },
    {
      accountId: 'acc-bob',
      transferId: 't-1',
      type: 'TransferDebited',
      version: 3,
      occurredAt: '2026-01-01T00:00:02.000Z',
      data: { transferId: 't-1' },
    },
  ]);
});

it('resumes after Last-Event-ID with nothing skipped or repeated, inside a transaction too', async () => {
  const first = await connect('auditor-1', ['auditor']);
  log.commit({ streamId: 'acc-alice', type: 'MoneyDeposited' }, { streamId: 'acc-bob', type: 'MoneyDeposited' });
  log.commit({ streamId: 'acc-alice', type: 'MoneyWithdrawn' });
  await first.until(() => first.events().length === 3);
  first.close();
  log.commit({ streamId: 'acc-bob', type: 'AccountFrozen' });
  const resumed = await connect('auditor-1', ['auditor'], '', first.events()[0]!.id);
  await resumed.until(() => resumed.events().length === 3);
  expect(resumed.events().map((f) => `${f.id} ${f.event}`)).toEqual([
    '10001 MoneyDeposited',
    '20000 MoneyWithdrawn',
    '30000 AccountFrozen',
  ]);
  await new Promise((r) => setTimeout(r, 100));
  expect(resumed.events()).toHaveLength(3);
});

it('shows a customer only the events of its own accounts, and of transfers touching them', async () => {
  const alice = await connect('alice', ['customer']);
  const teller = await connect('teller-1', ['teller'], '?accountId=acc-bob');
  log.commit({ streamId: 'acc-bob', type: 'MoneyDeposited' });
  log.commit({ streamId: 'acc-new', type: 'AccountOpened', data: { ownerId: 'alice' } }); // learnt from the log
  log.commit({ streamId: 'acc-alice', type: 'MoneyDeposited' });
  log.commit({
    streamId: 'transfer.t-9',
    type: 'TransferStarted',
    data: { transferId: 't-9', fromAccountId: 'acc-bob', toAccountId: 'acc-new' },
  });
  log.commit({
    streamId: 'transfer.t-8',
    type: 'TransferStarted',
    data: { fromAccountId: 'acc-bob', toAccountId: 'x' },
  });
  log.commit({ streamId: 'acc-new', type: 'MoneyDeposited' });
  await alice.until(() => alice.events().length === 4);
  await teller.until(() => teller.events().length === 3);
  expect(payloads(alice).map((e) => `${e.accountId ?? e.transferId} ${e.type}`)).toEqual([
    'acc-new AccountOpened',
    'acc-alice MoneyDeposited',
    't-9 TransferStarted',
    'acc-new MoneyDeposited',
  ]);
  expect(payloads(teller).map((e) => `${e.accountId ?? e.transferId} ${e.type}`)).toEqual([
    'acc-bob MoneyDeposited',
    't-9 TransferStarted',
    't-8 TransferStarted',
  ]);
});

it("answers 404 for an account that is not the customer's or does not exist, 400 for a bad Last-Event-ID", async () => {
  expect((await connect('alice', ['customer'], '?accountId=acc-bob')).status).toBe(404);
  expect((await connect('teller-1', ['teller'], '?accountId=acc-nobody')).status).toBe(404);
  expect((await connect('alice', ['customer'], '?accountId=acc-alice')).status).toBe(200);
  const bad = await connect('alice', ['customer'], '', 'abc');
  expect(bad.status).toBe(400);
  expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'Last-Event-ID' }] });
  const ahead = await connect('alice', ['customer'], '', '99990000');
  expect(ahead.status).toBe(400);
  expect((await openSse(base)).status).toBe(401);
  expect((await connect('alice', ['customer'], '?other=1')).status).toBe(400);
});

it('sends a comment line when idle, and caps the streams of one caller', async () => {
  await new Promise((r) => server.close(r));
  await start({ heartbeatMs: 50, maxPerPrincipal: 2 });
  const conn = await connect('teller-1', ['teller']);
  await conn.until((frames) => frames.some((f) => f.comment === 'keep-alive'));
  await connect('teller-1', ['teller']);
  const third = await connect('teller-1', ['teller']);
  expect(third.status).toBe(429);
  expect((await connect('teller-2', ['teller'])).status).toBe(200);
});

it('drops a client that stops reading instead of buffering for it', async () => {
  await new Promise((r) => server.close(r));
  await start({ maxBufferedBytes: 64 * 1024, slowClientMs: 200 });
  const { port } = server.address() as AddressInfo;
  const token = await issuer.token('teller-1', ['teller']);
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(`GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`);
  await new Promise((r) => setTimeout(r, 200));
  expect(tail.connections).toBe(1);
  socket.pause(); // reads nothing more
  // More than the socket buffers of both ends can hold, a megabyte at a time, until the server lets go.
  const big = 'x'.repeat(64 * 1024);
  for (let mb = 0; tail.connections > 0 && mb < 256; mb++) {
    for (let i = 0; i < 16; i++) log.commit({ streamId: 'acc-alice', type: 'MoneyDeposited', data: { big } });
    await new Promise((r) => setTimeout(r, 10));
  }
  socket.destroy();
  expect(tail.connections).toBe(0);
});
