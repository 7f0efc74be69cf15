import { randomUUID } from 'node:crypto';
import { encodeAccountEvent, type AccountEvent, type PublishedEvent } from '@bank/domain';
import { READ_MODEL_COLLECTIONS, type ReadLogResult } from '@bank/contracts';
import { AccountFacts, BookTotals } from './books';
import { Rankings } from './ranking';
import { MongoClient, type Db } from 'mongodb';
import pino from 'pino';
import { Generations } from './generations';
import { LagTracker } from './lag';
import { Projectors } from './projectors';

const mongo = new MongoClient(process.env.MONGO_URL!);
const silent = pino({ level: 'silent' });
let db: Db;
beforeAll(async () => {
  await mongo.connect();
  db = mongo.db(`it_lag_${randomUUID().slice(0, 8)}`);
});
afterAll(() => mongo.close());

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

/** A log of transactions: each an array of events (an empty one is an idempotency-only record). */
function fakeLog(txs: Array<Array<Omit<PublishedEvent, 'logTx' | 'logIndex'>>>) {
  const published = txs.map((events, i) => events.map((e, index) => ({ ...e, logTx: i + 1, logIndex: index })));
  const calls: number[] = [];
  return {
    calls,
    /** Commits one more transaction. */
    append: (events: Array<Omit<PublishedEvent, 'logTx' | 'logIndex'>>) =>
      published.push(events.map((e, index) => ({ ...e, logTx: published.length + 1, logIndex: index }))),
    readAll: async (streamId: string, from: number) =>
      published.flat().filter((e) => e.streamId === streamId && e.version >= from),
    readLog: async (afterTx: number, limit: number): Promise<ReadLogResult> => {
      calls.push(afterTx);
      const page = published.slice(afterTx, afterTx + limit);
      return { events: page.flat(), lastTx: afterTx + page.length, headTx: published.length };
    },
  };
}

function event(streamId: string, version: number, occurredAt: string) {
  const base = {
    eventId: randomUUID(),
    streamId,
    version,
    schemaVersion: 1,
    metadata: { correlationId: 'it' },
    occurredAt,
  };
  return version === 1
    ? {
        ...base,
        type: 'AccountOpened',
        data: {
          accountId: streamId,
          ownerId: 'o',
          ownerName: 'O',
          accountType: 'CHECKING',
          currency: 'USD',
          overdraftLimit: 0,
        },
      }
    : { ...base, type: 'MoneyDeposited', data: { transactionId: randomUUID(), amount: 100, description: null } };
}

describe('projection lag on a real MongoDB-wire server (FerretDB)', () => {
  it('is > 0 (events and ms) while the read model is behind the log and 0 once it caught up', async () => {
    const a = `lag-a-${randomUUID()}`;
    const b = `lag-b-${randomUUID()}`;
    const log = fakeLog([
      [event(a, 1, minutesAgo(10))],
      [event(a, 2, minutesAgo(9)), event(a, 3, minutesAgo(9))],
      [], // an idempotency record without events
      [event(b, 1, minutesAgo(5))],
    ]);
    const generations = new Generations(db);
    const projectors = new Projectors(db, log, silent);
    const lag = new LagTracker({ generations, projectors, eventLog: log, log: silent });

    const before = await lag.probe();
    expect(before).toMatchObject({ headTx: 4, appliedTx: 0, behindTxs: 4, behindEvents: 4, behindEventsExact: true });
    expect(before.behindMs).toBeGreaterThanOrEqual(10 * 60_000);

    // Only the first transaction is applied: the oldest unapplied event is a's version 2.
    const all = (await log.readLog(0, 10)).events;
    await projectors.projector(0).apply(all[0]!);
    const behind = await lag.probe();
    expect(behind).toMatchObject({ appliedTx: 1, behindTxs: 3, behindEvents: 3 });
    expect(behind.behindMs).toBeGreaterThanOrEqual(9 * 60_000);
    expect(behind.behindMs).toBeLessThan(10 * 60_000);
    expect(behind.oldestUnappliedAt).toBe(all[1]!.occurredAt);

    // b is applied out of order (a pub/sub race): the position still stops at a's gap, and b
    // still counts as behind (the count is of every event after the contiguous position).
    await projectors.projector(0).apply(all[3]!);
    expect(await lag.probe()).toMatchObject({ appliedTx: 1, behindEvents: 3 });

    for (const e of all) await projectors.projector(0).apply(e);
    expect(await lag.probe()).toMatchObject({
      appliedTx: 4,
      headTx: 4,
      behindTxs: 0,
      behindEvents: 0,
      behindMs: 0,
      oldestUnappliedAt: null,
    });

    // The position is persisted: a restarted process resumes after transaction 4, not from 0.
    log.calls.length = 0;
    const restarted = new LagTracker({ generations, projectors, eventLog: log, log: silent });
    expect(await restarted.probe()).toMatchObject({ appliedTx: 4, behindEvents: 0 });
    expect(log.calls).toEqual([4]);
  });

  it('applies from the log what pub/sub never delivered, once it is older than the heal delay', async () => {
    const a = `heal-a-${randomUUID()}`;
    const log = fakeLog([
      [event(a, 1, minutesAgo(3))],
      [event(a, 2, minutesAgo(2))],
      [event(a, 3, new Date().toISOString())],
    ]);
    const own = mongo.db(`it_lag_heal_${randomUUID().slice(0, 8)}`); // no checkpoint of the first test
    const generations = new Generations(own);
    const projectors = new Projectors(own, log, silent);
    const applied: number[] = [];
    const lag = new LagTracker({
      generations,
      projectors,
      eventLog: log,
      log: silent,
      heal: {
        afterMs: 60_000,
        apply: async (generation, events) => {
          applied.push(...events.map((e) => e.logTx));
          await projectors.projector(generation).applyAll(events);
        },
      },
    });
    // Nothing was delivered: the probe finds events minutes old and applies the log itself,
    // the young one included (it was in the same page).
    const first = await lag.probe();
    expect(first.error).toBeUndefined();
    expect(first).toMatchObject({ behindEvents: 3 });
    expect(applied).toEqual([1, 2, 3]);
    expect(await projectors.model(0).streamVersion(a)).toBe(3);
    expect(await lag.probe()).toMatchObject({ appliedTx: 3, behindEvents: 0, behindMs: 0 });
    // Caught up: nothing more to heal.
    await lag.probe();
    expect(applied).toEqual([1, 2, 3]);
  });
});

/** An account event stored as the actor stores it, recording `balanceAfter` on movements. */
function stored(streamId: string, version: number, event: AccountEvent, balanceAfter = 0) {
  return {
    eventId: randomUUID(),
    streamId,
    version,
    ...encodeAccountEvent(event, balanceAfter),
    metadata: { correlationId: 'it' },
    occurredAt: new Date().toISOString(),
  };
}
const opening = (accountId: string, currency: 'EUR' | 'USD'): AccountEvent => ({
  type: 'AccountOpened',
  data: { accountId, ownerId: 'o', ownerName: 'O', accountType: 'CHECKING', currency, overdraftLimit: 0 },
});
const depositOf = (amount: number): AccountEvent => ({
  type: 'MoneyDeposited',
  data: { transactionId: randomUUID(), amount, description: null },
});

describe('the books on a real MongoDB-wire server (FerretDB)', () => {
  it('folds each applied log transaction into the totals once, across processes and restarts', async () => {
    const own = mongo.db(`it_books_${randomUUID().slice(0, 8)}`);
    const a = `books-a-${randomUUID()}`;
    const b = `books-b-${randomUUID()}`;
    const log = fakeLog([
      [stored(a, 1, opening(a, 'EUR'))],
      [stored(a, 2, depositOf(1_000), 1_000)],
      [stored(b, 1, opening(b, 'USD'))],
      [stored(b, 2, depositOf(250), 250)],
    ]);
    const generations = new Generations(own);
    const projectors = new Projectors(own, log, silent);
    const model = projectors.model(0);
    // Nothing applied yet: the totals exist, at the log's start.
    const first = new LagTracker({ generations, projectors, eventLog: log, log: silent });
    await first.probe();
    expect(await model.booksTotals()).toEqual({ _id: 'totals', tx: 0, currencies: {} });

    await projectors.projector(0).applyAll((await log.readLog(0, 10)).events);
    // Two processes probing at once: each transaction is posted once.
    const second = new LagTracker({ generations, projectors, eventLog: log, log: silent });
    await Promise.all([first.probe(), second.probe()]);
    await Promise.all([first.probe(), second.probe()]);
    const expected = {
      _id: 'totals',
      tx: 4,
      currencies: {
        EUR: { customer: '1000', external: '-1000', transit: '0' },
        USD: { customer: '250', external: '-250', transit: '0' },
      },
    };
    expect(await model.booksTotals()).toEqual(expected);

    // A deposit the read model has not applied yet is not in the totals; once applied, it is,
    // also for a process that starts after the account was opened (it looks the currency up).
    log.append([stored(a, 3, depositOf(5), 1_005)]);
    await first.probe();
    expect((await model.booksTotals())!.tx).toBe(4);
    await projectors.projector(0).applyAll((await log.readLog(4, 10)).events);
    const restarted = new LagTracker({ generations, projectors, eventLog: log, log: silent });
    await restarted.probe();
    expect(await model.booksTotals()).toMatchObject({
      tx: 5,
      currencies: { EUR: { customer: '1005', external: '-1005', transit: '0' } },
    });
    await first.probe(); // a process with an older view re-reads instead of posting again
    await first.probe();
    expect((await model.booksTotals())!.currencies.EUR).toEqual({ customer: '1005', external: '-1005', transit: '0' });

    // The rankings, folded alongside: 'top:EUR' and 'top:USD' at the same position.
    expect((await model.rankings()).map((r) => [r._id, r.tx, r.floor, JSON.parse(r.entries)])).toEqual([
      ['top:EUR', 5, null, [{ accountId: a, ownerName: 'O', balance: 1_005 }]],
      ['top:USD', 5, null, [{ accountId: b, ownerName: 'O', balance: 250 }]],
    ]);

    // A rebuild's books for its generation: adopted unless the generation's are further already.
    const rebuilt = { totals: BookTotals.empty(), rankings: new Rankings() };
    const facts = new AccountFacts((id) => model.accountFact(id));
    const firstThree = (await log.readLog(0, 10)).events.filter((e) => e.logTx <= 3);
    await rebuilt.totals.fold(firstThree, 3, facts);
    await rebuilt.rankings.fold(firstThree, 3, facts);
    await first.adopt(0, rebuilt.totals, rebuilt.rankings);
    expect((await model.booksTotals())!.tx).toBe(5);
    expect((await model.rankings()).map((r) => r.tx)).toEqual([5, 5]);
    await first.adopt(7, rebuilt.totals, rebuilt.rankings);
    expect(await projectors.model(7).booksTotals()).toMatchObject({ tx: 3, currencies: { EUR: { customer: '1000' } } });
    expect((await projectors.model(7).rankings()).map((r) => r.tx)).toEqual([3, 3]);
  });

  it('refills a ranking whose richest accounts emptied below the floor from the account documents', async () => {
    const own = mongo.db(`it_books_${randomUUID().slice(0, 8)}`);
    const ids = [1, 2, 3, 4, 5].map((i) => `rank-${i}-${randomUUID().slice(0, 8)}`);
    // Balances 100 ... 500; the ranking keeps 2 (500, 400) and its floor is 300.
    const log = fakeLog([
      ...ids.map((id) => [stored(id, 1, opening(id, 'USD'))]),
      ...ids.map((id, i) => [stored(id, 2, depositOf((i + 1) * 100), (i + 1) * 100)]),
    ]);
    const generations = new Generations(own);
    const projectors = new Projectors(own, log, silent);
    const model = projectors.model(0);
    const tracker = new LagTracker({ generations, projectors, eventLog: log, log: silent, rankingKeep: 2 });
    await projectors.projector(0).applyAll((await log.readLog(0, 20)).events);
    await tracker.probe();
    const top = async () =>
      (await model.rankings()).map((r) => [r.floor, JSON.parse(r.entries).map((e: { balance: number }) => e.balance)]);
    expect(await top()).toEqual([[300, [500, 400]]]);

    // The two richest empty: the ranking knows no account above its floor any more.
    const withdrawal = (amount: number): AccountEvent => ({
      type: 'MoneyWithdrawn',
      data: { transactionId: randomUUID(), amount, description: null },
    });
    log.append([stored(ids[4]!, 3, withdrawal(500), 0)]);
    log.append([stored(ids[3]!, 3, withdrawal(400), 0)]);
    await projectors.projector(0).applyAll((await log.readLog(10, 20)).events);
    await tracker.probe();
    // Refilled from the account documents: 300 and 200 listed, every other account at most 100.
    expect(await top()).toEqual([[100, [300, 200]]]);
    expect((await model.rankings())[0]!.tx).toBe(12);
  });

  it('records an account whose recorded balance disagrees with its movements, and only such accounts', async () => {
    const own = mongo.db(`it_drift_${randomUUID().slice(0, 8)}`);
    const good = `good-${randomUUID()}`;
    const bad = `bad-${randomUUID()}`;
    const log = fakeLog([
      [stored(good, 1, opening(good, 'EUR'))],
      [stored(good, 2, depositOf(100), 100)],
      [stored(bad, 1, opening(bad, 'EUR'))],
      [stored(bad, 2, depositOf(100), 100)],
      [stored(bad, 3, depositOf(50), 250)], // recorded 250 where its movements make 150
    ]);
    const projectors = new Projectors(own, log, silent);
    const events = (await log.readLog(0, 10)).events;
    for (const e of events) await projectors.projector(0).apply(e);
    const drifts = await own.collection(READ_MODEL_COLLECTIONS.books).find({ currency: 'EUR' }).toArray();
    expect(drifts).toEqual([{ _id: `drift:${bad}`, accountId: bad, currency: 'EUR', drift: 100, version: 3 }]);
    // A redelivery changes nothing.
    for (const e of events) await projectors.projector(0).apply(e);
    expect(await own.collection(READ_MODEL_COLLECTIONS.books).countDocuments({ currency: 'EUR' })).toBe(1);
  });
});
