import {
  bindAddress,
  DaprSidecar,
  createHttpApp,
  createLogger,
  envPort,
  envString,
  exitOnSignals,
  finish,
  sidecarFromEnv,
} from '@bank/service-kit';
import { AuditLog } from './audit/audit-log';
import { daprTrustedStateStore } from './audit/trusted-state';
import { EventStore } from './event-store';
import { ImmuClient } from './immudb/client';
import { Relay } from './relay';
import { eventLogRoutes } from './routes';

async function main(): Promise<void> {
  const log = createLogger('event-source');
  const port = envPort('EVENT_SOURCE_PORT', 3003);
  const sidecar = new DaprSidecar(sidecarFromEnv());
  const database = envString('IMMUDB_DATABASE', 'defaultdb');
  const immudb = new ImmuClient({
    address: envString('IMMUDB_ADDRESS', '127.0.0.1:3322'),
    user: envString('IMMUDB_USER', 'immudb'),
    password: envString('IMMUDB_PASSWORD'),
    database,
  });
  const store = new EventStore(immudb);
  const relay = new Relay(store, sidecar, log.child({ component: 'relay' }));

  const app = createHttpApp(log, [
    { name: 'immudb', check: async () => void (await immudb.currentState()) },
    { name: 'dapr-sidecar', check: () => sidecar.healthy() },
  ]);
  const audit = new AuditLog(immudb, daprTrustedStateStore(sidecar, database));
  app.use(eventLogRoutes(store, audit, (tx) => relay.notify(tx)));
  app.get('/relay', (_req, res) => {
    res.json(relay.status());
  });
  finish(app, log);

  const server = app.listen(port, bindAddress(), () => log.info({ port }, 'event-source listening'));
  await immudb.open();
  await sidecar.waitUntilHealthy();
  await relay.start();
  exitOnSignals(log, [() => relay.stop(), () => immudb.close()], server);
}

main().catch((err) => {
  createLogger('event-source').fatal({ err }, 'event-source failed to start');
  process.exit(1);
});
