import {
  HISTORY_BUCKET_SIZE,
  historyBucketId,
  historyBucketOf,
  historyLines,
  TRANSACTION_TYPES,
  type HistoryEntry,
} from '@bank/contracts';
import {
  BucketCache,
  bucketsOf,
  historyPage,
  MAX_SCANNED_BUCKETS,
  type BucketReader,
  type HistoryQuery,
} from './history';

/** `n` movements, one a minute from 2026-01-01, types and amounts cycling. */
function movements(n: number): HistoryEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    seq: i + 1,
    transactionId: `t${i + 1}`,
    type: TRANSACTION_TYPES[(i * 7) % TRANSACTION_TYPES.length]!,
    amount: ((i * 37) % 1000) + 1,
    balanceAfter: i,
    description: null,
    occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    version: i + 2,
  }));
}

/** Buckets in memory, counting the documents read. */
function reader(entries: HistoryEntry[]) {
  const buckets = new Map<number, HistoryEntry[]>();
  for (const e of entries) {
    const b = historyBucketOf(e.seq);
    buckets.set(b, [...(buckets.get(b) ?? []), e]);
  }
  const reads = { docs: 0 };
  const source: BucketReader = {
    entries: async (ids) => {
      reads.docs += ids.length;
      return new Map(ids.flatMap((b) => (buckets.has(b) ? [[b, buckets.get(b)!] as const] : [])));
    },
    firstAt: async (b) => {
      reads.docs++;
      return buckets.get(b)?.[0]?.occurredAt;
    },
  };
  return { source, reads };
}

/** What the query means, by brute force over every movement. */
function expected(all: HistoryEntry[], count: number, q: Omit<HistoryQuery, 'limit' | 'after'>): number[] {
  const hits = all.filter(
    (e) =>
      e.seq <= count &&
      (q.type === undefined || e.type === q.type) &&
      (q.minAmount === undefined || e.amount >= q.minAmount) &&
      (q.maxAmount === undefined || e.amount <= q.maxAmount) &&
      (q.from === undefined || e.occurredAt >= q.from) &&
      (q.to === undefined || e.occurredAt <= q.to),
  );
  const seqs = hits.map((e) => e.seq);
  return q.order === 'desc' ? seqs.reverse() : seqs;
}

/** Every page, following the cursor to the end. */
async function allPages(source: BucketReader, count: number, q: Omit<HistoryQuery, 'after'>) {
  const seqs: number[] = [];
  const sizes: number[] = [];
  let after: number | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await historyPage(source, count, { ...q, after });
    seqs.push(...page.items.map((e) => e.seq));
    sizes.push(page.items.length);
    if (page.nextAfter === null) return { seqs, sizes };
    after = page.nextAfter;
  }
  throw new Error('the cursor never ended');
}

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1) + minute * 60_000).toISOString();

describe('history pages from buckets', () => {
  const all = movements(1_000);
  const { source } = reader(all);

  const queries: Array<Omit<HistoryQuery, 'after'>> = [
    { order: 'desc', limit: 50 },
    { order: 'asc', limit: 50 },
    { order: 'desc', limit: 1 },
    { order: 'asc', limit: 500 },
    { order: 'desc', limit: 7, type: 'TRANSFER_REFUND' },
    { order: 'asc', limit: 50, minAmount: 990 },
    { order: 'desc', limit: 20, minAmount: 100, maxAmount: 120, type: 'DEPOSIT' },
    { order: 'desc', limit: 50, from: at(100), to: at(250) },
    { order: 'asc', limit: 50, from: at(100), to: at(250) },
    { order: 'asc', limit: 10, from: at(998) },
    { order: 'desc', limit: 10, to: at(3) },
    { order: 'desc', limit: 10, from: at(5_000) },
    { order: 'asc', limit: 10, to: at(-1) },
    { order: 'asc', limit: 30, from: at(400), type: 'WITHDRAWAL' },
    { order: 'desc', limit: 50, minAmount: 2_000 },
  ];

  it.each(queries)('pages through exactly what the query selects: %o', async (q) => {
    for (const count of [0, 1, 63, 64, 65, 1_000]) {
      // With the account's first and last instants as seek hints, and without.
      const span = { first: all[0]!.occurredAt, last: all[Math.max(0, count - 1)]!.occurredAt };
      expect((await allPages(source, count, { ...q, span })).seqs).toEqual(expected(all, count, q));
      expect((await allPages(source, count, q)).seqs).toEqual(expected(all, count, q));
    }
  });

  it('seeks correctly in a history whose pace changes (bursts, then quiet months)', async () => {
    // 3 000 movements: 2 000 one second apart, then 1 000 one day apart.
    const uneven = movements(3_000).map((e, i) => ({
      ...e,
      occurredAt: new Date(
        Date.UTC(2026, 0, 1) + (i < 2_000 ? i * 1_000 : 2_000_000 + (i - 2_000) * 86_400_000),
      ).toISOString(),
    }));
    const { source: r } = reader(uneven);
    const span = { first: uneven[0]!.occurredAt, last: uneven[2_999]!.occurredAt };
    for (const k of [0, 5, 1_999, 2_000, 2_001, 2_500, 2_999]) {
      const q = { order: 'desc' as const, limit: 3, to: uneven[k]!.occurredAt, span };
      expect((await historyPage(r, 3_000, q)).items.map((e) => e.seq)).toEqual([k + 1, k, k - 1].filter((n) => n >= 1));
      const asc = { order: 'asc' as const, limit: 2, from: uneven[k]!.occurredAt, span };
      expect((await historyPage(r, 3_000, asc)).items.map((e) => e.seq)).toEqual(
        [k + 1, k + 2].filter((n) => n <= 3_000),
      );
    }
  });

  it('shows nothing beyond the account document (a bucket written ahead of it)', async () => {
    const page = await historyPage(source, 40, { order: 'desc', limit: 5 });
    expect(page.items.map((e) => e.seq)).toEqual([40, 39, 38, 37, 36]);
    expect(page.nextAfter).toBe(36);
  });

  it('ends a filtered page early, with a cursor, after reading its cap of buckets', async () => {
    const n = 3 * MAX_SCANNED_BUCKETS * HISTORY_BUCKET_SIZE - 5;
    const { source: long, reads } = reader(movements(n));
    const { sizes } = await allPages(long, n, { order: 'desc', limit: 50, minAmount: 2_000 });
    expect(sizes).toEqual([0, 0, 0]);
    expect(reads.docs).toBe(3 * MAX_SCANNED_BUCKETS);
  });
});

describe('what a page costs, in documents read', () => {
  it.each([100, 100_000])(
    'a page of 50 reads at most 2 buckets at %i movements, anywhere in the history',
    async (n) => {
      const { source, reads } = reader(movements(n));
      let after: number | undefined;
      for (let page = 0; page < 5; page++) {
        reads.docs = 0;
        const p = await historyPage(source, n, { order: 'desc', limit: 50, after });
        expect(p.items).toHaveLength(Math.min(50, n - page * 50));
        expect(reads.docs).toBeLessThanOrEqual(2);
        if (p.nextAfter === null) break;
        after = p.nextAfter;
      }
    },
  );

  it('a time range at 100 000 movements seeks in a few small reads with the account span, log2(buckets) without', async () => {
    const n = 100_000;
    const all = movements(n);
    const { source, reads } = reader(all);
    const span = { first: all[0]!.occurredAt, last: all[n - 1]!.occurredAt };
    for (const minute of [7, 50_000, 99_990]) {
      reads.docs = 0;
      const p = await historyPage(source, n, { order: 'desc', limit: 50, to: at(minute), span });
      expect(p.items[0]!.occurredAt).toBe(at(minute));
      expect(reads.docs).toBeLessThanOrEqual(6 + 2); // about half the reads of bisection alone
    }
    reads.docs = 0;
    await historyPage(source, n, { order: 'desc', limit: 50, to: at(50_000) });
    expect(reads.docs).toBeLessThanOrEqual(Math.ceil(Math.log2(n / HISTORY_BUCKET_SIZE)) + 1 + 2);
  });
});

describe('buckets kept in memory', () => {
  /** Bucket documents as the projections store them, in a stand-in for the collection that counts reads by _id. */
  function collection(name: string, all: HistoryEntry[]) {
    const docs = new Map<string, object>();
    for (let b = 0; b <= historyBucketOf(all.length); b++) {
      const part = all.filter((e) => historyBucketOf(e.seq) === b);
      if (part.length === 0) continue;
      const _id = historyBucketId('acc', b);
      docs.set(_id, {
        _id,
        accountId: 'acc',
        bucket: b,
        version: part.at(-1)!.seq,
        firstAt: part[0]!.occurredAt,
        entries: historyLines(part),
      });
    }
    const reads: string[] = [];
    return {
      reads,
      docs,
      source: {
        collectionName: name,
        findOne: async (filter: { _id: string }) => {
          reads.push(filter._id);
          return (docs.get(filter._id) ?? null) as never;
        },
      } as never,
    };
  }
  const page = (source: BucketReader, count: number, q: Partial<HistoryQuery> = {}) =>
    historyPage(source, count, { order: 'desc', limit: 50, ...q });

  it('reads a bucket again only when a page needs a movement it did not hold, with the same pages', async () => {
    const all = movements(3 * HISTORY_BUCKET_SIZE + 10);
    const { source, reads, docs } = collection('history', all);
    const cache = new BucketCache();
    const count = all.length - 1; // the account document is one movement behind what the buckets hold
    const uncached = await page(bucketsOf(source, 'acc', count), count);
    reads.length = 0;
    const first = await page(bucketsOf(source, 'acc', count, cache), count);
    const second = await page(bucketsOf(source, 'acc', count, cache), count);
    expect(first).toEqual(uncached);
    expect(second).toEqual(uncached);
    // The newest 50 span the partial bucket 3 and the full bucket 2: each was read once.
    expect(reads).toEqual([historyBucketId('acc', 3), historyBucketId('acc', 2)]);

    // The account moves on: the partial bucket is read again, once, and the page shows the move.
    const more = movements(3 * HISTORY_BUCKET_SIZE + 12);
    docs.set(historyBucketId('acc', 3), {
      ...(docs.get(historyBucketId('acc', 3)) as object),
      version: more.length,
      entries: historyLines(more.slice(3 * HISTORY_BUCKET_SIZE)),
    });
    reads.length = 0;
    const moved = await page(bucketsOf(source, 'acc', more.length, cache), more.length);
    await page(bucketsOf(source, 'acc', more.length, cache), more.length);
    expect(moved.items[0]!.seq).toBe(more.length);
    expect(reads).toEqual([historyBucketId('acc', 3)]);

    // A time range seeks over first instants: those of buckets read come from memory too.
    reads.length = 0;
    const inRange = await page(bucketsOf(source, 'acc', more.length, cache), more.length, { to: all[100]!.occurredAt });
    expect(inRange.items[0]!.seq).toBe(101);
    expect(reads.filter((id) => id === historyBucketId('acc', 2))).toEqual([]);
  });

  it('keeps buckets per collection (a rebuilt generation is read afresh) and at most its bound in entries', async () => {
    const all = movements(4 * HISTORY_BUCKET_SIZE);
    const live = collection('history', all);
    const rebuilt = collection('history_g1', all);
    const cache = new BucketCache(2 * HISTORY_BUCKET_SIZE);
    await page(bucketsOf(live.source, 'acc', all.length, cache), all.length, { order: 'asc', limit: 200 }); // buckets 0-3
    expect(cache.size).toBe(2); // four buckets read, the two least recently used dropped
    await page(bucketsOf(rebuilt.source, 'acc', all.length, cache), all.length);
    expect(rebuilt.reads.length).toBeGreaterThan(0);
  });
});
