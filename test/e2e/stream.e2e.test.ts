/**
 * The live event stream through the real stack: commands go in through the command API, their
 * events come out of the query API's SSE stream from the ImmuDB log (docs/api.md, "Live event
 * stream"); a client that reconnects with Last-Event-ID gets exactly what it missed.
 */
import { randomUUID } from 'node:crypto';
import { openSse, type SseConnection, type SseFrame } from '../support/sse';
import { bearer } from './auth';
import { commandApi, get, post, queryApi } from './http';

const run = randomUUID().slice(0, 8);
const streams: SseConnection[] = [];
afterEach(() => {
  for (const s of streams.splice(0)) s.close();
});

async function stream(query: string, headers: Record<string, string>) {
  const s = await openSse(`${queryApi()}/api/v1/stream${query}`, headers);
  streams.push(s);
  expect(s.status).toBe(200);
  return s;
}

async function open(ownerId: string, initialDeposit = '100.00'): Promise<string> {
  const accountId = `sse-${randomUUID()}`;
  const res = await post(`${commandApi()}/api/v1/accounts`, {
    accountId,
    ownerId,
    ownerName: ownerId,
    type: 'CHECKING',
    currency: 'EUR',
    initialDeposit,
  });
  expect(res.status).toBe(201);
  return accountId;
}

const deposit = async (accountId: string, amount: string) =>
  expect((await post(`${commandApi()}/api/v1/accounts/${accountId}/deposits`, { amount })).status).toBe(201);

const data = (f: SseFrame) =>
  JSON.parse(f.data!) as { accountId?: string; transferId?: string; type: string; version: number };
const summary = (frames: SseFrame[]) =>
  frames.map((f) => `${data(f).accountId ?? data(f).transferId}@${data(f).version} ${f.event}`);

it("streams an account's events as they are committed, with the log position as id", async () => {
  const teller = await bearer(`teller-${run}`, ['teller']);
  const accountId = await open(`owner-${run}`);
  const s = await stream(`?accountId=${accountId}`, teller);
  await deposit(accountId, '1.00');
  await deposit(accountId, '2.00');
  // The stream may also show the opening (versions 1 and 2), committed just before it connected.
  const deposits = () => s.events().filter((f) => data(f).version >= 3);
  await s.until(() => deposits().length === 2, 10_000);
  const [first, second] = deposits();
  expect(summary(deposits())).toEqual([`${accountId}@3 MoneyDeposited`, `${accountId}@4 MoneyDeposited`]);
  expect(data(first!)).toMatchObject({ data: { amount: '100' } });
  expect(Number(second!.id)).toBeGreaterThan(Number(first!.id));
});

it('resumes with Last-Event-ID: nothing the client missed is skipped, nothing it had is repeated', async () => {
  const teller = await bearer(`teller-${run}`, ['teller']);
  const accountId = await open(`owner-${run}`);
  const first = await stream(`?accountId=${accountId}`, teller);
  for (const amount of ['1.00', '2.00', '3.00']) await deposit(accountId, amount);
  // A new stream starts at the log's head as this process last read it, which may be just before
  // the account's opening: then the opening's two events come first. The deposits are versions 3-5.
  const deposits = () => first.events().filter((f) => data(f).version >= 3);
  await first.until(() => deposits().length === 3, 10_000);
  // The client saw the first deposit only, then lost its connection.
  const lastSeen = deposits()[0]!.id!;
  first.close();
  await deposit(accountId, '4.00');
  await post(`${commandApi()}/api/v1/accounts/${accountId}/freeze`, { reason: 'check' });
  const resumed = await stream(`?accountId=${accountId}`, { ...teller, 'last-event-id': lastSeen });
  await resumed.until(() => resumed.events().length === 4, 10_000);
  expect(summary(resumed.events())).toEqual([
    `${accountId}@4 MoneyDeposited`,
    `${accountId}@5 MoneyDeposited`,
    `${accountId}@6 MoneyDeposited`,
    `${accountId}@7 AccountFrozen`,
  ]);
  // Ids strictly increase and continue the first connection's.
  const ids = [lastSeen, ...resumed.events().map((f) => f.id!)].map(Number);
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  expect(new Set(ids).size).toBe(ids.length);
});

it("shows a customer its own accounts' events only, transfers touching them included", async () => {
  const alice = `alice-${run}`;
  const mine = await open(alice);
  const theirs = await open(`bob-${run}`);
  const s = await stream('', await bearer(alice, ['customer']));
  await deposit(theirs, '9.00');
  const t = await post(`${commandApi()}/api/v1/transfers`, {
    fromAccountId: mine,
    toAccountId: theirs,
    amount: '5.00',
  });
  expect(t.status).toBe(202);
  await deposit(mine, '1.00');
  await s.until((frames) => frames.some((f) => f.event === 'MoneyDeposited'), 10_000);
  const seen = s.events().map(data);
  expect(seen.every((e) => e.accountId === mine || e.transferId === t.body.transferId)).toBe(true);
  expect(seen.map((e) => e.type)).toEqual(expect.arrayContaining(['TransferDebited', 'TransferStarted']));
  expect(seen.find((e) => e.accountId === theirs)).toBeUndefined();
  // Someone else's account is as if it did not exist.
  const refused = await openSse(`${queryApi()}/api/v1/stream?accountId=${theirs}`, await bearer(alice, ['customer']));
  expect(refused.status).toBe(404);
});

it('reports every app ready and the projection lag on the operations status', async () => {
  const res = await get(`${queryApi()}/api/v1/operations/status`, await bearer(`auditor-${run}`, ['auditor']));
  expect(res.status).toBe(200);
  expect(res.body.apps.map((a: { appId: string; ready: boolean }) => [a.appId, a.ready])).toEqual([
    ['command-api', true],
    ['query-api', true],
    ['actors', true],
    ['event-source', true],
    ['projections', true],
  ]);
  expect(res.body.projection).toMatchObject({ behindEvents: expect.any(Number), headTx: expect.any(Number) });
});
