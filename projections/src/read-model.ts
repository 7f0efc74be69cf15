import { Long, MongoServerError, type Collection, type Db } from 'mongodb';
import {
  AccountDocSchema,
  HISTORY_BUCKET_SIZE,
  historyBucketId,
  historyBucketOf,
  historyLines,
  READ_MODEL_COLLECTIONS,
  READ_MODEL_LAYOUT,
  type AccountDoc,
  type DailyBalanceDoc,
  type HistoryBucketDoc,
  type HistoryEntry,
  type TransferDoc,
} from '@bank/domain';
import type { DailyMovement, TransferChange } from './account-projection';
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
] as const;

export class ReadModel {
  readonly accounts: Collection<AccountDoc>;
  readonly history: Collection<HistoryBucketDoc>;
  readonly dailyBalances: Collection<DailyBalanceDoc>;
  readonly transfers: Collection<TransferDoc>;

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
    this.dailyBalances = db.collection<DailyBalanceDoc>(READ_MODEL_COLLECTIONS.dailyBalances);
    this.transfers = db.collection<TransferDoc>(READ_MODEL_COLLECTIONS.transfers);
  }

  /** One index per query pattern of the query API (history is read by `_id` only). */
  async ensureIndexes(): Promise<void> {
    await this.accounts.createIndex({ ownerId: 1 }, { name: 'owner' });
    await this.accounts.createIndex({ status: 1 }, { name: 'status' });
    // Also serves the trial balance, which reads every account of a currency.
    await this.accounts.createIndex({ currency: 1, balance: -1 }, { name: 'currency_balance' });
    await this.dailyBalances.createIndex({ accountId: 1, date: 1 }, { name: 'account_date' });
  }

  /** Whether some account document is of an earlier layout (read once at start: a scan). */
  async hasEarlierLayout(): Promise<boolean> {
    return (await this.accounts.findOne({ layout: { $ne: READ_MODEL_LAYOUT } }, { projection: { _id: 1 } })) !== null;
  }

  /** The last version of the stream applied to this read model (0 when none). */
  async streamVersion(streamId: string): Promise<number> {
    const raw = await this.accounts.findOne({ _id: streamId }, { projection: { version: 1 } });
    return typeof raw?.version === 'number' ? raw.version : 0;
  }

  async account(accountId: string): Promise<AccountDoc | undefined> {
    return (await this.accountForUpdate(accountId)).doc;
  }

  /**
   * The account document, and whether it was written in an earlier layout of the read model
   * (then what this layout adds, such as history buckets or the ledger postings, is missing and
   * the projector rebuilds the account from the log).
   */
  async accountForUpdate(accountId: string): Promise<{ doc: AccountDoc | undefined; legacy: boolean }> {
    const raw = await this.accounts.findOne({ _id: accountId });
    if (!raw) return { doc: undefined, legacy: false };
    const legacy = !('transitPostings' in raw) || (raw.layout ?? 1) < READ_MODEL_LAYOUT;
    return { doc: AccountDocSchema.parse(raw), legacy };
  }

  /**
   * Appends movements of one account (consecutive seqs, in order) to its history buckets, once:
   * each bucket remembers the last seq it holds, an append is conditional on it, and entries a
   * bucket already has (a run retried after a crash) are left out.
   */
  async appendHistory(accountId: string, entries: HistoryEntry[]): Promise<void> {
    for (let i = 0; i < entries.length;) {
      const bucket = historyBucketOf(entries[i]!.seq);
      let j = i + 1;
      while (j < entries.length && historyBucketOf(entries[j]!.seq) === bucket) j++;
      await this.appendToBucket(accountId, bucket, entries.slice(i, j));
      i = j;
    }
  }

  private async appendToBucket(accountId: string, bucket: number, entries: HistoryEntry[]): Promise<void> {
    const _id = historyBucketId(accountId, bucket);
    for (;;) {
      const stored = await this.history.findOne({ _id });
      const has = stored ? stored.version : bucket * HISTORY_BUCKET_SIZE;
      // Entries the bucket already has are of a run retried after a crash: left out.
      const pending = entries.filter((e) => e.seq > has);
      if (pending.length === 0) return;
      const first = pending[0]!.seq;
      const last = pending[pending.length - 1]!.seq;
      if (first !== has + 1) throw new Error(`history bucket ${_id} ends at seq ${has}, not ${first - 1}`);
      if (!stored) {
        try {
          const lines = historyLines(pending);
          await this.history.insertOne({
            _id,
            accountId,
            bucket,
            version: last,
            firstAt: pending[0]!.occurredAt,
            entries: lines,
          });
          return;
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          continue; // another writer created it meanwhile: look again
        }
      }
      const update = { $set: { version: last, entries: stored.entries + historyLines(pending) } };
      if (await guardedUpdate(this.guards, this.history, _id, has, update, { knownVersion: has })) return;
    }
  }

  /**
   * Records what an event of the source account did to a transfer. Only the source account's
   * stream writes here, in order, so there is one writer per document; both writes are
   * idempotent (insert once; then set the end state).
   */
  async putTransfer(change: TransferChange): Promise<void> {
    if (change.kind === 'debited') {
      try {
        await this.transfers.updateOne(
          { _id: change.doc._id },
          { $setOnInsert: toLongs(change.doc) },
          { upsert: true },
        );
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      return;
    }
    const { transferId, kind: _kind, ...end } = change;
    await this.transfers.updateOne({ _id: transferId }, { $set: end });
  }

  /**
   * Adds movements (of one account, in version order) to their days, once. A day remembers the
   * last version it applied, so a repeat of the same events matches nothing and its upsert hits
   * the existing _id. Consecutive movements of one day go in one write; if that day already has
   * some of them (a run retried after a crash), they go in one by one instead.
   */
  async addToDays(movements: DailyMovement[]): Promise<void> {
    for (let i = 0; i < movements.length;) {
      let j = i + 1;
      while (j < movements.length && movements[j]!.date === movements[i]!.date) j++;
      const day = movements.slice(i, j);
      if (!(await this.addToDay(day)) && day.length > 1) for (const m of day) await this.addToDay([m]);
      i = j;
    }
  }

  /** Adds consecutive movements of one day unless the day has seen the first; false if it had. */
  private async addToDay(day: DailyMovement[]): Promise<boolean> {
    const first = day[0]!;
    const last = day[day.length - 1]!;
    const sum = (f: (m: DailyMovement) => number) => Long.fromNumber(day.reduce((s, m) => s + f(m), 0));
    // False when the day is at or past the first movement (or another writer created it meanwhile).
    return guardedUpdate(
      this.guards,
      this.dailyBalances,
      `${first.accountId}:${first.date}`,
      { $lt: first.version },
      {
        $setOnInsert: {
          accountId: first.accountId,
          date: first.date,
          openingBalance: Long.fromNumber(first.balanceBefore),
        },
        $inc: { credits: sum((m) => m.credit), debits: sum((m) => m.debit), transactionCount: day.length },
        $set: { closingBalance: Long.fromNumber(last.balanceAfter), version: last.version },
      } as never,
      { upsert: true },
    );
  }

  /**
   * Moves the account document from `fromVersion` to `doc.version`. Returns false if another
   * writer got there first (the caller re-reads and decides again).
   */
  async advanceAccount(fromVersion: number, doc: AccountDoc): Promise<boolean> {
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
    // The caller read the document at `fromVersion` at the start of its run.
    return guardedUpdate(this.guards, this.accounts, _id, fromVersion, { $set: fields } as never, {
      knownVersion: fromVersion,
    });
  }
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
