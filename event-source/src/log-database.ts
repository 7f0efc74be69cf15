/**
 * The event log lives in an ImmuDB database of its own, created with settings measured for its
 * work (docs/performance.md, "The log"). ImmuDB's `defaultdb` syncs every 20 ms and its syncer
 * sleeps a quarter of that before each fsync; a conditional commit waits for the previous one to
 * be synced and indexed, so on `defaultdb` appends serialize at about 100/s whatever the
 * concurrency. Commits stay synced (fsync before the client hears "committed"); only the wait
 * before each fsync shrinks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ImmuClient, type DatabaseSettings } from './immudb/client';

/** The database the launcher, the tests and the Kubernetes deployment use for the log. */
export const LOG_DATABASE = 'bank';

/**
 * Measured on the development machine (docs/performance.md): 1 ms and 0 ms perform alike once
 * event-source groups commits itself, and 1 ms keeps ImmuDB's own grouping of fsyncs for
 * clients that do not. Preallocated files cost 3-5 s on the first write and bought nothing.
 */
export const LOG_DATABASE_SETTINGS: DatabaseSettings = { syncFrequencyMs: 1, preallocFiles: false };

/** ImmuDB's built-in database: it always exists and its settings cannot be changed. */
export const DEFAULT_DATABASE = 'defaultdb';

export type ImmuLogin = { address: string; user: string; password: string };

/**
 * Creates `name` with `settings` unless it exists (idempotent; safe to run from every start).
 * `defaultdb` is accepted as is, for logs written before the bank had a database of its own.
 */
export async function ensureLogDatabase(
  login: ImmuLogin,
  name: string,
  settings: DatabaseSettings = LOG_DATABASE_SETTINGS,
): Promise<{ created: boolean; syncFrequencyMs: number | undefined }> {
  if (name === DEFAULT_DATABASE) return { created: false, syncFrequencyMs: 20 };
  // A session needs a database; defaultdb always exists.
  const admin = new ImmuClient({ ...login, database: DEFAULT_DATABASE });
  try {
    const { alreadyExisted, syncFrequencyMs } = await admin.createDatabase(name, settings);
    return { created: !alreadyExisted, syncFrequencyMs };
  } catch (err) {
    // Not an admin (the log's own user, LOG_USER): the database is there if a session on it opens.
    const own = new ImmuClient({ ...login, database: name });
    try {
      await own.open();
      return { created: false, syncFrequencyMs: undefined };
    } catch {
      throw err;
    } finally {
      await own.close();
    }
  } finally {
    await admin.close();
  }
}

/**
 * The database a data directory's log is in, decided before ImmuDB starts (ImmuDB creates its
 * own databases at its first start): `defaultdb` for a directory where ImmuDB ran before the log
 * had a database of its own, so an existing log keeps working; LOG_DATABASE otherwise.
 * `immudbDir` is ImmuDB's `--dir`, which holds one directory per database.
 */
export function logDatabaseOf(immudbDir: string): string {
  const ranBefore = fs.existsSync(path.join(immudbDir, 'systemdb'));
  return ranBefore && !fs.existsSync(path.join(immudbDir, LOG_DATABASE)) ? DEFAULT_DATABASE : LOG_DATABASE;
}

/** The least-privilege user the event log is written as: read and write on its database only. */
export const LOG_USER = 'bank';

/**
 * Creates the log's user with read-write permission on `database`, or, if it exists, sets its
 * password (the installation's secret is the truth) and grants it that permission. Needs the
 * system admin's login.
 */
export async function ensureLogUser(
  admin: ImmuLogin,
  database: string,
  password: string,
  user = LOG_USER,
): Promise<{ created: boolean }> {
  const client = new ImmuClient({ ...admin, database: DEFAULT_DATABASE });
  try {
    const created = await client.createUser(user, password, 2, database);
    if (!created) {
      // Both end the user's open sessions (ImmuDB's rule): run before event-source starts.
      await client.setPassword(user, password);
      await client.grant(user, 2, database);
    }
    return { created };
  } finally {
    await client.close();
  }
}
