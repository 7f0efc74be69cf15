import { logPosition } from '@bank/domain';
import pino from 'pino';
import { FakeLog } from './fake-log.test';
import { endOfTx, LogTail } from './log-tail';

const silent = pino({ level: 'silent' });
const deposit = (accountId: string) => ({ streamId: accountId, type: 'MoneyDeposited' });
const types = (events: { type: string; streamId: string }[]) => events.map((e) => `${e.streamId}:${e.type}`);

let log: FakeLog;
let tail: LogTail;
let connection: AbortController;
beforeEach(() => {
  log = new FakeLog();
  tail = new LogTail(log.read, silent, { capacity: 3, waitMs: 50, pageTxs: 2 });
  connection = new AbortController();
});
afterEach(async () => {
  connection.abort();
  while (tail.connections > 0) tail.release();
  await tail.stopped();
});

/** Everything a connection reads after `after` until it has `count` events. */
async function readUntil(after: number, count: number) {
  const seen = [];
  while (seen.length < count) {
    const batch = await tail.eventsAfter(after, connection.signal);
    seen.push(...batch.events);
    after = batch.after;
  }
  return { seen, after };
}

it('starts at the head: a new connection sees what is committed after it came, in log order', async () => {
  log.commit(deposit('a'));
  const head = await tail.acquire();
  expect(head).toBe(endOfTx(1));
  const reading = readUntil(head, 3);
  log.commit(deposit('b'), deposit('c'));
  log.commit(deposit('d'));
  const { seen } = await reading;
  expect(types(seen)).toEqual(['b:MoneyDeposited', 'c:MoneyDeposited', 'd:MoneyDeposited']);
});

it('resumes after any position, inside a transaction too, with nothing skipped or repeated', async () => {
  const all = [...log.commit(deposit('a'), deposit('b')), ...log.commit(deposit('c')), ...log.commit(deposit('d'))];
  const head = await tail.acquire();
  for (let i = 0; i < all.length - 1; i++) {
    const { seen, after } = await readUntil(logPosition(all[i]!), all.length - 1 - i);
    expect(seen).toEqual(all.slice(i + 1));
    expect(after).toBe(head);
  }
  // From before the first event: all of them.
  expect((await readUntil(0, all.length)).seen).toEqual(all);
});

it('serves recent positions from its buffer and older ones from the log, seamlessly', async () => {
  await tail.acquire();
  const first = log.commit(deposit('a'), deposit('b'));
  const later = [...log.commit(deposit('c')), ...log.commit(deposit('d')), ...log.commit(deposit('e'))];
  // Let the follower read everything (capacity 3: a and b fall out of the buffer).
  await readUntil(endOfTx(0), 5);
  const readsBefore = log.reads;
  expect((await readUntil(logPosition(later[0]!), 2)).seen).toEqual(later.slice(1));
  expect(log.reads).toBe(readsBefore); // from the buffer
  expect((await readUntil(logPosition(first[0]!), 4)).seen).toEqual([first[1], ...later]);
  expect(log.reads).toBeGreaterThan(readsBefore); // from the log, then the buffer
});

it('keeps connections waiting through a log outage and carries on afterwards', async () => {
  const head = await tail.acquire();
  log.failing = true;
  const reading = readUntil(head, 1);
  await new Promise((r) => setTimeout(r, 120));
  log.failing = false;
  log.commit(deposit('a'));
  expect(types((await reading).seen)).toEqual(['a:MoneyDeposited']);
});

it('stops following when nobody listens, and starts again at the head', async () => {
  await tail.acquire();
  tail.release();
  await tail.stopped();
  const reads = log.reads;
  log.commit(deposit('a'));
  await new Promise((r) => setTimeout(r, 100));
  expect(log.reads).toBe(reads); // nobody follows an idle log
  expect(await tail.acquire()).toBe(endOfTx(1));
});

it('answers a closed connection at once', async () => {
  const head = await tail.acquire();
  const waiting = tail.eventsAfter(head, connection.signal);
  connection.abort();
  expect(await waiting).toEqual({ events: [], after: head });
});
