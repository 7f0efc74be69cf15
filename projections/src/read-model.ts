import {
  Long,
  MongoBulkWriteError,
  MongoServerError,
  type Collection,
  type Db,
  type Document,
  type Filter,
  type OptionalUnlessRequiredId,
  type UpdateFilter,
} from 'mongodb';
import { isAccountStream, transferIdOfStream, type Currency } from '@bank/domain';
import {
  AccountDocSchema,
  BOOKS_TOTALS_ID,
  BooksTotalsDocSchema,
  DRIFT_ID_PREFIX,
  RANKING_ID_PREFIX,
  RankingDocSchema,
  type BalanceDriftDoc,
  type BooksTotalsDoc,
  type RankedAccount,
  type RankingDoc,
  TransferDocSchema,
  HISTORY_BUCKET_SIZE,
  historyBucketId,
  historyBucketOf,
  historyLines,
  READ_MODEL_COLLECTIONS,
  READ_MODEL_LAYOUT,
  type AccountDoc,
  type DailyBalancesMonthDoc,
  type DayTotals,
  daysOfMonth,
  monthDaysText,
  dailyBalancesMonthId,
  monthOf,
  monthsBetween,
  type HistoryBucketDoc,
  type HistoryEntry,
  type TransferDoc,
} from '@bank/contracts';
import type { DailyMovement } from './account-projection';
import type { ProjectedTransfer } from './transfer-projection';
import { KeptCopies } from './kept-copies';
import { guardedUpdate, type GuardMode } from './version-guard';

/** Money fields are stored as BSON int64 so every MongoDB-wire server keeps them exact. */
const MONEY_FIELDS = [
  'balance',
  'overdraftLimit',
  'amount',
  'balanceAfter',
  'totalDeposits',
  'totalWithdrawals',
  'totalTransfersIn',
  'totalTransfersOut',
  'clearingPostings',
  'transitPostings',
  'openingBalance',
] as const;

export class ReadModel {
  readonly accounts: Collection<AccountDoc>;
  readonly history: Collection<HistoryBucketDoc>;
  readonly dailyBalances: Collection<DailyBalancesMonthDoc>;
  readonly transfers: Collection<TransferDoc>;
  /** The books' totals and the accounts whose balance disagrees with their movements (see `BooksTotalsDoc`). */
  readonly books: Collection<BooksTotalsDoc | BalanceDriftDoc | RankingDoc>;
  /**
   * What this process last wrote of the documents a run writes, so a run writes them without
   * reading them first (see kept-copies.ts); none with guards checked by the projector.
   */
  private readonly kept:
    | {
        accounts: KeptCopies<AccountDoc>;
        buckets: KeptCopies<KeptBucket>;
        months: KeptCopies<KeptMonth>;
      }
    | undefined;

  /**
   * `db` is a generation's view of the database (see generations.ts): the names below are the
   * registry's. `guards` is how version-guarded writes are carried out (see version-guard.ts).
   */
  constructor(
    db: Pick<Db, 'collection'>,
    private readonly guards: GuardMode = 'server',
  ) {
    this.accounts = db.collection<AccountDoc>(READ_MODEL_COLLECTIONS.accounts);
    this.history = db.collection<HistoryBucketDoc>(READ_MODEL_COLLECTIONS.history);
    this.dailyBalances = db.collection<DailyBalancesMonthDoc>(READ_MODEL_COLLECTIONS.dailyBalances);
    this.transfers = db.collection<TransferDoc>(READ_MODEL_COLLECTIONS.transfers);
    this.books = db.collection<BooksTotalsDoc | BalanceDriftDoc | RankingDoc>(READ_MODEL_COLLECTIONS.books);
    // About 2 KB an account, 12 KB a bucket of 64 movements, 3 KB a month of 31 days.
    this.kept =
      guards === 'server'
        ? { accounts: new KeptCopies(5_000), buckets: new KeptCopies(1_000), months: new KeptCopies(5_000) }
        : undefined;
  }

  /** One index per query pattern of the query API (history and daily balances are read by `_id` only). */
  async ensureIndexes(): Promise<void> {
    await this.accounts.createIndex({ ownerId: 1 }, { name: 'owner' });
    await this.accounts.createIndex({ status: 1 }, { name: 'status' });
    // Also serves the trial balance, which reads every account of a currency.
    await this.accounts.createIndex({ currency: 1, balance: -1 }, { name: 'currency_balance' });
    await this.transfers.createIndex({ status: 1 }, { name: 'status' }); // the sweep of unfinished transfers
    await this.books.createIndex({ currency: 1 }, { name: 'currency' }); // the trial balance's accounts that disagree
  }

  /** Whether some account document is of an earlier layout (read once at start: a scan). */
  async hasEarlierLayout(): Promise<boolean> {
    return (await this.accounts.findOne({ layout: { $ne: READ_MODEL_LAYOUT } }, { projection: { _id: 1 } })) !== null;
  }

  /** The last version of the stream (an account's or a transfer's) applied to this read model (0 when none). */
  async streamVersion(streamId: string): Promise<number> {
    const raw = isAccountStream(streamId)
      ? await this.accounts.findOne({ _id: streamId }, { projection: { version: 1 } })
      : await this.transfers.findOne({ _id: transferIdOfStream(streamId) }, { projection: { version: 1 } });
    return typeof raw?.version === 'number' ? raw.version : 0;
  }

  /**
   * A transfer's document, and whether it was written by an earlier version of this app (from
   * the source account's events, without the version of the transfer's own stream it has
   * applied): the projector then re-projects it from the transfer's stream.
   */
  async transferForUpdate(transferId: string): Promise<{ doc: ProjectedTransfer | undefined; legacy: boolean }> {
    const raw = await this.transfers.findOne({ _id: transferId });
    if (!raw) return { doc: undefined, legacy: false };
    const doc = TransferDocSchema.parse(raw);
    return doc.version === undefined
      ? { doc: undefined, legacy: true }
      : { doc: { ...doc, version: doc.version }, legacy: false };
  }

  /**
   * Moves a transfer's document from `fromVersion` (0: it does not exist yet) to `doc`, if no
   * other writer moved it meanwhile (as advanceAccount). False when one did.
   */
  async advanceTransfer(fromVersion: number, doc: ProjectedTransfer): Promise<boolean> {
    const stored = transferToStore(doc);
    if (fromVersion === 0) {
      try {
        await this.transfers.insertOne(stored);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    }
    const { _id, ...fields } = stored;
    return guardedUpdate(this.guards, this.transfers, _id, fromVersion, { $set: fields } as never, {
      knownVersion: fromVersion,
    });
  }

  /**
   * Replaces a transfer document written by an earlier version of this app (it has no
   * `version`) with `doc`, re-projected from the transfer's stream.
   */
  async replaceLegacyTransfer(doc: ProjectedTransfer): Promise<void> {
    const stored = transferToStore(doc);
    await this.transfers.replaceOne({ _id: stored._id, version: { $exists: false } } as never, stored);
  }

  /** The currency and owner's name of an account this read model has (undefined if it has not). */
  async accountFact(accountId: string): Promise<{ currency: Currency; ownerName: string } | undefined> {
    const raw = await this.accounts.findOne({ _id: accountId }, { projection: { currency: 1, ownerName: 1 } });
    return raw
      ? { currency: AccountDocSchema.shape.currency.parse(raw.currency), ownerName: String(raw.ownerName) }
      : undefined;
  }

  /** Every currency's ranking of accounts by balance, as last folded. */
  async rankings(): Promise<RankingDoc[]> {
    const raw = await this.books.find({ _id: { $regex: `^${RANKING_ID_PREFIX}` } } as never).toArray();
    return raw.map((d) => RankingDocSchema.parse(d));
  }

  /**
   * Stores rankings, each unless the stored one is further already. Written before the totals
   * (which hold the position the next fold starts from), so a ranking is never behind them.
   */
  async saveRankings(docs: RankingDoc[]): Promise<void> {
    for (const doc of docs) {
      const { _id, ...fields } = doc;
      const res = await this.books.updateOne({ _id, tx: { $lte: doc.tx } } as never, { $set: fields });
      // Not matched: new (inserted here), or further already (the insert finds it and stops).
      if (res.matchedCount === 0) await this.insertBook(doc);
    }
  }

  /** Inserts a document of the books; false if it exists. Created by an insert, so every writer stores the same bytes. */
  private async insertBook(doc: BooksTotalsDoc | RankingDoc): Promise<boolean> {
    try {
      await this.books.insertOne(doc as never);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /**
   * The `n` highest balances of the currency's accounts, in rank order: a scan of the currency's
   * accounts on FerretDB, for the rare refill of a ranking (lag.ts).
   */
  async highestBalances(currency: string, n: number): Promise<RankedAccount[]> {
    const docs = await this.accounts
      .find({ currency } as never, { projection: { accountId: 1, ownerName: 1, balance: 1 } })
      .sort({ balance: -1, _id: 1 })
      .limit(n)
      .toArray();
    return docs.map((d) => ({ accountId: d.accountId, ownerName: d.ownerName, balance: d.balance }));
  }

  /** The books' totals as last folded (undefined before the first fold). */
  async booksTotals(): Promise<BooksTotalsDoc | undefined> {
    const raw = await this.books.findOne({ _id: BOOKS_TOTALS_ID });
    return raw ? BooksTotalsDocSchema.parse(raw) : undefined;
  }

  /**
   * Moves the books' totals from log transaction `fromTx` (undefined: there are none yet) to
   * `doc`, if no other writer moved them meanwhile. False when one did: the caller re-reads.
   */
  async advanceBooksTotals(fromTx: number | undefined, doc: BooksTotalsDoc): Promise<boolean> {
    if (fromTx === undefined) return this.insertBook(doc);
    const { _id, ...fields } = doc;
    const res = await this.books.updateOne({ _id, tx: fromTx } as never, { $set: fields });
    return res.matchedCount > 0;
  }

  /** Sets the books' totals to `doc` unless they are already at its transaction or beyond (a rebuild's). */
  async adoptBooksTotals(doc: BooksTotalsDoc): Promise<void> {
    // Created by an insert, as the probe creates them, so both store the same bytes.
    if (await this.advanceBooksTotals(undefined, doc)) return;
    const { _id, ...fields } = doc;
    await this.books.updateOne({ _id, tx: { $lt: doc.tx } } as never, { $set: fields });
  }

  /**
   * Records how far an account's balance is from what its movements posted (its drift) as of
   * its document's version, for the trial balance. Written before the account document, and
   * only when the drift is or was not zero, which never happens while the books are right.
   */
  async recordDrift(account: AccountDoc, drift: number): Promise<void> {
    await guardedUpdate(
      this.guards,
      this.books as Collection<BalanceDriftDoc>,
      `${DRIFT_ID_PREFIX}${account.accountId}`,
      { $lt: account.version },
      {
        $set: {
          accountId: account.accountId,
          currency: account.currency,
          drift: Long.fromNumber(drift),
          version: account.version,
        },
      } as never,
      { upsert: true },
    );
  }

  async account(accountId: string): Promise<AccountDoc | undefined> {
    const raw = await this.accounts.findOne({ _id: accountId });
    return raw ? AccountDocSchema.parse(raw) : undefined;
  }

  /**
   * The account document, and whether it was written in an earlier layout of the read model
   * (then what this layout adds, such as history buckets or the ledger postings, is missing and
   * the projector rebuilds the account from the log). `kept`: the copy this process last wrote,
   * not read: good for attempting a write (`advanceAccount`), not for concluding there is
   * nothing to write (then `forgetKept` and read again).
   */
  async accountForUpdate(accountId: string): Promise<{ doc: AccountDoc | undefined; legacy: boolean; kept: boolean }> {
    const copy = this.kept?.accounts.get(accountId);
    if (copy) return { doc: copy, legacy: false, kept: true };
    const raw = await this.accounts.findOne({ _id: accountId });
    if (!raw) return { doc: undefined, legacy: false, kept: false };
    const legacy = !('transitPostings' in raw) || (raw.layout ?? 1) < READ_MODEL_LAYOUT;
    const doc = AccountDocSchema.parse(raw);
    if (!legacy) this.kept?.accounts.set(accountId, doc);
    return { doc, legacy, kept: false };
  }

  /** Drops the kept copy of an account document: the next `accountForUpdate` reads it. */
  forgetKept(accountId: string): void {
    this.kept?.accounts.forget(accountId);
  }

  /**
   * Appends movements of one account (consecutive seqs, in order) to its history buckets, once:
   * each bucket remembers the last seq it holds, an append is conditional on it, and entries a
   * bucket already has (a run retried after a crash) are left out.
   */
  async appendHistory(accountId: string, entries: HistoryEntry[]): Promise<void> {
    for (const part of runsBy(entries, (e) => historyBucketOf(e.seq)))
      await this.appendToBucket(accountId, historyBucketOf(part[0]!.seq), part);
  }

  private async appendToBucket(accountId: string, bucket: number, entries: HistoryEntry[]): Promise<void> {
    const _id = historyBucketId(accountId, bucket);
    await this.writeFromKept<HistoryBucketDoc, KeptBucket>(this.kept?.buckets, this.history, _id, (stored) => {
      const has = stored ? stored.version : bucket * HISTORY_BUCKET_SIZE;
      // Entries the bucket already has are of a run retried after a crash: left out.
      const pending = entries.filter((e) => e.seq > has);
      if (pending.length === 0) return undefined;
      const first = pending[0]!;
      const last = pending[pending.length - 1]!.seq;
      if (first.seq !== has + 1) throw new Error(`history bucket ${_id} ends at seq ${has}, not ${first.seq - 1}`);
      const entriesNow = (stored?.entries ?? '') + historyLines(pending);
      return stored
        ? { set: { version: last, entries: entriesNow } }
        : { insert: { _id, accountId, bucket, version: last, firstAt: first.occurredAt, entries: entriesNow } };
    });
  }

  /**
   * Brings one document that runs write (a history bucket, a month) up to date, conditional on
   * its version: from the kept copy if there is one, else, or when the copy turns out wrong or
   * says there is nothing to write, from the store. `change` says what to write over what is
   * stored: the fields to set, the whole document when there is none, or undefined for nothing.
   */
  private async writeFromKept<T extends Document & { _id: string; version: number }, K extends Partial<T>>(
    copies: KeptCopies<K> | undefined,
    collection: Collection<T>,
    _id: string,
    change: (stored: K | null) => { set: K } | { insert: T } | undefined,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const copy = attempt === 0 ? copies?.get(_id) : undefined;
      const stored = copy ?? ((await collection.findOne({ _id } as Filter<T>)) as K | null);
      let next: ReturnType<typeof change>;
      try {
        next = change(stored);
      } catch (err) {
        if (copy) continue;
        throw err;
      }
      if (!next) {
        if (copy) continue;
        return;
      }
      if ('insert' in next) {
        if ((await insertAllNew(collection, [next.insert])).size === 0) {
          copies?.set(_id, next.insert as unknown as K);
          return;
        }
        continue; // another writer created it meanwhile: read it again
      }
      const version = stored!.version!;
      const update = { $set: next.set } as unknown as UpdateFilter<T>;
      if (await guardedUpdate(this.guards, collection, _id, version, update, { knownVersion: version })) {
        copies?.set(_id, next.set);
        return;
      }
      copies?.forget(_id);
    }
  }

  /**
   * Writes the documents of accounts this read model does not have yet, in one insert per
   * collection (a message or a rebuild batch that opens them): history buckets and days first,
   * account documents last, as the per-account path does. A document that already exists is left
   * as it is, and its account is not written here: some writer got there first (the live path
   * meanwhile, or a run that died before writing the account document), so its documents may
   * hold only part of the account's movements. Returns those accounts; the caller brings them up
   * to date through the per-account path, which is idempotent.
   */
  async insertNewAccounts(fresh: FreshAccount[]): Promise<Set<string>> {
    const buckets = fresh.flatMap((a) => bucketsOf(a.accountId, a.entries));
    const days = fresh.flatMap((a) => monthsOf(a.days));
    const taken = new Set<string>();
    for (const i of await insertAllNew(this.history, buckets)) taken.add(buckets[i]!.accountId);
    for (const i of await insertAllNew(this.dailyBalances, days)) taken.add(days[i]!.accountId);
    const accounts = fresh.filter((a) => !taken.has(a.accountId)).map((a) => toLongs(a.account));
    for (const i of await insertAllNew(this.accounts, accounts)) taken.add(accounts[i]!._id);
    // What the accounts written here look like now, for their next runs.
    for (const a of fresh.filter((f) => !taken.has(f.accountId))) this.kept?.accounts.set(a.accountId, a.account);
    for (const b of buckets.filter((d) => !taken.has(d.accountId))) this.kept?.buckets.set(b._id, b);
    for (const m of days.filter((d) => !taken.has(d.accountId))) this.kept?.months.set(m._id, m);
    return taken;
  }

  /**
   * Adds movements (of one account, in version order) to their days, once. A day lives in its
   * month's document, which remembers the last version it applied: movements at or below it are
   * left out (a redelivery, or a run retried after a crash), and each write is conditional on the
   * version read, as history buckets are. Before the first movement of a month, the months since
   * the account's previous movement (or its opening) that have none get their documents, without
   * days (`quietMonthsBefore`), so every month from the opening to the latest movement has one.
   */
  async addToDays(movements: DailyMovement[]): Promise<void> {
    for (const run of runsBy(movements, (m) => monthOf(m.date))) {
      const first = run[0]!;
      const quiet = quietMonthsBefore(first);
      if (quiet.length > 0)
        await insertAllNew(
          this.dailyBalances,
          quiet.map((month) => emptyMonth(first, month)),
        );
      await this.addToMonth(run);
    }
  }

  private async addToMonth(run: DailyMovement[]): Promise<void> {
    const _id = dailyBalancesMonthId(run[0]!.accountId, monthOf(run[0]!.date));
    await this.writeFromKept<DailyBalancesMonthDoc, KeptMonth>(this.kept?.months, this.dailyBalances, _id, (stored) => {
      const pending = run.filter((m) => m.version > (stored?.version ?? 0));
      if (pending.length === 0) return undefined;
      if (!stored) return { insert: monthOfMovements(pending) };
      const days = monthDaysText(addedTo(daysOfMonth(stored), pending).values());
      return { set: { version: pending.at(-1)!.version, days } };
    });
  }

  /**
   * Moves the account document from `fromVersion` to `doc.version`. Returns false if another
   * writer got there first (the caller re-reads and decides again).
   */
  async advanceAccount(fromVersion: number, doc: AccountDoc): Promise<boolean> {
    const advanced = await this.writeAccount(fromVersion, doc);
    if (advanced) this.kept?.accounts.set(doc._id, doc);
    else this.kept?.accounts.forget(doc._id);
    return advanced;
  }

  private async writeAccount(fromVersion: number, doc: AccountDoc): Promise<boolean> {
    if (fromVersion === 0) {
      try {
        await this.accounts.insertOne(toLongs(doc));
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    }
    const { _id, ...fields } = toLongs(doc);
    // The caller read the document at `fromVersion` at the start of its run (or kept it).
    return guardedUpdate(this.guards, this.accounts, _id, fromVersion, { $set: fields } as never, {
      knownVersion: fromVersion,
    });
  }
}

/** What a run needs of a history bucket or a month to write it again. */
type KeptBucket = Pick<HistoryBucketDoc, 'version' | 'entries'>;
type KeptMonth = Pick<DailyBalancesMonthDoc, 'version' | 'days'>;

/** What the rebuild writes for an account new to this read model (see `insertNewAccounts`). */
export type FreshAccount = {
  accountId: string;
  account: AccountDoc;
  entries: HistoryEntry[];
  days: DailyMovement[];
};

/** Inserts every document that is not there yet; returns the indexes of those that were. */
async function insertAllNew<T extends Document>(collection: Collection<T>, docs: T[]): Promise<Set<number>> {
  if (docs.length === 0) return new Set();
  try {
    await collection.insertMany(docs as OptionalUnlessRequiredId<T>[], { ordered: false });
    return new Set();
  } catch (err) {
    if (!(err instanceof MongoBulkWriteError)) throw err;
    const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    if (!errors.every((e) => e.code === 11000)) throw err;
    return new Set(errors.map((e) => e.index));
  }
}

/** History buckets of a new account's entries (seq 1 on), as appends would have left them. */
function bucketsOf(accountId: string, entries: HistoryEntry[]): HistoryBucketDoc[] {
  return runsBy(entries, (e) => historyBucketOf(e.seq)).map((part) => {
    const bucket = historyBucketOf(part[0]!.seq);
    return {
      _id: historyBucketId(accountId, bucket),
      accountId,
      bucket,
      version: part[part.length - 1]!.seq,
      firstAt: part[0]!.occurredAt,
      entries: historyLines(part),
    };
  });
}

/** Consecutive items with the same key, in order. */
function runsBy<T>(items: T[], key: (item: T) => string | number): T[][] {
  const out: T[][] = [];
  for (const item of items) {
    const run = out[out.length - 1];
    if (run && key(run[0]!) === key(item)) run.push(item);
    else out.push([item]);
  }
  return out;
}

/**
 * Month documents of a new account's movements (in version order), as `addToDays` would have left
 * them: the months without movements since the opening too, each day's sums and closing balance,
 * and the version of the month's last movement (a day that comes round again, if the clock went
 * back, adds to the same day).
 */
function monthsOf(movements: DailyMovement[]): DailyBalancesMonthDoc[] {
  const byMonth = new Map<string, DailyMovement[]>();
  for (const m of movements) {
    const month = monthOf(m.date);
    const ofMonth = byMonth.get(month);
    if (ofMonth) ofMonth.push(m);
    else byMonth.set(month, [m]);
  }
  const months = new Map<string, DailyBalancesMonthDoc>();
  for (const [month, ofMonth] of byMonth) {
    const first = ofMonth[0]!;
    for (const gap of quietMonthsBefore(first)) {
      if (!months.has(gap) && !byMonth.has(gap)) months.set(gap, emptyMonth(first, gap));
    }
    months.set(month, monthOfMovements(ofMonth));
  }
  return [...months.values()];
}

/** The document of the month of `movements` (all of one month, in version order) holding just them. */
function monthOfMovements(movements: DailyMovement[]): DailyBalancesMonthDoc {
  return {
    ...emptyMonth(movements[0]!, monthOf(movements[0]!.date)),
    days: monthDaysText(addedTo(new Map(), movements).values()),
    version: movements.at(-1)!.version,
  };
}

/** `days` with movements (in version order) added; a day not there yet goes last. */
function addedTo(days: Map<string, DayTotals>, movements: DailyMovement[]): Map<string, DayTotals> {
  for (const m of movements) {
    const day = days.get(m.date);
    days.set(m.date, {
      date: m.date,
      closingBalance: m.balanceAfter,
      credits: (day?.credits ?? 0) + m.credit,
      debits: (day?.debits ?? 0) + m.debit,
      transactionCount: (day?.transactionCount ?? 0) + 1,
    });
  }
  return days;
}

/** The months before `m`'s, since the account's previous movement (or its opening), that had none. */
function quietMonthsBefore(m: DailyMovement): string[] {
  return monthsBetween(m.firstQuietMonth, monthOf(m.date)).slice(0, -1);
}

/** The document of a month without movements before `m`'s: the balance `m` starts from, no days. */
function emptyMonth(m: DailyMovement, month: string): DailyBalancesMonthDoc {
  return toLongs({
    _id: dailyBalancesMonthId(m.accountId, month),
    accountId: m.accountId,
    days: '',
    month,
    openingBalance: m.balanceBefore,
    version: 0,
  });
}

/**
 * A transfer document as stored: money as int64, and a null description left out (the schema
 * reads a missing one as null), so an insert and an update of it store the same fields.
 */
function transferToStore<T extends TransferDoc>(doc: T): T {
  const stored = toLongs(doc);
  if (stored.description === null) delete (stored as Partial<TransferDoc>).description;
  return stored;
}

function toLongs<T extends object>(doc: T): T {
  const out = { ...doc } as Record<string, unknown>;
  for (const f of MONEY_FIELDS) {
    if (typeof out[f] === 'number') out[f] = Long.fromNumber(out[f] as number);
  }
  return out as T;
}

function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}
