/**
 * Writes conditional on a document's `version`, the projections' only kind of conditional write
 * (docs/architecture.md, "Projections"). Two ways to carry them out, chosen once per process:
 *
 *   - 'server': the condition goes in the filter (`{_id, version}`); MongoDB applies it
 *     atomically and answers it from the `_id` index.
 *   - 'client': read the document by `_id`, check the version here, write by `_id`. Used on
 *     FerretDB's SQLite backend: it pushes down only a filter that is exactly `{_id: <value>}`,
 *     so `{_id, version}` scans the whole collection (every account, every day of every
 *     account) on each write. FerretDB's conditional updates are a read-modify-write without
 *     a lock on either backend: what keeps writes to one document apart there is the
 *     projector's one run at a time per account, not the filter.
 */
import { MongoServerError } from 'mongodb';
import type { Collection, Db, Document, Filter, OptionalUnlessRequiredId, UpdateFilter } from 'mongodb';

export type GuardMode = 'server' | 'client';

/** The document's version must equal the number, or be below `$lt`. */
export type VersionGuard = number | { $lt: number };

/**
 * `READ_MODEL_GUARDS` = server | client | auto (default). Auto: 'server' on MongoDB; on FerretDB,
 * 'server' when it pushes a `{_id, version}` filter down to its storage (its PostgreSQL backend
 * does, and with the launcher's GIN index on `_id` it is an index lookup), 'client' when it does
 * not (its SQLite backend pushes down only a filter that is exactly `{_id}`).
 */
export async function chooseGuardMode(db: Pick<Db, 'command'>, setting = 'auto'): Promise<GuardMode> {
  if (setting === 'server' || setting === 'client') return setting;
  if (setting !== 'auto') throw new Error(`READ_MODEL_GUARDS must be auto, server or client, not '${setting}'`);
  const info = await db.command({ buildInfo: 1 });
  if (typeof info.ferretdbVersion !== 'string') return 'server';
  // FerretDB explains a query on a collection that does not exist without any pushdown.
  await db.command({ create: GUARD_PROBE_COLLECTION }).catch((err: unknown) => {
    if (!(err instanceof MongoServerError && err.code === 48)) throw err; // 48: already exists
  });
  const plan = await db.command({ explain: { find: GUARD_PROBE_COLLECTION, filter: { _id: '', version: 0 } } });
  return plan.filterPushdown === true ? 'server' : 'client';
}

/** An empty collection the explain above runs against; never written. */
const GUARD_PROBE_COLLECTION = 'guard_probe';

/**
 * Applies `update` to the document `_id` if its version passes `guard`; with `upsert`, a missing
 * document passes too and is created. True if it wrote; false if the document did not pass,
 * or was missing without `upsert`, or appeared while this was creating it (then it is left as
 * that other writer made it, and the caller re-reads and decides again).
 *
 * In 'client' mode two writers of one document can still both pass the check between the read
 * and the write; that is why it needs one projections process per database (which is what
 * FerretDB's own conditional update needs too). For the same reason, a caller that has just
 * read the document inside its per-account queue passes that version as `knownVersion`, and
 * client mode checks it instead of reading the document again.
 */
export async function guardedUpdate<T extends Document & { _id: string }>(
  mode: GuardMode,
  collection: Collection<T>,
  _id: string,
  guard: VersionGuard,
  update: UpdateFilter<T>,
  { upsert = false, knownVersion }: { upsert?: boolean; knownVersion?: number } = {},
): Promise<boolean> {
  try {
    if (mode === 'server') {
      // An existing document that fails the filter makes the upsert insert its _id again: a duplicate key.
      const filter = { _id, version: guard } as unknown as Filter<T>;
      const res = await collection.updateOne(filter, update, { upsert });
      return res.matchedCount + res.upsertedCount > 0;
    }
    const current =
      knownVersion !== undefined
        ? { version: knownVersion }
        : await collection.findOne({ _id } as Filter<T>, { projection: { version: 1 } });
    if (!current) {
      if (!upsert) return false;
      // An insert, not an upsert: if another writer created the document meanwhile, this fails
      // with a duplicate key instead of adding to what that writer wrote.
      await collection.insertOne(insertedBy(_id, update) as OptionalUnlessRequiredId<T>);
      return true;
    }
    if (!passes(current.version, guard)) return false;
    const res = await collection.updateOne({ _id } as Filter<T>, update);
    return res.matchedCount > 0;
  } catch (err) {
    if (err instanceof MongoServerError && err.code === 11000) return false;
    throw err;
  }
}

/** The document an upsert of `update` would create: top-level $setOnInsert, $set and $inc only. */
function insertedBy(_id: string, update: Document): Document {
  const doc: Document = { _id };
  for (const [op, fields] of Object.entries(update)) {
    if (op !== '$setOnInsert' && op !== '$set' && op !== '$inc') throw new Error(`guardedUpdate: ${op} not supported`);
    for (const [field, value] of Object.entries(fields as Document)) {
      if (field.includes('.')) throw new Error(`guardedUpdate: nested field ${field} not supported`);
      doc[field] = value;
    }
  }
  return doc;
}

function passes(version: unknown, guard: VersionGuard): boolean {
  if (typeof version !== 'number') return false;
  return typeof guard === 'number' ? version === guard : version < guard.$lt;
}
