import { randomUUID } from 'node:crypto';
import {
  encodeAccountEvent,
  encodeTransferEvent,
  type AccountEvent,
  type StoredEvent,
  type TransferEvent,
} from '@bank/domain';
import {
  dailyBalancesOf,
  daysOfMonth,
  historyEntriesOf,
  historyLines,
  monthsBetween,
  READ_MODEL_LAYOUT,
} from '@bank/contracts';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { Projector } from './projector';
import { ReadModel } from './read-model';
import { chooseGuardMode } from './version-guard';

const mongo = new MongoClient(process.env.MONGO_URL!);
beforeAll(() => mongo.connect());
afterAll(() => mongo.close());

/** A stream of one account: opened, then deposits of 1.00, 2.00, ... and one withdrawal. */
function accountStream(accountId: string, deposits: number): StoredEvent[] {
  const base = { schemaVersion: 1, metadata: { correlationId: 'it' }, occurredAt: '2026-11-22T10:00:00.000Z' };
  const events: StoredEvent[] = [
    {
      ...base,
      eventId: randomUUID(),
      streamId: accountId,
      version: 1,
      type: 'AccountOpened',
      data: {
        accountId,
        ownerId: 'o',
        ownerName: 'Owner',
        accountType: 'CHECKING',
        currency: 'USD',
        overdraftLimit: 0,
      },
    },
  ];
  for (let i = 1; i <= deposits; i++) {
    events.push({
      ...base,
      eventId: randomUUID(),
      streamId: accountId,
      version: events.length + 1,
      type: 'MoneyDeposited',
      data: { transactionId: randomUUID(), amount: i * 100, description: null },
    });
  }
  events.push({
    ...base,
    eventId: randomUUID(),
    streamId: accountId,
    version: events.length + 1,
    type: 'MoneyWithdrawn',
    data: { transactionId: randomUUID(), amount: 50, description: 'atm' },
  });
  return events;
}

/** An account's history as its buckets hold it, oldest first. */
async function historyOf(model: ReadModel, accountId: string) {
  const buckets = await model.history.find({ accountId }).sort({ bucket: 1 }).toArray();
  return buckets.flatMap((b) => historyEntriesOf(b));
}

/**
 * An account's documents as stored, BSON values kept apart (Int32, Double, Long), so that a
 * value or a type that differs fails a comparison.
 */
async function documentsOf(model: ReadModel, accountId: string) {
  const raw = { promoteValues: false } as const;
  return {
    account: await model.accounts.findOne({ _id: accountId }, raw),
    history: await model.history.find({ accountId }, raw).sort({ bucket: 1 }).toArray(),
    days: await model.dailyBalances.find({ accountId }, raw).sort({ _id: 1 }).toArray(),
  };
}

/** The log, as event-source would serve it: a real dependency is not needed for this adapter test. */
const logOf = (events: StoredEvent[]) => ({
  readAll: async (_: string, from: number) => events.filter((e) => e.version >= from),
});

describe.each(['server', 'client'] as const)('Projector on FerretDB, version guards checked by the %s', (guards) => {
  let model: ReadModel;
  beforeAll(async () => {
    model = new ReadModel(mongo.db(`it_${randomUUID().slice(0, 8)}`), guards);
    await model.ensureIndexes();
  });

  it("follows a transfer's own stream: in order, once, gaps read from the log, earlier documents re-projected", async () => {
    const transferId = `t-${randomUUID()}`;
    const terms = { transferId, fromAccountId: 'a', toAccountId: 'b', amount: 700, currency: 'USD' as const };
    const steps: TransferEvent[] = [
      { type: 'TransferStarted', data: { ...terms, description: null } },
      { type: 'TransferCreditRecorded', data: { transactionId: 'x' } },
      { type: 'TransferCompleted', data: {} },
    ];
    const events: StoredEvent[] = steps.map((event, i) => ({
      eventId: randomUUID(),
      streamId: `transfer.${transferId}`,
      version: i + 1,
      ...encodeTransferEvent(event),
      metadata: { correlationId: 'c' },
      occurredAt: `2026-12-06T10:00:0${i}.000Z`,
    }));
    const projector = new Projector(model, logOf(events), pino({ level: 'silent' }));
    // The last event first: the two before it come from the log.
    expect(await projector.apply(events[2]!)).toBe('applied');
    expect(await projector.apply(events[1]!)).toBe('duplicate');
    const doc = await model.transfers.findOne({ _id: transferId });
    expect(doc).toMatchObject({ status: 'COMPLETED', amount: 700, version: 3, completedAt: events[2]!.occurredAt });
    expect(await model.streamVersion(`transfer.${transferId}`)).toBe(3);

    // A document an earlier version of the app wrote (from the source account's events, no version).
    const { version: _v, completedAt: _c, ...earlier } = doc!;
    await model.transfers.replaceOne({ _id: transferId }, { ...earlier, status: 'PENDING' });
    expect(await projector.apply(events[2]!)).toBe('applied');
    expect(await model.transfers.findOne({ _id: transferId })).toMatchObject({ status: 'COMPLETED', version: 3 });
  });

  it('builds balance and history with exact int64 money', async () => {
    const id = `acc-${randomUUID()}`;
    const events = accountStream(id, 3);
    const projector = new Projector(model, logOf(events), pino({ level: 'silent' }));
    for (const e of events) expect(await projector.apply(e)).toBe('applied');
    const account = await model.account(id);
    expect(account).toMatchObject({ balance: 550, version: 5, currency: 'USD', status: 'ACTIVE' });
    const history = await historyOf(model, id);
    expect(history.map((t) => [t.seq, t.type, t.amount, t.balanceAfter])).toEqual([
      [1, 'DEPOSIT', 100, 100],
      [2, 'DEPOSIT', 200, 300],
      [3, 'DEPOSIT', 300, 600],
      [4, 'WITHDRAWAL', 50, 550],
    ]);
    const raw = await model.accounts.findOne({ _id: id }, { promoteLongs: false });
    expect(raw?.balance?.constructor?.name).toBe('Long');
    expect(await model.dailyBalances.findOne({ _id: `${id}:2026-11` })).toEqual({
      _id: `${id}:2026-11`,
      accountId: id,
      month: '2026-11',
      openingBalance: 0,
      days: JSON.stringify({ date: '2026-11-22', closingBalance: 550, credits: 600, debits: 50, transactionCount: 4 }),
      version: 5,
    });
  });

  it('ends in the same state when every event arrives twice and out of order', async () => {
    const id = `acc-${randomUUID()}`;
    const events = accountStream(id, 6);
    const projector = new Projector(model, logOf(events), pino({ level: 'silent' }));
    const shuffled = [...events, ...events].sort(() => Math.random() - 0.5);
    await Promise.all(shuffled.map((e) => projector.apply(e)));
    expect(await model.account(id)).toMatchObject({ balance: 2050, version: 8 });
    expect((await historyOf(model, id)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const day = async () =>
      daysOfMonth((await model.dailyBalances.findOne({ _id: `${id}:2026-11` }))!).get('2026-11-22');
    expect(await day()).toMatchObject({ credits: 2100, debits: 50, transactionCount: 7 });
    // A repeat of an already applied event after the fact (a redelivery long after) changes nothing.
    await model.addToDays([
      {
        accountId: id,
        date: '2026-11-22',
        firstQuietMonth: '2026-12',
        balanceBefore: 0,
        balanceAfter: 100,
        credit: 100,
        debit: 0,
        version: 2,
      },
    ]);
    expect(await day()).toMatchObject({ credits: 2100, transactionCount: 7 });
  });

  it('fills a gap from the log before applying a later event', async () => {
    const id = `acc-${randomUUID()}`;
    const events = accountStream(id, 2);
    const projector = new Projector(model, logOf(events), pino({ level: 'silent' }));
    expect(await projector.apply(events[3]!)).toBe('applied');
    expect(await model.account(id)).toMatchObject({ version: 4, balance: 250 });
    expect(await projector.apply(events[1]!)).toBe('duplicate');
  });

  it('rebuilds a document written before the summary totals existed, then goes on', async () => {
    const id = `acc-${randomUUID()}`;
    const events = accountStream(id, 3);
    // What the first read model wrote: no totals, and (not shown) no daily documents.
    await model.accounts.insertOne({
      _id: id,
      accountId: id,
      ownerId: 'o',
      ownerName: 'Owner',
      type: 'CHECKING',
      currency: 'USD',
      status: 'ACTIVE',
      balance: 600,
      overdraftLimit: 0,
      version: 4,
      openedAt: '2026-11-22T10:00:00.000Z',
      updatedAt: '2026-11-22T10:00:00.000Z',
    } as never);
    const projector = new Projector(model, logOf(events), pino({ level: 'silent' }));
    expect(await projector.apply(events[4]!)).toBe('applied');
    expect(await model.account(id)).toMatchObject({
      version: 5,
      balance: 550,
      totalDeposits: 600,
      totalWithdrawals: 50,
      transactionCount: 4,
    });
    expect((await historyOf(model, id)).map((e) => e.version)).toEqual([2, 3, 4, 5]);
  });

  it('moves an account of the previous layout (history outside buckets) to the current one', async () => {
    const id = `acc-${randomUUID()}`;
    const events = accountStream(id, 70);
    const projector = new Projector(model, logOf(events), pino({ level: 'silent' }));
    for (const e of events.slice(0, 30)) await projector.apply(e);
    // What layout 1 wrote: the same account document without `layout`, and no buckets.
    await model.accounts.updateOne({ _id: id }, { $unset: { layout: '' } });
    await model.history.deleteMany({ accountId: id });
    await projector.applyAll(events.slice(30));
    expect(await model.account(id)).toMatchObject({ layout: READ_MODEL_LAYOUT, version: 72, transactionCount: 71 });
    const history = await historyOf(model, id);
    expect(history.map((e) => e.seq)).toEqual(Array.from({ length: 71 }, (_, i) => i + 1));
    expect(await model.history.countDocuments({ accountId: id })).toBe(2);
  });

  it('tells whether any account document is of an earlier layout (what projections checks at start)', async () => {
    const fresh = new ReadModel(mongo.db(`it_${randomUUID().slice(0, 8)}`), guards);
    const id = `acc-${randomUUID()}`;
    const events = accountStream(id, 2);
    await new Projector(fresh, logOf(events), pino({ level: 'silent' })).applyAll(events);
    expect(await fresh.hasEarlierLayout()).toBe(false);
    await fresh.accounts.updateOne({ _id: id }, { $unset: { layout: '' } });
    expect(await fresh.hasEarlierLayout()).toBe(true);
  });

  it('writes accounts new to the read model in one insert per collection exactly as run by run', async () => {
    const build = (id: string) => {
      const events = accountStream(id, 70).map((e, i) => ({
        ...e,
        // Over three months with a month without movements before the second and the third.
        occurredAt: `${['2026-09-20', '2026-11-21', '2027-01-22'][Math.floor(i / 30)]}T10:00:00.000Z`,
      }));
      // Stored as the actor stores them (current schema, balance recorded); dated as the
      // opening, as if the clock had gone back.
      let balance = 248_450; // 1.00 + 2.00 + ... + 70.00, less the 0.50 withdrawal
      const next = (event: AccountEvent, delta = 0): StoredEvent => ({
        ...events[0]!,
        eventId: randomUUID(),
        version: events.length + 1,
        ...encodeAccountEvent(event, (balance += delta)),
      });
      const leg = (n: number) => ({ transferId: `${id}-t${n}`, transactionId: randomUUID(), toAccountId: 'other' });
      events.push(next({ type: 'TransferDebited', data: { ...leg(1), amount: 100, description: 'rent' } }, -100));
      events.push(next({ type: 'TransferSettled', data: { transferId: `${id}-t1` } }));
      events.push(next({ type: 'TransferDebited', data: { ...leg(2), amount: 200, description: null } }, -200));
      events.push(
        next({ type: 'TransferRefunded', data: { ...leg(2), amount: 200, failureCode: 'ACCOUNT_CLOSED' } }, 200),
      );
      events.push(next({ type: 'TransferDebited', data: { ...leg(3), amount: 300, description: null } }, -300));
      return events;
    };
    /** The three transfers' own streams: completed, refused and refunded, still under way. */
    const transfersOf = (id: string): StoredEvent[][] => {
      const stream = (n: number, rest: TransferEvent[]) => {
        const transferId = `${id}-t${n}`;
        const terms = {
          transferId,
          fromAccountId: id,
          toAccountId: 'other',
          amount: 100 * n,
          currency: 'EUR' as const,
        };
        const started: TransferEvent = {
          type: 'TransferStarted',
          data: { ...terms, description: n === 1 ? 'rent' : null },
        };
        return [started, ...rest].map((event, i) => ({
          eventId: randomUUID(),
          streamId: `transfer.${transferId}`,
          version: i + 1,
          ...encodeTransferEvent(event),
          metadata: { correlationId: 'c' },
          occurredAt: `2026-11-22T10:00:0${i}.000Z`,
        }));
      };
      return [
        stream(1, [
          { type: 'TransferCreditRecorded', data: { transactionId: 'x1' } },
          { type: 'TransferCompleted', data: {} },
        ]),
        stream(2, [
          { type: 'TransferCreditRefused', data: { failureCode: 'ACCOUNT_CLOSED', reason: 'closed' } },
          { type: 'TransferFailed', data: { failureCode: 'ACCOUNT_CLOSED' } },
        ]),
        stream(3, []),
      ];
    };
    const ids = [`acc-${randomUUID()}`, `acc-${randomUUID()}`, `acc-${randomUUID()}`];
    const streams = [...ids.map(build), ...ids.flatMap(transfersOf)];
    const all = streams.flat();
    const reference = new ReadModel(mongo.db(`it_${randomUUID().slice(0, 8)}`), 'server');
    const oneByOne = new Projector(reference, logOf(all), pino({ level: 'silent' }));
    for (const e of all) await oneByOne.apply(e);

    const bulk = new ReadModel(mongo.db(`it_${randomUUID().slice(0, 8)}`), guards);
    const projector = new Projector(bulk, logOf(all), pino({ level: 'silent' }));
    // The live path got to the third account first, with part of its stream.
    await projector.applyAll(streams[2]!.slice(0, 40));
    await projector.applyAll(streams[3 + 1]!.slice(0, 1)); // and to a transfer's start
    await projector.applyNewAccounts(streams);

    const dump = async (model: ReadModel, id: string) => ({
      ...(await documentsOf(model, id)),
      transfers: await model.transfers.find({ fromAccountId: id }, { promoteValues: false }).sort({ _id: 1 }).toArray(),
    });
    for (const id of ids) expect(await dump(bulk, id)).toStrictEqual(await dump(reference, id));
    const sample = await dump(reference, ids[0]!);
    expect(sample.history).toHaveLength(2);
    expect(sample.days.map((m) => m._id)).toEqual(
      ['2026-09', '2026-10', '2026-11', '2026-12', '2027-01'].map((m) => `${ids[0]}:${m}`),
    );
    expect(sample.transfers.map((t) => [String(t.status), t.failureCode ?? null])).toEqual([
      ['COMPLETED', null],
      ['FAILED', 'ACCOUNT_CLOSED'],
      ['PENDING', null],
    ]);
  });

  it('applies a message that opens accounts all at once, and finishes one that a dead run left half-written', async () => {
    const [a, b, c] = [`msg-${randomUUID()}`, `msg-${randomUUID()}`, `msg-${randomUUID()}`];
    const streams = [accountStream(a, 80), accountStream(b, 80), accountStream(c, 10)];
    const all = streams.flat();
    const log = {
      readAll: async (id: string, from: number) => all.filter((e) => e.streamId === id && e.version >= from),
    };
    const reference = new ReadModel(mongo.db(`it_${randomUUID().slice(0, 8)}`), 'server');
    const oneByOne = new Projector(reference, log, pino({ level: 'silent' }));
    for (const e of all) await oneByOne.apply(e);

    const target = new ReadModel(mongo.db(`it_${randomUUID().slice(0, 8)}`), guards);
    // c is known already; b was half-written by a process that died before its account document.
    await new Projector(target, log, pino({ level: 'silent' })).applyAll(streams[2]!.slice(0, 5));
    await new Projector(target, log, pino({ level: 'silent' })).applyAll(streams[1]!.slice(0, 3));
    await target.accounts.deleteOne({ _id: b });
    const live = new Projector(target, log, pino({ level: 'silent' }));
    await live.applyMessage([...streams[0]!, ...streams[1]!, ...streams[2]!.slice(5)]);

    for (const id of [a, b, c]) expect(await documentsOf(target, id)).toStrictEqual(await documentsOf(reference, id));
    expect(historyEntriesOf((await target.history.findOne({ _id: `${b}:1` }))!)).toHaveLength(81 - 64);
  });

  it('keeps daily balances in month documents that answer any range of days as a replay of the movements does', async () => {
    const id = `acc-${randomUUID()}`;
    // Movements on random days over three years, with quiet months and a dormant year.
    const start = Date.parse('2024-01-15T00:00:00Z');
    let at = start;
    const dates: string[] = [];
    for (let i = 0; i < 150; i++) {
      at += (i === 60 ? 400 : Math.floor(Math.random() * 12)) * 86_400_000 + 3_600_000;
      dates.push(new Date(at).toISOString());
    }
    const events = accountStream(id, dates.length - 1).map((e, i) => ({
      ...e,
      occurredAt: i === 0 ? new Date(start).toISOString() : dates[i - 1]!,
    }));
    const oneByOne = new ReadModel(mongo.db(`it_${randomUUID().slice(0, 8)}`), guards);
    const single = new Projector(oneByOne, logOf(events), pino({ level: 'silent' }));
    for (const e of events) await single.apply(e);
    const inOne = new ReadModel(mongo.db(`it_${randomUUID().slice(0, 8)}`), guards);
    await new Projector(inOne, logOf(events), pino({ level: 'silent' })).applyNewAccounts([events]);
    const raw = { promoteValues: false } as const;
    const months = await oneByOne.dailyBalances.find({ accountId: id }, raw).sort({ _id: 1 }).toArray();
    expect(await inOne.dailyBalances.find({ accountId: id }, raw).sort({ _id: 1 }).toArray()).toStrictEqual(months);
    // Every month from the opening to the last movement has a document, and no other does.
    const last = events.at(-1)!.occurredAt.slice(0, 7);
    expect(months.map((m) => String(m._id))).toEqual(monthsBetween('2024-01', last).map((m) => `${id}:${m}`));

    // The days as a replay of the movements tells them: each movement's amount and balance after.
    const movements = events.slice(1).map((e) => {
      const amount = (e.data as { amount: number }).amount;
      return { day: e.occurredAt.slice(0, 10), delta: e.type === 'MoneyDeposited' ? amount : -amount };
    });
    const replay = (day: string) => {
      const before = movements.filter((m) => m.day < day).reduce((b, m) => b + m.delta, 0);
      const on = movements.filter((m) => m.day === day);
      return {
        date: day,
        openingBalance: before,
        closingBalance: before + on.reduce((b, m) => b + m.delta, 0),
        credits: on.filter((m) => m.delta > 0).reduce((b, m) => b + m.delta, 0),
        debits: on.filter((m) => m.delta < 0).reduce((b, m) => b - m.delta, 0),
        transactionCount: on.length,
      };
    };
    const account = (await oneByOne.account(id))!;
    const dayAt = (t: number) => new Date(t).toISOString().slice(0, 10);
    const end = at + 60 * 86_400_000;
    for (let i = 0; i < 40; i++) {
      const from = start + Math.floor(Math.random() * (end - start));
      const [first, lastDay] = [dayAt(from), dayAt(Math.min(end, from + Math.floor(Math.random() * 366) * 86_400_000))];
      const read = await Promise.all(
        monthsBetween(first.slice(0, 7), lastDay.slice(0, 7)).map(
          async (m) => (await oneByOne.dailyBalances.findOne({ _id: `${id}:${m}` })) ?? undefined,
        ),
      );
      const expected = [];
      for (let t = Date.parse(`${first}T00:00:00Z`); dayAt(t) <= lastDay; t += 86_400_000)
        expected.push(replay(dayAt(t)));
      expect(dailyBalancesOf(read, first, lastDay, account.balance)).toEqual(expected);
    }
  });

  it('writes a run of events in one go exactly as it writes them one by one, across days and after a crash', async () => {
    const id = `acc-${randomUUID()}`;
    // 12 deposits over three days.
    const events = accountStream(id, 12).map((e, i) => ({
      ...e,
      occurredAt: `2026-11-${String(20 + Math.floor(i / 5)).padStart(2, '0')}T10:00:00.000Z`,
    }));
    // The reference is always written with guards in the filter (what MongoDB does), so the
    // projector-checked mode is compared against it: same values, same BSON types.
    const oneByOne = new ReadModel(mongo.db(`it_${randomUUID().slice(0, 8)}`), 'server');
    const single = new Projector(oneByOne, logOf(events), pino({ level: 'silent' }));
    for (const e of events) await single.apply(e);

    const inRuns = new ReadModel(mongo.db(`it_${randomUUID().slice(0, 8)}`), guards);
    // A run that died after writing part of what it writes besides the account: history up to
    // v6, its first day and part of its second (up to v8), but not the account document.
    const first = new Projector(inRuns, logOf(events), pino({ level: 'silent' }));
    for (const e of events.slice(0, 8)) await first.apply(e);
    await inRuns.accounts.deleteOne({ _id: id });
    // Its bucket holds seq 1..7 (v2..v8): take the last two back out.
    const bucket = (await inRuns.history.findOne({ _id: `${id}:0` }))!;
    const kept = historyEntriesOf(bucket).filter((e) => e.version <= 6);
    await inRuns.history.updateOne({ _id: bucket._id }, { $set: { version: 5, entries: historyLines(kept) } });
    expect(await inRuns.dailyBalances.findOne({ _id: `${id}:2026-11` })).toMatchObject({ version: 8 });
    // Delivered twice, shuffled, all at once: one run (the retry of the one that died) does it all.
    const projector = new Projector(inRuns, logOf(events), pino({ level: 'silent' }));
    await projector.applyAll([...events, ...events].sort(() => Math.random() - 0.5));

    expect(await documentsOf(inRuns, id)).toStrictEqual(await documentsOf(oneByOne, id));
    const month = await oneByOne.dailyBalances.findOne({ _id: `${id}:2026-11` });
    expect([...daysOfMonth(month!).values()].map((d) => [d.date, d.transactionCount])).toEqual([
      ['2026-11-20', 4],
      ['2026-11-21', 5],
      ['2026-11-22', 4],
    ]);
    expect(await oneByOne.account(id)).toMatchObject({ version: 14, balance: 7750 });
  });
});

describe('Projector on FerretDB, how version guards reach the server', () => {
  // Two processes projecting one database: conditional updates keep them apart. With guards
  // checked by the projector (chosen on FerretDB), one projections process per database is required.
  let model: ReadModel;
  beforeAll(async () => {
    model = new ReadModel(mongo.db(`it_${randomUUID().slice(0, 8)}`), 'server');
    await model.ensureIndexes();
  });

  it('two projector instances racing on one account never double-apply', async () => {
    const id = `acc-${randomUUID()}`;
    const events = accountStream(id, 10);
    const a = new Projector(model, logOf(events), pino({ level: 'silent' }));
    const b = new Projector(model, logOf(events), pino({ level: 'silent' }));
    await Promise.all(events.flatMap((e) => [a.apply(e), b.apply(e)]));
    expect(await model.account(id)).toMatchObject({ version: 12, balance: 5450 });
  });

  it('two processes writing one account alternately, and documents replaced behind their backs, end as one process would', async () => {
    // Each process keeps copies of what it last wrote and writes from them without reading:
    // a copy the other process made stale fails the write's condition and is read again.
    const id = `acc-${randomUUID()}`;
    const events = accountStream(id, 150).map((e, i) => ({
      ...e,
      occurredAt: `2026-${String(1 + Math.floor(i / 40)).padStart(2, '0')}-10T10:00:00.000Z`,
    }));
    const db = mongo.db(`it_${randomUUID().slice(0, 8)}`);
    const [one, two] = [new ReadModel(db, 'server'), new ReadModel(db, 'server')];
    const projectors = [one, two].map((m) => new Projector(m, logOf(events), pino({ level: 'silent' })));
    for (let i = 0; i < 100; i += 7) await projectors[(i / 7) % 2]!.applyAll(events.slice(i, i + 7));
    // What a generation dropped and created again (or a restore) looks like: the documents are
    // behind what the first process kept.
    await db.collection('accounts').deleteOne({ _id: id as never });
    await db.collection('history').deleteMany({ accountId: id });
    await db.collection('daily_balances').deleteMany({ accountId: id });
    await projectors[0]!.applyAll(events.slice(100, 120));
    await projectors[1]!.applyAll(events.slice(100));

    const reference = new ReadModel(mongo.db(`it_${randomUUID().slice(0, 8)}`), 'server');
    await new Projector(reference, logOf(events), pino({ level: 'silent' })).applyAll(events);
    expect(await documentsOf(one, id)).toStrictEqual(await documentsOf(reference, id));
  });

  it("writes a warm account's next movement without reading any of its documents first", async () => {
    const watched = new MongoClient(process.env.MONGO_URL!, { monitorCommands: true });
    await watched.connect();
    const commands: string[] = [];
    watched.on('commandStarted', (e) => commands.push(e.commandName));
    try {
      const id = `acc-${randomUUID()}`;
      const events = accountStream(id, 3);
      const projector = new Projector(
        new ReadModel(watched.db(`it_${randomUUID().slice(0, 8)}`), 'server'),
        logOf(events),
        pino({ level: 'silent' }),
      );
      await projector.applyAll(events.slice(0, 4));
      commands.length = 0;
      await projector.applyAll(events.slice(4));
      // The history bucket, the month and the account: one conditional update each, no find.
      expect(commands.sort()).toEqual(['update', 'update', 'update']);
    } finally {
      await watched.close();
    }
  });

  it('is chosen from what the server is: FerretDB on PostgreSQL pushes {_id, version} down, so the server checks', async () => {
    const db = mongo.db(`it_${randomUUID().slice(0, 8)}`);
    expect(await chooseGuardMode(db)).toBe('server');
    expect(await chooseGuardMode(db, 'client')).toBe('client');
    expect(await chooseGuardMode(db, 'server')).toBe('server');
    await expect(chooseGuardMode(db, 'atomic')).rejects.toThrow(/READ_MODEL_GUARDS/);
  });

  it('checked by the projector, every filter it sends is by _id alone (the only one FerretDB answers from an index)', async () => {
    const watched = new MongoClient(process.env.MONGO_URL!, { monitorCommands: true });
    await watched.connect();
    const filters: { command: string; filter: unknown }[] = [];
    watched.on('commandStarted', (e) => {
      const c = e.command as Record<string, unknown>;
      if (e.commandName === 'find') filters.push({ command: 'find', filter: c.filter });
      if (e.commandName === 'update') {
        for (const u of c.updates as { q: unknown }[]) filters.push({ command: 'update', filter: u.q });
      }
    });
    try {
      const watchedModel = new ReadModel(watched.db(`it_${randomUUID().slice(0, 8)}`), 'client');
      const id = `acc-${randomUUID()}`;
      const events = accountStream(id, 4).map((e, i) => ({
        ...e,
        occurredAt: `2026-11-${String(20 + Math.floor(i / 3)).padStart(2, '0')}T10:00:00.000Z`,
      }));
      const projector = new Projector(watchedModel, logOf(events), pino({ level: 'silent' }));
      for (const e of events.slice(0, 3)) await projector.apply(e);
      await projector.applyAll([...events, ...events]);
      expect(await watchedModel.account(id)).toMatchObject({ version: 6, balance: 950 });
      expect(filters.length).toBeGreaterThan(0);
      expect(filters.filter((f) => Object.keys(f.filter as object).join() !== '_id')).toEqual([]);
      expect(filters.some((f) => f.command === 'update')).toBe(true);
    } finally {
      await watched.close();
    }
  });
});
