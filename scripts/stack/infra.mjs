// The infrastructure processes of one stack: Dapr's control plane (control-plane.mjs), Redis,
// ImmuDB, FerretDB (on PostgreSQL or SQLite).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { startControlPlane, startPlainControlPlane } from './control-plane.mjs';
import { chooseBackend, PG_ROLE, postgresArgs, preparePostgres, setUpFerretdbStorage } from './postgres.mjs';
import { installationSecrets, writeSecretFile } from './secrets.mjs';
import { tcpOpen, waitFor } from './supervisor.mjs';
import { say } from '../lib/log.mjs';

/** ImmuDB's system administrator; its password is the installation's (secrets.mjs). */
export const IMMUDB_ADMIN = 'immudb';

/**
 * Starts the infrastructure (the control plane first, the rest in parallel) and waits until each
 * answers. `controlPlane`: 'mtls' (Sentry, then placement and scheduler with TLS), 'plain'
 * (placement and scheduler without TLS, for the Dapr CLI's sidecars) or 'none'.
 */
export async function startInfra(sup, bins, layout, dataDir, { controlPlane = 'mtls' } = {}) {
  const dir = (name) => {
    const d = path.join(dataDir, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  const { redis, immudb, ferretdb } = layout;
  const secrets = installationSecrets(dataDir);
  // Decided before ImmuDB starts, as ImmuDB creates its own databases at its first start.
  const { logDatabaseOf } = eventSourceModule('log-database.js');
  const logDatabase = logDatabaseOf(path.join(dataDir, 'immudb'));
  const local = '127.0.0.1';
  // FerretDB's storage first: FerretDB starts on it.
  const backend = await chooseBackend(bins.pgBin, path.join(dataDir, 'postgres'), path.join(dataDir, 'ferretdb'));
  if (backend.kind === 'postgresql') await startPostgres(sup, backend, path.join(dataDir, 'postgres'), layout, dataDir);
  layout.readModelBackend = backend.kind;
  if (controlPlane === 'mtls') await startControlPlane(sup, bins, layout, dataDir);
  else if (controlPlane === 'plain') await startPlainControlPlane(sup, bins, layout, dataDir);
  const procs = [
    {
      name: 'redis',
      entry: sup.start(
        'redis',
        bins.redisServer,
        [
          // The password in a 0600 file, not on the command line where `ps` would show it.
          writeSecretFile(dataDir, 'redis.conf', `requirepass ${secrets.redisPassword}\n`),
          '--port',
          redis.port,
          '--bind',
          local,
          '--dir',
          dir('redis'),
          '--appendonly',
          'yes',
          '--save',
          '',
          '--protected-mode',
          'yes',
          '--daemonize',
          'no',
        ].map(String),
      ),
      ready: () => tcpOpen(redis.port),
    },
    {
      name: 'immudb',
      entry: sup.start(
        'immudb',
        bins.immudb,
        [
          '--dir',
          dir('immudb'),
          '--address',
          local,
          '--port',
          immudb.port,
          '--metrics-server-port',
          immudb.metrics,
          '--web-server=false',
          '--pgsql-server=false',
          '--pidfile',
          '',
          '--logfile',
          '',
        ].map(String),
        {
          // The installation's admin password, set again at every start (also on a data dir
          // made with ImmuDB's default one); in the environment, not on the command line.
          env: { IMMUDB_ADMIN_PASSWORD: secrets.immudbAdminPassword, IMMUDB_FORCE_ADMIN_PASSWORD: 'true' },
        },
      ),
      ready: () => tcpOpen(immudb.port),
    },
    {
      name: 'ferretdb',
      entry: sup.start('ferretdb', bins.ferretdb, [
        ...(backend.kind === 'postgresql'
          ? ['--handler=postgresql', `--postgresql-url=postgres://${PG_ROLE}@${local}:${layout.postgres.port}/postgres`]
          : ['--handler=sqlite', `--sqlite-url=file:${dir('ferretdb')}/`]),
        `--state-dir=${dir('ferretdb')}`,
        `--listen-addr=${local}:${ferretdb.port}`,
        `--debug-addr=${local}:${ferretdb.debug}`,
        '--telemetry=disable',
        '--log-level=warn',
      ]),
      ready: () => tcpOpen(ferretdb.port),
    },
  ];
  await Promise.all(
    procs.map(async ({ name, entry, ready }) => {
      await waitFor(name, ready, { entry, timeoutMs: 60_000 });
      say('stack', `${name} ready`);
    }),
  );
  layout.immudb.database = await prepareLogDatabase(layout, logDatabase, secrets);
}

/** PostgreSQL under FerretDB: created on first use, as its unprivileged user when this is root. */
async function startPostgres(sup, backend, pgDir, layout, dataDir) {
  await preparePostgres(backend, pgDir);
  const entry = sup.start('postgres', path.join(backend.bin, 'postgres'), postgresArgs(pgDir, layout.postgres.port), {
    cwd: pgDir,
    user: backend.user,
  });
  await waitFor('postgres', () => tcpOpen(layout.postgres.port), { entry, timeoutMs: 60_000 });
  const { readModelPassword } = installationSecrets(dataDir);
  const setPassword = writeSecretFile(
    dataDir,
    'read-model-role.sql',
    `ALTER ROLE ${PG_ROLE} PASSWORD '${readModelPassword}';\n`,
  );
  await setUpFerretdbStorage(backend, pgDir, layout.postgres.port, setPassword);
  say('stack', `postgres ready (read model storage${backend.user ? `, running as ${backend.user.name}` : ''})`);
}

/**
 * Creates the event log's database with its tuned settings if new (event-source does the same at
 * its own start, for deployments without this launcher). A data dir whose log was written to
 * `defaultdb` before the bank had a database of its own keeps it.
 */
async function prepareLogDatabase(layout, database, secrets) {
  const { ensureLogDatabase, ensureLogUser, LOG_DATABASE, LOG_USER, DEFAULT_DATABASE } =
    eventSourceModule('log-database.js');
  const admin = {
    address: `127.0.0.1:${layout.immudb.port}`,
    user: IMMUDB_ADMIN,
    password: secrets.immudbAdminPassword,
  };
  if (database === DEFAULT_DATABASE) {
    say(
      'stack',
      `this data dir's event log is in ImmuDB's ${DEFAULT_DATABASE} (written before the tuned '${LOG_DATABASE}' ` +
        `database existed): keeping it, at about 100 appends/s; \`npm run reset\` starts a fresh data dir with the tuned log`,
    );
  } else {
    const { created, syncFrequencyMs } = await ensureLogDatabase(admin, database);
    say(
      'stack',
      `event log: ImmuDB database '${database}' (${created ? 'created' : 'found'}, sync every ${syncFrequencyMs} ms)`,
    );
  }
  const user = await ensureLogUser(admin, database, secrets.immudbLogPassword);
  say(
    'stack',
    `event log user '${LOG_USER}': read-write on '${database}' only (${user.created ? 'created' : 'found'})`,
  );
  return database;
}

/** event-source's compiled code (npm run build), so the launcher and the app share one definition. */
function eventSourceModule(file) {
  const require = createRequire(import.meta.url);
  const full = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'event-source', 'dist', file);
  if (!fs.existsSync(full)) throw new Error(`${full} is missing: run \`npm run build\` first`);
  return require(full);
}

/**
 * Environment to reach the infrastructure of this stack: the event log as its own least-privilege
 * user, or (`admin`, for tests and benchmarks that make databases of their own) as ImmuDB's
 * administrator; the read model as its role. With `secretStore` (the apps), the passwords are not
 * in it: each names its secret in that Dapr secret store instead (service-kit credentials.ts).
 * @param layout the stack's port layout (ports.mjs)
 * @param {string} dataDir
 * @param {{ admin?: boolean, secretStore?: string }} [opts]
 */
export function infraEnv(layout, dataDir, { admin = false, secretStore } = {}) {
  const secrets = installationSecrets(dataDir);
  const logPassword = admin ? secrets.immudbAdminPassword : secrets.immudbLogPassword;
  const readModel = `127.0.0.1:${layout.ferretdb.port}/?authMechanism=PLAIN`;
  return {
    IMMUDB_ADDRESS: `127.0.0.1:${layout.immudb.port}`,
    IMMUDB_USER: admin ? IMMUDB_ADMIN : 'bank',
    IMMUDB_DATABASE: layout.immudb.database ?? 'bank',
    MONGO_DATABASE: 'bank',
    // FerretDB passes the user name and password through to PostgreSQL (PLAIN, on loopback).
    ...(secretStore && !admin
      ? {
          SECRET_STORE: secretStore,
          IMMUDB_PASSWORD_SECRET: 'immudb-log-password',
          MONGO_URL: `mongodb://${PG_ROLE}@${readModel}`,
          MONGO_PASSWORD_SECRET: 'read-model-password',
        }
      : {
          IMMUDB_PASSWORD: logPassword,
          MONGO_URL: `mongodb://${PG_ROLE}:${secrets.readModelPassword}@${readModel}`,
        }),
  };
}
