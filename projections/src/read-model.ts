import { Long, MongoBulkWriteError, MongoServerError, type Collection, type Db } from 'mongodb';
import {
  AccountDocSchema,
  READ_MODEL_COLLECTIONS,
  type AccountDoc,
  type DailyBalanceDoc,
  type TransactionDoc,
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
  readonly transactions: Collection<TransactionDoc>;
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
    this.transactions = db.collection<TransactionDoc>(READ_MODEL_COLLECTIONS.transactions);
    this.dailyBalances = db.collection<DailyBalanceDoc>(READ_MODEL_COLLECTIONS.dailyBalances);
    this.transfers = db.collection<TransferDoc>(READ_MODEL_COLLECTIONS.transfers);
  }

  /** One index per query pattern of the query API. */
  async ensureIndexes(): Promise<void> {
    await this.transactions.createIndex({ accountId: 1, version: -1 }, { name: 'account_version' });
    await this.accounts.createIndex({ ownerId: 1 }, { name: 'owner' });
    await this.accounts.createIndex({ status: 1 }, { name: 'status' });
    // Also serves the trial balance, which reads every account of a currency.
    await this.accounts.createIndex({ currency: 1, balance: -1 }, { name: 'currency_balance' });
    await this.dailyBalances.createIndex({ accountId: 1, date: 1 }, { name: 'account_date' });
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
   * The account document, and whether it was written before the summary totals or the ledger
   * postings existed (then they are unknown and the projector rebuilds it from the log).
   */
  async accountForUpdate(accountId: string): Promise<{ doc: AccountDoc | undefined; legacy: boolean }> {
    const raw = await this.accounts.findOne({ _id: accountId });
    if (!raw) return { doc: undefined, legacy: false };
    return { doc: AccountDocSchema.parse(raw), legacy: !('transitPostings' in raw) };
  }

  /** Idempotent: each transaction document is written once under its id (a repeat is a duplicate key). */
  async putTransactions(docs: TransactionDoc[]): Promise<void> {
    if (docs.length === 0) return;
    try {
      await this.transactions.insertMany(docs.map(toLongs), { ordered: false });
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError && err.writeErrors && onlyDuplicateKeys(err))) throw err;
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

function onlyDuplicateKeys(err: MongoBulkWriteError): boolean {
  const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
  return errors.every((e) => e.code === 11000);
}
