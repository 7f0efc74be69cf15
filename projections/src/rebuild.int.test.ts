import { randomUUID } from 'node:crypto';
import { type PublishedEvent, type StoredEvent } from '@bank/domain';
import {
  generationCollection,
  READ_MODEL_COLLECTIONS,
  READ_MODEL_META_COLLECTION,
  type ReadLogResult,
} from '@bank/contracts';
import { MongoClient, type Db } from 'mongodb';
import pino from 'pino';
import { BookTotals } from './books';
import { Generations, type WriterView } from './generations';
import { Projectors } from './projectors';
import type { Projector } from './projector';
import { Rebuilder, type RebuildOptions } from './rebuild';

const mongo = new MongoClient(process.env.MONGO_URL!);
const silent = pino({ level: 'silent' });
let db: Db;
beforeAll(async () => {
  await mongo.connect();
  db = mongo.db(`it_rebuild_${randomUUID().slice(0, 8)}`);
});
afterAll(() => mongo.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Several accounts, interleaved in the log as concurrent commands would leave them. */
function logOfAccounts(accounts: number, depositsEach: number): PublishedEvent[] {
  const streams: StoredEvent[][] = Array.from({ length: accounts }, (_, a) => {
    const id = `acc-${a}-${randomUUID().slice(0, 6)}`;
    const base = { schemaVersion: 1, metadata: { correlationId: 'it' } };
    const events: StoredEvent[] = [
      {
        ...base,
        eventId: randomUUID(),
        streamId: id,
        version: 1,
        type: 'AccountOpened',
        occurredAt: '2026-11-20T09:00:00.000Z',
        data: {
          accountId: id,
          ownerId: 'o',
          ownerName: 'O',
          accountType: 'CHECKING',
          currency: 'EUR',
          overdraftLimit: 0,
        },
      },
    ];
    for (let i = 0; i < depositsEach; i++) {
      events.push({
        ...base,
        eventId: randomUUID(),
        streamId: id,
        version: events.length + 1,
        type: i % 3 === 2 ? 'MoneyWithdrawn' : 'MoneyDeposited',
        // Spread over three days, so daily documents get several movements each.
        occurredAt: `2026-11-2${i % 3}T10:00:0${i % 10}.000Z`,
        data: { transactionId: randomUUID(), amount: 100 + i, description: i % 2 ? 'note' : null },
      });
    }
    return events;
  });
  const log: PublishedEvent[] = [];
  for (let i = 0; streams.some((s) => s.length > 0); i++) {
    const next = streams[i % accounts]!.shift();
    if (next) log.push({ ...next, logTx: log.length + 1, logIndex: 0 });
  }
  return log;
}

function fakeEventLog(events: PublishedEvent[]) {
  return {
    readAll: async (streamId: string, from: number) =>
      events.filter((e) => e.streamId === streamId && e.version >= from),
    readLog: async (afterTx: number, limit: number): Promise<ReadLogResult> => {
      const page = events.filter((e) => e.logTx > afterTx && e.logTx <= afterTx + limit);
      return { events: page, lastTx: Math.min(afterTx + limit, events.length), headTx: events.length };
    },
  };
}

async function snapshot(generation: number): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const name of Object.values(READ_MODEL_COLLECTIONS)) {
    const docs = (await db
      .collection(generationCollection(name, generation))
      .find({}, { raw: true })
      .sort({ _id: 1 })
      .toArray()) as unknown as Buffer[];
    out[name] = docs.map((d) => Buffer.from(d).toString('base64'));
  }
  return out;
}

/**
 * A rebuild on its own database whose projector runs `around` each account's run (`apply` is
 * the real one), to hold, slow down or break it at a chosen point.
 */
function instrumentedRebuild(
  events: PublishedEvent[],
  around: (run: PublishedEvent[], apply: () => Promise<void>) => Promise<void>,
  options: Partial<RebuildOptions>,
): Rebuilder {
  const own = mongo.db(`it_rebuild_${randomUUID().slice(0, 8)}`);
  const log = fakeEventLog(events);
  const projectors = new Projectors(own, log, silent);
  const real = projectors.projector.bind(projectors);
  projectors.projector = (g) => {
    const p = real(g);
    return { applyAll: (run: PublishedEvent[]) => around(run, () => p.applyAll(run)) } as unknown as Projector;
  };
  return new Rebuilder({
    generations: new Generations(own, 50),
    projectors,
    eventLog: log,
    lag: { adopt: async () => undefined },
    log: silent,
    // One batch holds the whole log; every account goes through the per-account workers
    // (accounts opened in the batch would otherwise be written all at once, bypassing `around`).
    options: {
      batchTxs: 1000,
      concurrency: 1,
      switchSettleMs: 10,
      dropAfterMs: 300,
      bulkNewAccounts: false,
      ...options,
    },
  });
}

describe('Rebuilder on a real MongoDB-wire server (FerretDB)', () => {
  it('rebuilds into a new generation byte for byte, switches, refuses a second rebuild and drops the old one', async () => {
    const events = logOfAccounts(6, 12);
    const log = fakeEventLog(events);
    const generations = new Generations(db, 50);
    const projectors = new Projectors(db, log, silent);
    // The live read model, built the way pub/sub delivers: every event twice, in any order.
    await projectors.model(0).ensureIndexes();
    await Promise.all(
      [...events, ...events].sort(() => Math.random() - 0.5).map((e) => projectors.projector(0).apply(e)),
    );
    const live = await snapshot(0);
    expect(live[READ_MODEL_COLLECTIONS.accounts]).toHaveLength(6);

    const adopted: Array<[number, BookTotals]> = [];
    const rebuilder = new Rebuilder({
      generations,
      projectors,
      eventLog: log,
      lag: { adopt: async (g, books) => void adopted.push([g, books.copy()]) },
      log: silent,
      options: { batchTxs: 7, concurrency: 3, switchSettleMs: 100, dropAfterMs: 300 },
    });
    const started = await rebuilder.start();
    expect(started).toMatchObject({ ok: true, status: { state: 'running', generation: 1 } });
    const refused = await rebuilder.start();
    expect(refused).toMatchObject({ ok: false });
    expect(!refused.ok && refused.reason).toMatch(/already running/);
    // Another process (its own Rebuilder, same database) is refused by the lock document.
    const other = new Rebuilder({
      generations: new Generations(db, 50),
      projectors: new Projectors(db, log, silent),
      eventLog: log,
      lag: { adopt: async () => undefined },
      log: silent,
      options: { batchTxs: 7, concurrency: 3, switchSettleMs: 100, dropAfterMs: 300 },
    });
    const refusedElsewhere = await other.start();
    expect(!refusedElsewhere.ok && refusedElsewhere.reason).toMatch(
      /generation 1 is already running in another process/,
    );

    while (rebuilder.status().state === 'running') await sleep(50);
    expect(rebuilder.status()).toMatchObject({
      state: 'succeeded',
      generation: 1,
      previousGeneration: 0,
      positionTx: events.length,
      headTx: events.length,
    });
    expect(await generations.live()).toBe(1);
    // The books folded with it, stored before the switch and again after the catch-up, agree
    // with the accounts it wrote: the customer side is the sum of their balances.
    expect(adopted.map(([g, books]) => [g, books.tx])).toEqual([
      [1, events.length],
      [1, events.length],
    ]);
    const balances = new Map<string, bigint>();
    for (const a of await projectors.model(1).accounts.find().toArray()) {
      balances.set(a.currency, (balances.get(a.currency) ?? 0n) + BigInt(a.balance));
    }
    expect(balances.size).toBeGreaterThan(0);
    for (const [currency, sum] of balances) {
      const sides = adopted[1]![1].of(currency);
      expect([currency, sides.customer, sides.customer + sides.external + sides.transit]).toEqual([currency, sum, 0n]);
    }
    expect(await snapshot(1)).toEqual(live);
    // The new generation has the indexes ReadModel.ensureIndexes creates.
    const indexes = await db.collection(generationCollection(READ_MODEL_COLLECTIONS.accounts, 1)).indexes();
    expect(indexes.map((i) => i.name)).toContain('currency_balance');
    expect(await generations.lock()).toBeUndefined();

    await sleep(600);
    expect(await generations.existing()).toEqual([1]);
  });

  it("shows progress inside a batch, as each account's run is applied", async () => {
    const events = logOfAccounts(4, 5);
    // Hold the rebuild after its second account's run, to look at the status mid-batch.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let runs = 0;
    // One account at a time.
    const rebuilder = instrumentedRebuild(
      events,
      async (_, apply) => {
        await apply();
        if (++runs === 2) await gate;
      },
      { concurrency: 1 },
    );
    await rebuilder.start();
    while (runs < 2) await sleep(10);
    try {
      const mid = rebuilder.status();
      expect(mid).toMatchObject({
        state: 'running',
        phase: 'projecting',
        positionTx: 0,
        headTx: events.length,
        events: 6,
      });
      // One account of four applied: a quarter of the batch's events.
      expect(mid.progressTx).toBe(Math.round(events.length / 4));
      expect(mid.etaSeconds).not.toBeNull();
    } finally {
      release(); // also when an expectation fails: the rebuild must not stay blocked
    }
    while (rebuilder.status().state === 'running') await sleep(20);
    expect(rebuilder.status()).toMatchObject({
      state: 'succeeded',
      positionTx: events.length,
      progressTx: events.length,
      events: events.length,
    });
  });

  it('stops every worker when one account cannot be applied, and reports the failure as it was', async () => {
    const events = logOfAccounts(8, 2);
    const broken = events[0]!.streamId;
    let calls = 0;
    const rebuilder = instrumentedRebuild(
      events,
      async (run, apply) => {
        calls++;
        if (run[0]!.streamId === broken) throw new Error('cannot apply');
        await sleep(60);
        await apply();
      },
      { concurrency: 2, applyRetryMs: 100 },
    );
    await rebuilder.start();
    while (rebuilder.status().state === 'running') await sleep(10);
    const failed = rebuilder.status();
    expect(failed).toMatchObject({ state: 'failed', positionTx: 0 });
    expect(failed.error).toMatch(/cannot apply/);
    const callsAtFailure = calls;
    await sleep(500);
    // Nothing of the failed rebuild goes on writing to the dropped generation or moving its status.
    expect(calls).toBe(callsAtFailure);
    expect(rebuilder.status()).toEqual(failed);
  });
});

describe('Generations: every writer records the view it writes by', () => {
  it('lets a rebuild go on once each live process has seen its change, not after a fixed time', async () => {
    const own = mongo.db(`it_writers_${randomUUID().slice(0, 8)}`);
    const rebuilding = new Generations(own, 200);
    const other = new Generations(own, 200); // another projections process, writing live events
    expect(await other.writeTargets()).toEqual([0]); // cached for 200 ms
    const lock = await rebuilding.acquireLock();
    if (!('generation' in lock)) throw new Error('no lock');
    const writers = own.collection<WriterView>(READ_MODEL_META_COLLECTION);
    // The other process still writes by its cached view: the rebuild waits for it...
    const settling = rebuilding.settled((v) => v.building === lock.generation, 60_000);
    const seen: Array<number[]> = [];
    let done = false;
    void settling.then(() => (done = true));
    while (!done) {
      seen.push(await other.writeTargets()); // what it writes live events to, each time
      await sleep(20);
    }
    await settling;
    // ...and goes on once that process has recorded (before using) the view with the rebuild.
    expect(seen.at(-1)).toEqual([0, lock.generation]);
    const views = await writers.find({ _id: { $regex: '^writer:' } } as never).toArray();
    expect(views).toHaveLength(2);
    expect(views.every((v) => v.building === lock.generation && v.live === 0)).toBe(true);

    // A process that stopped renewing its record (it died, or writes nothing) does not hold the
    // rebuild beyond the bound.
    await writers.insertOne({ _id: 'writer:gone', live: 0, building: null, at: Date.now() });
    await rebuilding.switchTo(lock.generation);
    await rebuilding.settled((v) => v.live === lock.generation, 500);
    expect(await other.live()).toBe(lock.generation);
  });
});
