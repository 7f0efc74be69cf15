// First: tracing (when on) must load before http and express.
import './tracing';
import {
  bindAddress,
  DaprSidecar,
  createHttpApp,
  requireAppToken,
  createLogger,
  envPort,
  envPositiveInt,
  envString,
  exitOnSignals,
  finish,
  requiredCredential,
  sidecarFromEnv,
  startProcessMetrics,
} from '@bank/service-kit';
import { AnchorRecord } from './audit/anchor-record';
import { AuditLog } from './audit/audit-log';
import { daprTrustedStateStore } from './audit/trusted-state';
import { EventStore } from './event-store';
import { ImmuClient } from './immudb/client';
import { ensureLogDatabase, LOG_DATABASE } from './log-database';
import { EventLogMetrics } from './metrics';
import { LogWatch } from './log-watch';
import { Relay } from './relay';
import { eventLogRoutes } from './routes';

async function main(): Promise<void> {
  const log = createLogger('event-source');
  startProcessMetrics('event-source');
  const metrics = new EventLogMetrics();
  const port = envPort('EVENT_SOURCE_PORT', 3003);
  const sidecar = new DaprSidecar(sidecarFromEnv());
  const database = envString('IMMUDB_DATABASE', LOG_DATABASE);
  const login = {
    address: envString('IMMUDB_ADDRESS', '127.0.0.1:3322'),
    user: envString('IMMUDB_USER', 'immudb'),
    password: await requiredCredential(sidecar, 'IMMUDB_PASSWORD'),
  };
  const immudb = new ImmuClient({ ...login, database });
  const store = new EventStore(immudb, undefined, metrics);
  const relay = new Relay(
    store,
    sidecar,
    log.child({ component: 'relay' }),
    database,
    envPositiveInt('RELAY_CHECKPOINT_MS', 60_000),
    metrics,
  );
  metrics.relayPosition(() => relay.status());

  const app = createHttpApp(log, [
    { name: 'immudb', check: async () => void (await immudb.currentState()) },
    { name: 'dapr-sidecar', check: () => sidecar.ready() },
  ]);
  app.use(requireAppToken(log));
  const audit = new AuditLog(immudb, daprTrustedStateStore(sidecar, database), new AnchorRecord(immudb));
  // Each commit wakes the relay (publish now) and any reader waiting at the head of the log.
  const watch = new LogWatch((tx) => relay.notify(tx));
  app.use(eventLogRoutes(store, audit, watch));
  app.get('/relay', (_req, res) => {
    res.json({ ...relay.status(), groupCommit: store.commitStats() });
  });
  finish(app, log);

  const server = app.listen(port, bindAddress(), () => log.info({ port }, 'event-source listening'));
  const logDb = await ensureLogDatabase(login, database);
  log.info({ database, ...logDb }, logDb.created ? 'event log database created' : 'event log database found');
  await immudb.open();
  await sidecar.waitUntilHealthy();
  await relay.start();
  exitOnSignals(log, [() => relay.stop(), () => immudb.close()], server);
}

main().catch((err) => {
  createLogger('event-source').fatal({ err }, 'event-source failed to start');
  process.exit(1);
});
