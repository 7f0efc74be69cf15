import {
  generationCollection,
  LIVE_POINTER_ID,
  LivePointerSchema,
  READ_MODEL_COLLECTIONS,
  READ_MODEL_META_COLLECTION,
  type AccountDoc,
  type BalanceDriftDoc,
  type BooksTotalsDoc,
  type DailyBalancesMonthDoc,
  type RankingDoc,
  type HistoryBucketDoc,
  type TransferDoc,
} from '@bank/contracts';
import type { Logger } from '@bank/service-kit';
import type { Collection, Db } from 'mongodb';

export type ReadCollections = {
  accounts: Collection<AccountDoc>;
  history: Collection<HistoryBucketDoc>;
  dailyBalances: Collection<DailyBalancesMonthDoc>;
  transfers: Collection<TransferDoc>;
  books: Collection<BooksTotalsDoc | BalanceDriftDoc | RankingDoc>;
};

/** The collections of one read-model generation (names from the registry, suffixed per generation). */
export function readCollections(db: Pick<Db, 'collection'>, generation = 0): ReadCollections {
  const named = <T extends object>(name: string) => db.collection<T>(generationCollection(name, generation));
  return {
    accounts: named<AccountDoc>(READ_MODEL_COLLECTIONS.accounts),
    history: named<HistoryBucketDoc>(READ_MODEL_COLLECTIONS.history),
    dailyBalances: named<DailyBalancesMonthDoc>(READ_MODEL_COLLECTIONS.dailyBalances),
    transfers: named<TransferDoc>(READ_MODEL_COLLECTIONS.transfers),
    books: named<BooksTotalsDoc | BalanceDriftDoc | RankingDoc>(READ_MODEL_COLLECTIONS.books),
  };
}

/**
 * The collections of whichever generation is live: a rebuild switches the pointer document, and
 * this re-reads it every `ttlMs` (a read in flight during a switch finishes on the old
 * generation, which the rebuild keeps for a while before dropping it).
 */
export async function liveReadCollections(
  db: Db,
  log: Logger,
  ttlMs = 1_000,
): Promise<{ read: ReadCollections; generation: () => number; stop: () => void }> {
  const meta = db.collection<{ _id: string }>(READ_MODEL_META_COLLECTION);
  const readPointer = async () => {
    const raw = await meta.findOne({ _id: LIVE_POINTER_ID });
    return raw ? LivePointerSchema.parse(raw).generation : 0;
  };
  let generation = await readPointer();
  const byGeneration = new Map<number, ReadCollections>();
  const current = () => {
    let read = byGeneration.get(generation);
    if (!read) {
      byGeneration.clear();
      read = readCollections(db, generation);
      byGeneration.set(generation, read);
    }
    return read;
  };
  const timer = setInterval(() => {
    readPointer()
      .then((g) => {
        if (g !== generation) log.info({ from: generation, to: g }, 'read model switched generation');
        generation = g;
      })
      .catch((err: unknown) =>
        log.warn({ err }, 'could not read the live read-model generation; keeping the last one'),
      );
  }, ttlMs);
  timer.unref();
  // Every property resolves against the live generation at the moment it is read.
  const read = new Proxy({} as ReadCollections, { get: (_t, key) => current()[key as keyof ReadCollections] });
  return { read, generation: () => generation, stop: () => clearInterval(timer) };
}
