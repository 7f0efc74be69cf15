// The read model's storage behind FerretDB: PostgreSQL (the default) or FerretDB's embedded
// SQLite. Measured on the development machine with the projections' write pattern (read an
// account, insert its transaction, update its day and the account; 16 in flight, 10 000
// accounts): SQLite 20 events/s at 70 ms of CPU each, PostgreSQL 162 events/s at 12 ms; see
// docs/performance.md. PostgreSQL must run as an unprivileged user: when this runs as root, it
// runs as the `postgres` user of the distribution's package (or `nobody`).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { probe, run } from '../lib/exec.mjs';
import { say } from '../lib/log.mjs';

/**
 * The PostgreSQL role the read model is stored as. Over TCP it must give its password (SCRAM):
 * FerretDB passes each client's user name and password (MongoDB PLAIN authentication) through
 * to PostgreSQL, so a client without them is refused. Only the server's Unix socket, in its
 * 0700 data directory, trusts local connections (the launcher's own set-up).
 */
export const PG_ROLE = 'bank';

/**
 * Which backend this stack's FerretDB uses: BANK_READ_MODEL_BACKEND=sqlite|postgresql, else
 * PostgreSQL when its binaries are found and its data directory is reachable by the user it
 * runs as, else SQLite (with a line that says why).
 * @returns {Promise<{ kind: 'sqlite' } | { kind: 'postgresql', bin: string, user?: { uid: number, gid: number, name: string } }>}
 */
export async function chooseBackend(pgBin, pgDir, sqliteDir) {
  const wanted = process.env.BANK_READ_MODEL_BACKEND ?? 'auto';
  if (wanted === 'sqlite') return { kind: 'sqlite' };
  if (!['auto', 'postgresql'].includes(wanted))
    throw new Error(`BANK_READ_MODEL_BACKEND is ${wanted}; use sqlite or postgresql`);
  if (wanted === 'auto' && holdsSqliteReadModel(sqliteDir) && !fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
    // A data dir from before PostgreSQL: its read model stays where it is, next to its log.
    say(
      'stack',
      "read model kept on FerretDB's SQLite backend, where this data dir has it; to move it to PostgreSQL, " +
        'start with BANK_READ_MODEL_BACKEND=postgresql and run `npm run projections:rebuild`',
    );
    return { kind: 'sqlite' };
  }
  const user = pgBin ? await serverUser() : undefined;
  const why = unusable(pgBin, pgDir, user);
  if (!why) return { kind: 'postgresql', bin: pgBin, user };
  if (wanted === 'postgresql') throw new Error(`PostgreSQL cannot be used for the read model: ${why}`);
  say('stack', `read model on FerretDB's SQLite backend: ${why}`);
  return { kind: 'sqlite' };
}

function holdsSqliteReadModel(dir) {
  return fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.endsWith('.sqlite'));
}

/** Why PostgreSQL cannot serve this stack, or undefined when it can. */
function unusable(pgBin, pgDir, user) {
  if (!pgBin) return 'no PostgreSQL server found (Debian/Ubuntu: apt-get install postgresql)';
  if (!user) return undefined;
  // The stack's own data dir (often a private temporary one) only has to let the server user through.
  const dataDir = path.dirname(pgDir);
  if (fs.existsSync(dataDir)) fs.chmodSync(dataDir, fs.statSync(dataDir).mode | 0o001);
  if (!reachable(pgDir, user)) {
    return `${pgDir} is not reachable by the unprivileged user ${user.name} that PostgreSQL must run as`;
  }
  return undefined;
}

/** The user PostgreSQL runs as when this process is root (it refuses to run as root). */
async function serverUser() {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const uid = await probe('id', ['-u', name]);
    const gid = await probe('id', ['-g', name]);
    if (uid && gid) return { name, uid: Number(uid.trim()), gid: Number(gid.trim()) };
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as');
}

/** Whether every directory from / down to `dir`'s nearest existing ancestor can be entered by `user`. */
function reachable(dir, user) {
  let current = path.resolve(dir);
  while (!fs.existsSync(current)) current = path.dirname(current);
  for (let d = current; ; d = path.dirname(d)) {
    const s = fs.statSync(d);
    const bit = s.uid === user.uid ? 0o100 : s.gid === user.gid ? 0o010 : 0o001;
    if ((s.mode & bit) === 0) return false;
    if (d === path.dirname(d)) return true;
  }
}

/**
 * Creates the cluster on first use, owned by its user, and (every start, so that a cluster made
 * before passwords is moved to them) writes who may connect how: the socket trusted, TCP on
 * loopback with a password only.
 */
export async function preparePostgres(backend, pgDir) {
  const asUser = backend.user ? { uid: backend.user.uid, gid: backend.user.gid } : {};
  fs.mkdirSync(pgDir, { recursive: true, mode: 0o700 });
  if (backend.user) fs.chownSync(pgDir, backend.user.uid, backend.user.gid);
  if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
    say('stack', 'postgresql: creating the read model cluster (initdb)');
    await run(
      path.join(backend.bin, 'initdb'),
      ['-D', pgDir, '-U', PG_ROLE, '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
      { ...asUser, cwd: pgDir },
    );
  }
  const hba = path.join(pgDir, 'pg_hba.conf');
  fs.writeFileSync(
    hba,
    '# Written by scripts/stack/postgres.mjs at every start.\n' +
      'local all all trust\n' +
      'host all all 127.0.0.1/32 scram-sha-256\n',
    { mode: 0o600 },
  );
  if (backend.user) fs.chownSync(hba, backend.user.uid, backend.user.gid);
}

/**
 * Over the server's socket: sets the role's password (`passwordFile` holds the statement, mode
 * 0600), and installs the GIN indexes FerretDB's PostgreSQL backend needs to answer a filter on
 * `_id` (and the read model's other equality filters) from an index instead of a scan of the
 * whole table, for tables that exist and every table FerretDB creates later
 * (ferretdb-indexes.sql says why).
 */
export async function setUpFerretdbStorage(backend, pgDir, port, passwordFile) {
  const bin = path.join(backend.bin, 'psql');
  if (!fs.existsSync(bin)) throw new Error(`no psql in ${backend.bin}: the read model's storage cannot be set up`);
  const psql = () =>
    run(bin, [
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-h',
      pgDir,
      '-p',
      String(port),
      '-U',
      PG_ROLE,
      '-d',
      'postgres',
      '-f',
      passwordFile,
      '-f',
      fileURLToPath(new URL('./ferretdb-indexes.sql', import.meta.url)),
    ]);
  // The port opens a moment before the server accepts sessions ("the database system is starting up").
  for (let attempt = 1; ; attempt++) {
    try {
      return await psql();
    } catch (err) {
      if (attempt >= 20 || !/starting up|Connection refused|could not connect|No such file/.test(String(err)))
        throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Arguments of the server: loopback only, its socket in its own directory, fsync left on. */
export function postgresArgs(pgDir, port) {
  return [
    '-D',
    pgDir,
    '-p',
    String(port),
    '-k',
    pgDir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'logging_collector=off',
  ];
}

/** The directory of a PostgreSQL server's binaries (initdb, postgres), or undefined. */
export async function findPostgresBin() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    const versions = fs
      .readdirSync(debian)
      .filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(debian, v, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(debian, versions[0], 'bin');
  }
  const onPath = (await probe('sh', ['-c', 'command -v postgres']))?.trim();
  if (onPath && fs.existsSync(path.join(path.dirname(onPath), 'initdb'))) return path.dirname(onPath);
  return undefined;
}
