import { randomUUID } from 'node:crypto';
import type { PublishedEvent } from '@bank/domain';
import type { ReadLogResult } from '@bank/contracts';
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
