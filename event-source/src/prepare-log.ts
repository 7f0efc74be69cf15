/**
 * Prepares the event log as ImmuDB's administrator, then exits: the log's database with its
 * tuned settings (created if missing), and the log's own least-privilege user with the
 * installation's password (created, or its password set). Kubernetes runs it as event-source's
 * init container, so that event-source itself only ever logs in as that user; the local launcher
 * does the same from scripts/stack/infra.mjs.
 *
 *   IMMUDB_ADDRESS, IMMUDB_ADMIN_PASSWORD, IMMUDB_LOG_PASSWORD, IMMUDB_DATABASE (default bank),
 *   IMMUDB_LOG_USER (default bank)
 */
import { createLogger, envString } from '@bank/service-kit';
import { ensureLogDatabase, ensureLogUser, LOG_DATABASE, LOG_USER } from './log-database';

async function main(): Promise<void> {
  const log = createLogger('prepare-log');
  const admin = {
    address: envString('IMMUDB_ADDRESS', '127.0.0.1:3322'),
    user: envString('IMMUDB_ADMIN_USER', 'immudb'),
    password: envString('IMMUDB_ADMIN_PASSWORD'),
  };
  const database = envString('IMMUDB_DATABASE', LOG_DATABASE);
  const { created, syncFrequencyMs } = await ensureLogDatabase(admin, database);
  log.info({ database, created, syncFrequencyMs }, created ? 'event log database created' : 'event log database found');
  const user = envString('IMMUDB_LOG_USER', LOG_USER);
  const made = await ensureLogUser(admin, database, envString('IMMUDB_LOG_PASSWORD'), user);
  log.info({ user, database, created: made.created }, 'event log user ready (read-write on its database only)');
}

main().catch((err) => {
  createLogger('prepare-log').fatal({ err }, 'the event log could not be prepared');
  process.exit(1);
});
