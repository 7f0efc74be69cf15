/**
 * Pages of an account's history, read from its history buckets (see `HistoryBucketDocSchema`):
 * every read is a document by `_id`, so a page costs the same at 100 and at 100 000 movements.
 *
 *   - No filter: the page's seqs are known from the cursor, so exactly the buckets that hold them
 *     are read, at once (one or two for a page of 50).
 *   - A time range seeks its starting end over the buckets' first instants (interpolation and
 *     bisection: a few reads of one small field for an evenly spread history, at most about
 *     2 log2(movements / HISTORY_BUCKET_SIZE)), then reads forward from there.
 *   - Type and amount filters are checked on the entries read: a request reads at most
 *     MAX_SCANNED_BUCKETS buckets; if the page is not full by then, it ends early with a cursor
 *     that continues the scan (a page may then hold fewer items than `limit`, even none).
 *
 * Seeking by time assumes an account's movements are recorded in time order, as its actor
 * records them one at a time (balance-at makes the same assumption of the log).
 */
import {
  HISTORY_BUCKET_SIZE,
  historyBucketId,
  historyBucketOf,
  HistoryBucketDocSchema,
  historyEntriesOf,
  type HistoryBucketDoc,
  type HistoryEntry,
} from '@bank/contracts';
import type { Collection } from 'mongodb';

/** Buckets one filtered request reads at most (1 024 movements). */
export const MAX_SCANNED_BUCKETS = 16;
/** Buckets read at once while scanning with a filter. */
const SCAN_CHUNK = 4;

export type HistoryQuery = {
  order: 'asc' | 'desc';
  limit: number;
  /** The seq the previous page ended at (from its cursor). */
  after?: number;
  from?: string;
  to?: string;
  type?: HistoryEntry['type'];
  minAmount?: number;
  maxAmount?: number;
  /** Seek hints; without them a time range is sought by bisection alone. */
  span?: HistorySpan;
};

export type HistoryPage = { items: HistoryEntry[]; nextAfter: number | null };

/** Where the buckets come from: a collection in the service, a plain map in a unit test. */
export type BucketReader = {
  /** The entries of each bucket asked for (a bucket that does not exist is missing from the map). */
  entries(buckets: number[]): Promise<Map<number, HistoryEntry[]>>;
  /** When the bucket's first movement occurred. */
  firstAt(bucket: number): Promise<string | undefined>;
};

/**
 * History buckets only grow: the entries a bucket holds never change (a retried run adds only
 * what is missing, and a rebuild writes a new generation, whose collection has another name). So
 * the entries read are kept in memory, checked and parsed, the least recently used dropped first,
 * at most `maxEntries` in all, and a bucket is read again only when a page needs a movement it did
 * not hold yet. A page of an account that has not moved since its buckets were read, or of an old
 * part of a long history, then reads only the account document.
 */
export class BucketCache {
  private readonly byKey = new Map<string, HistoryEntry[]>();
  private entries = 0;

  constructor(private readonly maxEntries = 100_000) {}

  /** The bucket's entries if they run at least to seq `through`. */
  get(key: string, through: number): HistoryEntry[] | undefined {
    const found = this.byKey.get(key);
    if (!found || found[found.length - 1]!.seq < through) return undefined;
    this.byKey.delete(key); // most recently used last
    this.byKey.set(key, found);
    return found;
  }

  /** The first instant of a bucket seen (it never changes), if it was. */
  firstAt(key: string): string | undefined {
    return this.byKey.get(key)?.[0]?.occurredAt;
  }

  offer(key: string, entries: HistoryEntry[]): void {
    if (entries.length === 0) return;
    this.entries -= this.byKey.get(key)?.length ?? 0;
    this.byKey.delete(key);
    this.byKey.set(key, entries);
    this.entries += entries.length;
    for (const [oldest, dropped] of this.byKey) {
      if (this.entries <= this.maxEntries) break;
      this.byKey.delete(oldest);
      this.entries -= dropped.length;
    }
  }

  get size(): number {
    return this.byKey.size;
  }
}

type BucketSource = Pick<Collection<HistoryBucketDoc>, 'collectionName' | 'findOne'>;

/**
 * The buckets of an account whose document says it has `count` movements, read through `cache`
 * when there is one.
 */
export function bucketsOf(history: BucketSource, accountId: string, count: number, cache?: BucketCache): BucketReader {
  const keyOf = (bucket: number) => `${history.collectionName}/${historyBucketId(accountId, bucket)}`;
  return {
    async entries(buckets) {
      const out = new Map<number, HistoryEntry[]>();
      const missing = buckets.filter((b) => {
        const cached = cache?.get(keyOf(b), Math.min(count, (b + 1) * HISTORY_BUCKET_SIZE));
        if (cached) out.set(b, cached);
        return !cached;
      });
      const docs = await Promise.all(missing.map((b) => history.findOne({ _id: historyBucketId(accountId, b) })));
      for (const raw of docs) {
        if (!raw) continue;
        const doc = HistoryBucketDocSchema.parse(raw);
        const entries = historyEntriesOf(doc);
        cache?.offer(keyOf(doc.bucket), entries);
        out.set(doc.bucket, entries);
      }
      return out;
    },
    async firstAt(bucket) {
      const cached = cache?.firstAt(keyOf(bucket));
      if (cached) return cached;
      const raw = await history.findOne({ _id: historyBucketId(accountId, bucket) }, { projection: { firstAt: 1 } });
      return typeof raw?.firstAt === 'string' ? raw.firstAt : undefined;
    },
  };
}

/**
 * One page of the movements 1..`count` (the account document's `transactionCount`: entries a
 * bucket holds beyond it belong to a run whose account write has not landed yet, and are not
 * shown, so a page never runs ahead of the account it was read with).
 */
export async function historyPage(reader: BucketReader, count: number, q: HistoryQuery): Promise<HistoryPage> {
  const desc = q.order === 'desc';
  let lo = 1;
  let hi = count;
  if (q.after !== undefined) {
    if (desc) hi = Math.min(hi, q.after - 1);
    else lo = Math.max(lo, q.after + 1);
  }
  // Seek the end the scan starts from.
  if (desc && q.to !== undefined && lo <= hi) {
    const b = await lastBucketWhere(reader, q.to, false, historyBucketOf(lo), historyBucketOf(hi), q.span);
    hi = b === undefined ? lo - 1 : Math.min(hi, (b + 1) * HISTORY_BUCKET_SIZE);
  }
  if (!desc && q.from !== undefined && lo <= hi) {
    const b = await lastBucketWhere(reader, q.from, true, historyBucketOf(lo), historyBucketOf(hi), q.span);
    if (b !== undefined) lo = Math.max(lo, b * HISTORY_BUCKET_SIZE + 1);
  }
  if (lo > hi) return { items: [], nextAfter: null };

  const filtered =
    q.type !== undefined ||
    q.minAmount !== undefined ||
    q.maxAmount !== undefined ||
    q.from !== undefined ||
    q.to !== undefined;
  const matches = (e: HistoryEntry) =>
    (q.type === undefined || e.type === q.type) &&
    (q.minAmount === undefined || e.amount >= q.minAmount) &&
    (q.maxAmount === undefined || e.amount <= q.maxAmount) &&
    (q.from === undefined || e.occurredAt >= q.from) &&
    (q.to === undefined || e.occurredAt <= q.to);
  // Past the far end of the time range: nothing further in this direction can match.
  const beyond = (e: HistoryEntry) =>
    desc ? q.from !== undefined && e.occurredAt < q.from : q.to !== undefined && e.occurredAt > q.to;

  const end = desc ? lo : hi;
  const first = historyBucketOf(desc ? hi : lo);
  const last = historyBucketOf(desc ? lo : hi);
  const step = desc ? -1 : 1;
  const total = Math.abs(last - first) + 1;
  // Without a filter, the page is the next `limit` seqs: exactly the buckets that hold them.
  const wanted = filtered
    ? Math.min(total, MAX_SCANNED_BUCKETS)
    : Math.min(total, bucketsSpanned(desc ? hi : lo, q.limit, desc));
  const chunk = filtered ? SCAN_CHUNK : wanted;

  const items: HistoryEntry[] = [];
  let scannedTo: number | undefined;
  for (let read = 0; read < wanted; read += chunk) {
    const buckets = Array.from({ length: Math.min(chunk, wanted - read) }, (_, i) => first + step * (read + i));
    const found = await reader.entries(buckets);
    for (const b of buckets) {
      const entries = found.get(b);
      if (!entries) throw new Error(`history bucket ${b} is missing`);
      const inRange = entries.filter((e) => e.seq >= lo && e.seq <= hi);
      if (desc) inRange.reverse();
      for (const e of inRange) {
        if (beyond(e)) return { items, nextAfter: null };
        if (!matches(e)) continue;
        if (items.length === q.limit) return { items, nextAfter: items[items.length - 1]!.seq };
        items.push(e);
        // Unfiltered, whether another page follows is known from the seqs alone.
        if (!filtered && items.length === q.limit) return { items, nextAfter: e.seq === end ? null : e.seq };
      }
      scannedTo = desc ? Math.max(lo, b * HISTORY_BUCKET_SIZE + 1) : Math.min(hi, (b + 1) * HISTORY_BUCKET_SIZE);
    }
  }
  // The scan stopped at its cap (or at the page's known end) before the range ended.
  const ended = scannedTo === undefined || scannedTo === end;
  return { items, nextAfter: ended ? null : scannedTo! };
}

/** How many buckets `n` consecutive seqs starting at `seq` (going down if `desc`) reach. */
function bucketsSpanned(seq: number, n: number, desc: boolean): number {
  const end = desc ? Math.max(1, seq - n + 1) : seq + n - 1;
  return Math.abs(historyBucketOf(end) - historyBucketOf(seq)) + 1;
}

/** The first and last instants of the account's movements (from its document): seek hints. */
export type HistorySpan = { first: string | null; last: string | null };

/**
 * The last bucket in [lo, hi] whose first movement is at or before `t` (before it, if `strict`),
 * or undefined if none. Buckets start in time order, so the condition holds up to some bucket,
 * then no more: that bucket is found by probing. Probes alternate
 * between interpolation (where t falls between the instants known to bound the range: the
 * account's first and last movement, then the probes') and bisection, so an evenly spread
 * history takes a few reads and any history at most about 2 log2(buckets).
 */
async function lastBucketWhere(
  reader: BucketReader,
  t: string,
  strict: boolean,
  lo: number,
  hi: number,
  span?: HistorySpan,
): Promise<number | undefined> {
  const target = Date.parse(t);
  const holds = (at: number) => (strict ? at < target : at <= target);
  // Known bounds on the first instants of buckets lo and hi (lower, upper), when there are any.
  let atLo = lo === 0 && span?.first ? Date.parse(span.first) : undefined;
  let atHi = span?.last ? Date.parse(span.last) : undefined;
  let found: number | undefined;
  for (let step = 0; lo <= hi; step++) {
    let mid = Math.floor((lo + hi) / 2);
    if (step % 2 === 0 && atLo !== undefined && atHi !== undefined && atHi > atLo) {
      const share = Math.min(1, Math.max(0, (target - atLo) / (atHi - atLo)));
      mid = lo + Math.floor(share * (hi - lo));
    }
    const firstAt = await reader.firstAt(mid);
    if (firstAt === undefined) throw new Error(`history bucket ${mid} is missing`);
    const at = Date.parse(firstAt);
    if (holds(at)) {
      found = mid;
      lo = mid + 1;
      atLo = at;
    } else {
      hi = mid - 1;
      atHi = at;
    }
  }
  return found;
}
