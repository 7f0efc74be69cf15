import { z } from 'zod';
import { AccountStatusSchema, AccountTypeSchema, CurrencySchema } from '@bank/domain';

/**
 * The documents of the MongoDB read model: written by projections, read by query-api, which
 * parses them on the way out. Money fields are integer minor units (stored as BSON int64, read
 * back as numbers).
 */
export const READ_MODEL_COLLECTIONS = {
  accounts: 'accounts',
  history: 'history',
  dailyBalances: 'daily_balances',
  transfers: 'transfers',
  books: 'books',
} as const;

/**
 * The read model exists in generations: a rebuild projects the whole log into a fresh set of
 * collections and then switches the live pointer to it. Generation 0 uses the registry's names
 * as they are (so a read model written before generations existed is generation 0); generation
 * n > 0 suffixes every name with `_g{n}`. Only collections of the registry have generations:
 * asking for any other name is a bug (it would be left out of rebuilds), so it throws.
 */
export function generationCollection(name: string, generation: number): string {
  if (!allReadModelCollections().includes(name)) {
    throw new Error(`collection ${name} is not in READ_MODEL_COLLECTIONS; a rebuild would leave it out`);
  }
  return generation === 0 ? name : `${name}_g${generation}`;
}

/**
 * Collections earlier layouts of the read model had: dropped with their generation, never written.
 * (`transactions` held one document per movement; `history` replaced it.)
 */
export const RETIRED_READ_MODEL_COLLECTIONS = ['transactions'] as const;

/** The registry's names and the retired ones: what a generation may have in the database. */
export function allReadModelCollections(): string[] {
  return [...Object.values(READ_MODEL_COLLECTIONS), ...RETIRED_READ_MODEL_COLLECTIONS];
}

/** Every collection name of one generation. */
export function generationCollections(generation: number): string[] {
  return Object.values(READ_MODEL_COLLECTIONS).map((name) => generationCollection(name, generation));
}

/** Where the read model keeps which generation is live, the rebuild lock and lag checkpoints. */
export const READ_MODEL_META_COLLECTION = 'read_model_meta';
/** `_id` of the document naming the live generation (absent: generation 0). */
export const LIVE_POINTER_ID = 'live';
export const LivePointerSchema = z.object({
  _id: z.literal(LIVE_POINTER_ID),
  generation: z.number().int().nonnegative(),
  switchedAt: z.string(),
});
export type LivePointer = z.infer<typeof LivePointerSchema>;

const Minor = z.number().int().refine(Number.isSafeInteger, 'must be a safe integer');

/**
 * The layout account documents are written in. A document of an earlier layout (its `layout` is
 * missing or lower) lacks something this one has, such as its history buckets: the projector
 * re-projects such an account from the log on its next event, and a rebuild rewrites them all.
 * Layout 2 added the history buckets; layout 3 keeps daily balances in one document per month.
 */
export const READ_MODEL_LAYOUT = 3;

export const AccountDocSchema = z.object({
  _id: z.string(),
  layout: z.number().int().positive().optional(),
  accountId: z.string(),
  ownerId: z.string(),
  ownerName: z.string(),
  type: AccountTypeSchema,
  currency: CurrencySchema,
  status: AccountStatusSchema,
  balance: Minor,
  overdraftLimit: Minor,
  version: z.number().int().positive(),
  openedAt: z.string(),
  updatedAt: z.string(),
  // Running totals for the summary; documents written before they existed read as zero.
  totalDeposits: Minor.default(0),
  totalWithdrawals: Minor.default(0),
  totalTransfersIn: Minor.default(0),
  totalTransfersOut: Minor.default(0),
  transactionCount: z.number().int().nonnegative().default(0),
  firstTransactionAt: z
    .string()
    .nullish()
    .transform((d) => d ?? null),
  lastTransactionAt: z
    .string()
    .nullish()
    .transform((d) => d ?? null),
  /**
   * The other side of this account's movements in the double-entry books: what they posted to
   * the external clearing account (deposits -, withdrawals +) and to the transit account
   * (transfer debits +, credits and refunds -). balance + clearingPostings + transitPostings
   * is zero for every account whose balance agrees with its movements.
   */
  clearingPostings: Minor.default(0),
  transitPostings: Minor.default(0),
});
export type AccountDoc = z.infer<typeof AccountDocSchema>;

export const TRANSACTION_TYPES = ['DEPOSIT', 'WITHDRAWAL', 'TRANSFER_IN', 'TRANSFER_OUT', 'TRANSFER_REFUND'] as const;

/**
 * One money movement of an account, as its history shows it. `seq` numbers an account's
 * movements 1, 2, 3, ... (its `transactionCount` after the movement); `version` is the event's
 * version in the account's stream (other events, such as freezes, also take versions).
 */
export const HistoryEntrySchema = z.object({
  seq: z.number().int().positive(),
  transactionId: z.string(),
  type: z.enum(TRANSACTION_TYPES),
  amount: Minor,
  balanceAfter: Minor,
  transferId: z.string().optional(),
  counterpartyAccountId: z.string().optional(),
  // FerretDB leaves out fields stored as null.
  description: z
    .string()
    .nullish()
    .transform((d) => d ?? null),
  occurredAt: z.string(),
  version: z.number().int().positive(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/**
 * An account's history is kept in buckets (MongoDB's bucket pattern), so that a page of it is a
 * read of one or two documents by `_id` on any MongoDB-wire server, however long the history:
 * bucket n of an account holds its movements seq n*SIZE+1 .. (n+1)*SIZE, in order.
 */
export const HISTORY_BUCKET_SIZE = 64;

export function historyBucketOf(seq: number): number {
  return Math.floor((seq - 1) / HISTORY_BUCKET_SIZE);
}

export function historyBucketId(accountId: string, bucket: number): string {
  return `${accountId}:${bucket}`;
}

export const HistoryBucketDocSchema = z.object({
  _id: z.string(),
  accountId: z.string(),
  bucket: z.number().int().nonnegative(),
  /** The last seq the bucket holds: appends are conditional on it, which makes them idempotent. */
  version: z.number().int().positive(),
  /** occurredAt of the bucket's first movement: what a time-range read seeks by. */
  firstAt: z.string(),
  /**
   * The entries, one JSON object per line (see `historyLines`). A string rather than an array of
   * documents: FerretDB 1.x converts every field of every nested document on each read, which
   * made reading a bucket of 32 entries cost 4.5 times the CPU of reading a small document;
   * as one string it costs the same (measured in docs/performance.md). Money in it is exact:
   * integer minor units, all within 2^53.
   */
  entries: z.string(),
});
export type HistoryBucketDoc = z.infer<typeof HistoryBucketDocSchema>;

/** Entries as a bucket stores them: each one a line of JSON, so appending is concatenating. */
export function historyLines(entries: HistoryEntry[]): string {
  return entries.map((e) => `${JSON.stringify(e)}\n`).join('');
}

/** The entries a bucket holds, checked. */
export function historyEntriesOf(bucket: Pick<HistoryBucketDoc, 'entries'>): HistoryEntry[] {
  return bucket.entries
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => HistoryEntrySchema.parse(JSON.parse(line)));
}

/** What one UTC day's movements did to an account (its opening balance is the balance carried into it). */
export const DayTotalsSchema = z.object({
  date: z.string(),
  closingBalance: Minor,
  credits: Minor,
  debits: Minor,
  transactionCount: z.number().int().positive(),
});
export type DayTotals = z.infer<typeof DayTotalsSchema>;

/**
 * One account's days of one UTC month, `_id` `<accountId>:<YYYY-MM>`. Every month from the
 * account's opening to its latest movement has one (a month without movements has no days), so
 * a range of days reads the documents of its months by `_id` and nothing else, however long the
 * account's history: see `dailyBalancesOf`. The days are one string of JSON lines, as history
 * entries are (FerretDB reads a month of nested day documents at 3 times the CPU of a string).
 */
export const DailyBalancesMonthDocSchema = z.object({
  _id: z.string(),
  accountId: z.string(),
  /** The days with movements, one `DayTotals` as JSON a line, in the order they first moved. */
  days: z.string(),
  /** YYYY-MM, UTC */
  month: z.string(),
  /** The balance when the month began: the one its first movement started from. */
  openingBalance: Minor,
  /** The last account event applied to this month (0 for a month without movements): makes writes idempotent. */
  version: z.number().int().nonnegative(),
});
export type DailyBalancesMonthDoc = z.infer<typeof DailyBalancesMonthDocSchema>;

/** The days a month document holds, checked, by date. */
export function daysOfMonth(doc: Pick<DailyBalancesMonthDoc, 'days'>): Map<string, DayTotals> {
  return new Map(
    doc.days
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => DayTotalsSchema.parse(JSON.parse(line)))
      .map((d) => [d.date, d]),
  );
}

/** The `days` string of a month document. */
export function monthDaysText(days: Iterable<DayTotals>): string {
  return [...days]
    .map(({ date, closingBalance, credits, debits, transactionCount }) =>
      JSON.stringify({ date, closingBalance, credits, debits, transactionCount }),
    )
    .join('\n');
}

export const dailyBalancesMonthId = (accountId: string, month: string): string => `${accountId}:${month}`;

/** YYYY-MM of a YYYY-MM-DD day (or of an ISO timestamp). */
export const monthOf = (day: string): string => day.slice(0, 7);

/** The month (YYYY-MM) after `month`. */
export function monthAfter(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${String(y + 1).padStart(4, '0')}-01` : `${month.slice(0, 5)}${String(m + 1).padStart(2, '0')}`;
}

/** The months from `from` to `to` (YYYY-MM), both included, in order. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let [y, m] = from.split('-').map(Number) as [number, number]; ;) {
    const month = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
    if (month > to) return out;
    out.push(month);
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
}

/** One day of an account's daily balances, in minor units. */
export type DailyBalance = {
  date: string;
  openingBalance: number;
  closingBalance: number;
  credits: number;
  debits: number;
  transactionCount: number;
};

/**
 * Every day from `start` to `end` (YYYY-MM-DD, both included), from the month documents of those
 * days (`months[i]` is the document of `monthsBetween(monthOf(start), monthOf(end))[i]`, or
 * undefined where there is none) and the account's latest balance. A day without movements
 * carries the balance. The balance `start` opens with is the closing balance of the last day
 * before it in its month, or else the opening balance of the first month that has a document;
 * with no document at all the range lies after the account's last movement, so it is the latest
 * balance.
 */
export function dailyBalancesOf(
  months: ReadonlyArray<DailyBalancesMonthDoc | undefined>,
  start: string,
  end: string,
  latestBalance: number,
): DailyBalance[] {
  const byMonth = new Map(months.flatMap((m) => (m ? [[m.month, { ...m, days: daysOfMonth(m) }] as const] : [])));
  const first = byMonth.values().next().value;
  const earlier = first ? [...first.days.keys()].filter((d) => d < start).sort() : [];
  let carried = !first
    ? latestBalance
    : earlier.length > 0
      ? first.days.get(earlier[earlier.length - 1]!)!.closingBalance
      : first.openingBalance;
  const out: DailyBalance[] = [];
  for (let day = start; day <= end; day = nextDay(day)) {
    const d = byMonth.get(monthOf(day))?.days.get(day);
    out.push({
      date: day,
      openingBalance: carried,
      closingBalance: d ? d.closingBalance : carried,
      credits: d ? d.credits : 0,
      debits: d ? d.debits : 0,
      transactionCount: d ? d.transactionCount : 0,
    });
    if (d) carried = d.closingBalance;
  }
  return out;
}

/** The UTC day after a YYYY-MM-DD day. */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** A transfer as its source account's events tell it: debited (PENDING), then settled or refunded. */
export const TransferDocSchema = z.object({
  _id: z.string(),
  transferId: z.string(),
  fromAccountId: z.string(),
  toAccountId: z.string(),
  amount: Minor,
  currency: CurrencySchema,
  status: z.enum(['PENDING', 'COMPLETED', 'FAILED']),
  failureCode: z.string().optional(),
  description: z
    .string()
    .nullish()
    .transform((d) => d ?? null),
  createdAt: z.string(),
  completedAt: z.string().optional(),
  /** The version of the transfer's own stream the document has applied (absent on documents of earlier versions of the app). */
  version: z.number().int().positive().optional(),
});
export type TransferDoc = z.infer<typeof TransferDocSchema>;

/**
 * The double-entry books, kept in the `books` collection so the trial balance reads two small
 * things instead of every account (docs/read-model.md, "The books"):
 *
 *   - one totals document, `_id: 'totals'`: for each currency, what every movement of the log up
 *     to transaction `tx` posted to the customer accounts, to the external clearing account and
 *     to the transit account (decimal strings of minor units: sums are not bounded by 2^53).
 *     It is folded from the log in log order, each transaction exactly once;
 *   - one document per account whose recorded balance ever disagreed with its own movements
 *     (`_id: 'drift:<account id>'`): the difference, as of the account's `version`. There are
 *     none while the books are right;
 *   - the rankings of accounts by balance (`RankingDoc`, `_id: 'top:<currency>'`).
 */
export const BOOKS_TOTALS_ID = 'totals';
export const DRIFT_ID_PREFIX = 'drift:';
const MinorSum = z.string().regex(/^-?\d+$/, 'must be an integer in minor units');
export const BookSidesSchema = z.object({ customer: MinorSum, external: MinorSum, transit: MinorSum });
export type BookSides = z.infer<typeof BookSidesSchema>;
export const BooksTotalsDocSchema = z.object({
  _id: z.literal(BOOKS_TOTALS_ID),
  tx: z.number().int().nonnegative(),
  currencies: z.record(z.string(), BookSidesSchema),
});
export type BooksTotalsDoc = z.infer<typeof BooksTotalsDocSchema>;
export const BalanceDriftDocSchema = z.object({
  _id: z.string(),
  accountId: z.string(),
  currency: CurrencySchema,
  /** balance - (what its movements posted to the customer side): zero when they agree. */
  drift: Minor,
  version: z.number().int().positive(),
});
export type BalanceDriftDoc = z.infer<typeof BalanceDriftDocSchema>;

/**
 * The ranking of one currency's accounts by balance, kept in the `books` collection as
 * `_id: 'top:<currency>'` (docs/read-model.md, "The books"): the TOP_ACCOUNTS_KEPT highest
 * balances, folded from the log in log order up to transaction `tx` (each movement records the
 * balance after it). Every account not listed has a balance of at most `floor` (null: every
 * account is listed), so the list is exact above the floor. Entries are one JSON string, highest
 * balance first, then by account id (FerretDB reads a string far faster than nested documents).
 */
export const TOP_ACCOUNTS_KEPT = 200;
export const RANKING_ID_PREFIX = 'top:';
export const RankedAccountSchema = z.object({ accountId: z.string(), ownerName: z.string(), balance: Minor });
export type RankedAccount = z.infer<typeof RankedAccountSchema>;
export const RankingDocSchema = z.object({
  _id: z.string().startsWith(RANKING_ID_PREFIX),
  tx: z.number().int().nonnegative(),
  floor: Minor.nullable(),
  entries: z.string(),
});
export type RankingDoc = z.infer<typeof RankingDocSchema>;

/** Ranked highest first, ties by account id: the order of the top-accounts report. */
export function byRank(a: RankedAccount, b: RankedAccount): number {
  return b.balance - a.balance || (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0);
}

/** The `n` highest balances, or undefined when the ranking cannot tell them (fewer than `n` above its floor). */
export function topOfRanking(doc: RankingDoc, n: number): RankedAccount[] | undefined {
  const entries = z.array(RankedAccountSchema).parse(JSON.parse(doc.entries));
  if (doc.floor === null) return entries.slice(0, n);
  const nth = entries[n - 1];
  return nth && nth.balance > doc.floor ? entries.slice(0, n) : undefined;
}
