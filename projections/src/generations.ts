/**
 * Read-model generations: which one is live, which one a rebuild is filling, and the lock that
 * lets only one rebuild run at a time. All of it lives in the read model's meta collection:
 *   { _id: 'live', generation, switchedAt }                      which generation queries read
 *   { _id: 'rebuild-lock', generation, startedAt, heartbeatAt }  a rebuild is filling `generation`
 *   { _id: 'writer:<process>', live, building, at }              what one process writes to, since `at`
 * Writers (the live subscription) write to the live generation and, while a rebuild runs, to the
 * generation being built as well. Both are cached for `ttlMs`, so another process sees a switch
 * or a new rebuild within that time; this process sees its own changes at once. Each process
 * records the view it writes by before it uses it, so a rebuild waits until every process has
 * seen a change (`settled`) rather than for a fixed time.
 */
import {
  generationCollection,
  LIVE_POINTER_ID,
  LivePointerSchema,
  allReadModelCollections,
  READ_MODEL_META_COLLECTION,
} from '@bank/contracts';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { MongoServerError, type Db } from 'mongodb';

/** A view of `db` whose collections are those of one read-model generation. */
export function generationDb(db: Db, generation: number): Pick<Db, 'collection'> {
  return {
    collection: (name: string, options?: Parameters<Db['collection']>[1]) =>
      db.collection(generationCollection(name, generation), options),
  } as Pick<Db, 'collection'>;
}

const LOCK_ID = 'rebuild-lock';
const WRITER_PREFIX = 'writer:';
/** A process's record of what it writes to: absent, or not renewed for `ttlMs` and more, it is gone or idle. */
export type WriterView = { _id: string; live: number; building: number | null; at: number };
/** A lock whose heartbeat is older than this belongs to a rebuild that died; it can be taken over. */
export const LOCK_STALE_MS = 30_000;

export type RebuildLock = { _id: string; generation: number; startedAt: string; heartbeatAt: number };
type MetaDoc = { _id: string; [field: string]: unknown };

export class Generations {
  private cache: { live: number; building: number | undefined; readAt: number } | undefined;
  /** Bumped by every change this process makes, so a slower concurrent re-read cannot undo it. */
  private epoch = 0;
  private rereading: Promise<{ live: number; building: number | undefined }> | undefined;
  private readonly writerId = `${WRITER_PREFIX}${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 1_000,
  ) {}

  meta() {
    return this.db.collection<MetaDoc>(READ_MODEL_META_COLLECTION);
  }

  /** The live generation (0 until the first switch). */
  async live(): Promise<number> {
    return (await this.current()).live;
  }

  /** Where live events go: the live generation first, then the one being built, if any. */
  async writeTargets(): Promise<number[]> {
    const { live, building } = await this.current();
    return building === undefined || building === live ? [live] : [live, building];
  }

  /** Points queries and writers at `generation`. */
  async switchTo(generation: number): Promise<void> {
    const pointer = { _id: LIVE_POINTER_ID, generation, switchedAt: new Date().toISOString() };
    await this.meta().replaceOne({ _id: LIVE_POINTER_ID }, pointer, { upsert: true });
    this.epoch++;
    if (this.cache) this.cache = { ...this.cache, live: generation };
    await this.acknowledge();
  }

  /**
   * Takes the rebuild lock for the generation after the live one, or says who holds it. The lock
   * is a document with a fixed `_id`, so two rebuilds racing for it cannot both insert it, even
   * on a server without transactions.
   */
  async acquireLock(): Promise<{ generation: number } | { heldBy: RebuildLock }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const held = await this.lock();
      if (held) {
        if (Date.now() - held.heartbeatAt < LOCK_STALE_MS) return { heldBy: held };
        await this.meta().deleteOne({ _id: LOCK_ID, heartbeatAt: held.heartbeatAt });
      }
      const live = await this.readLive();
      const lock: RebuildLock = {
        _id: LOCK_ID,
        generation: Math.max(live, held?.generation ?? 0) + 1,
        startedAt: new Date().toISOString(),
        heartbeatAt: Date.now(),
      };
      try {
        await this.meta().insertOne(lock);
        this.epoch++;
        this.cache = { live, building: lock.generation, readAt: Date.now() };
        await this.acknowledge();
        return { generation: lock.generation };
      } catch (err) {
        if (!(err instanceof MongoServerError && err.code === 11000)) throw err;
      }
    }
    const held = await this.lock();
    if (held) return { heldBy: held };
    throw new Error('could not take the rebuild lock');
  }

  async heartbeat(generation: number): Promise<void> {
    await this.meta().updateOne({ _id: LOCK_ID, generation }, { $set: { heartbeatAt: Date.now() } });
  }

  async releaseLock(generation: number): Promise<void> {
    await this.meta().deleteOne({ _id: LOCK_ID, generation });
    this.epoch++;
    if (this.cache?.building === generation) this.cache = { ...this.cache, building: undefined };
    await this.acknowledge();
  }

  /**
   * Waits until every process that writes to the read model has recorded a view that passes
   * `seen` (a process that has not renewed its record for `withinMs` is gone, or idle: its next
   * write re-reads first), and at most `withinMs`, what the wait was before processes recorded
   * their views. Returns how long it waited.
   */
  async settled(seen: (view: WriterView) => boolean, withinMs: number): Promise<number> {
    const start = Date.now();
    const writers = { _id: { $regex: `^${WRITER_PREFIX}` } };
    // Records of processes long gone.
    await this.meta().deleteMany({ ...writers, at: { $lt: start - 3_600_000 } });
    while (Date.now() - start < withinMs) {
      const views = (await this.meta().find(writers).toArray()) as unknown as WriterView[];
      if (views.filter((v) => Date.now() - v.at < withinMs).every(seen)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return Date.now() - start;
  }

  /** Records the view this process writes by (before it uses a re-read one). */
  private async acknowledge(
    view: { live: number; building: number | undefined } | undefined = this.cache,
  ): Promise<void> {
    if (!view) return;
    const record: Omit<WriterView, '_id'> = { live: view.live, building: view.building ?? null, at: Date.now() };
    await this.meta().replaceOne({ _id: this.writerId }, record, { upsert: true });
  }

  async lock(): Promise<RebuildLock | undefined> {
    return ((await this.meta().findOne({ _id: LOCK_ID })) as RebuildLock | null) ?? undefined;
  }

  /** Drops every collection of `generation`. */
  async drop(generation: number): Promise<void> {
    for (const name of allReadModelCollections()) {
      await this.db
        .collection(generationCollection(name, generation))
        .drop()
        .catch((err: unknown) => {
          if (!(err instanceof MongoServerError && err.code === 26)) throw err; // 26: namespace not found
        });
    }
  }

  /** The generations that have at least one collection in the database. */
  async existing(): Promise<number[]> {
    const names = new Set((await this.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    const found = new Set<number>();
    for (const base of allReadModelCollections()) {
      if (names.has(base)) found.add(0);
      const pattern = new RegExp(`^${base}_g(\\d+)$`);
      for (const name of names) {
        const m = pattern.exec(name);
        if (m) found.add(Number(m[1]));
      }
    }
    return [...found].sort((a, b) => a - b);
  }

  private current(): Promise<{ live: number; building: number | undefined }> {
    if (this.cache && Date.now() - this.cache.readAt < this.ttlMs) return Promise.resolve(this.cache);
    // One re-read at a time, so the view recorded is never ahead of the view used.
    this.rereading ??= this.reread().finally(() => (this.rereading = undefined));
    return this.rereading;
  }

  private async reread(): Promise<{ live: number; building: number | undefined }> {
    const epoch = this.epoch;
    const [live, lock] = await Promise.all([this.readLive(), this.lock()]);
    // This process switched or took/released the lock while we read: what we read may predate it.
    if (epoch !== this.epoch && this.cache) return this.cache;
    const building = lock && Date.now() - lock.heartbeatAt < LOCK_STALE_MS ? lock.generation : undefined;
    await this.acknowledge({ live, building }); // recorded before it is used
    if (epoch !== this.epoch && this.cache) return this.cache;
    this.cache = { live, building, readAt: Date.now() };
    return this.cache;
  }

  private async readLive(): Promise<number> {
    const raw = await this.meta().findOne({ _id: LIVE_POINTER_ID });
    return raw ? LivePointerSchema.parse(raw).generation : 0;
  }
}
