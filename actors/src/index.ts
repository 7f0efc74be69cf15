import { BANK_ACCOUNT_ACTOR_TYPE, EVENT_SOURCE_APP_ID, TRANSFER_ACTOR_TYPE } from '@bank/domain';
import { CommunicationProtocolEnum, DaprServer, LogLevel } from '@dapr/dapr';
import {
  bindAddress,
  createLogger,
  DaprSidecar,
  envPort,
  envString,
  envPositiveInt,
  EventLogClient,
  exitOnSignals,
  mountHealth,
  requireAppToken,
  sdkHttpApp,
  sidecarFromEnv,
} from '@bank/service-kit';
import { onlyPublicActorMethods } from './actor-methods';
import { bankAccountActor } from './bank-account-actor';
import { TransferMetrics } from './metrics';
import { tolerateDeactivationOfInactiveActors } from './sdk-deactivation';
import { Ping } from './ping-actor';
import { transferActor } from './transfer/transfer-actor';

/** What each actor type answers to; the SDK's hooks and private helpers are not among them. */
const PUBLIC_ACTOR_METHODS = {
  [BANK_ACCOUNT_ACTOR_TYPE]: ['execute', 'transferStep', 'view'],
  [TRANSFER_ACTOR_TYPE]: ['start', 'status', 'resume'],
  Ping: ['ping'],
};

async function main(): Promise<void> {
  const log = createLogger('actors');
  const port = envPort('ACTORS_PORT', 3002);
  const dapr = sidecarFromEnv();
  const { host, httpPort } = dapr;
  // Calls to event-source fail fast enough that the actor's own retry budget holds.
  const sidecar = new DaprSidecar({ ...dapr, timeoutMs: 8_000 });

  const server = new DaprServer({
    serverHost: bindAddress(),
    serverPort: String(port),
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    clientOptions: { daprHost: host, daprPort: String(httpPort), daprApiToken: dapr.apiToken },
    logger: { level: LogLevel.Warn },
  });
  const http = sdkHttpApp(server);
  // Before the SDK mounts its routes: every call but the probes must come from the sidecar, and
  // names a method the actor type offers (the SDK would dispatch any name, private ones included).
  http.use(requireAppToken(log));
  http.use(onlyPublicActorMethods(PUBLIC_ACTOR_METHODS));
  mountHealth(http, [{ name: 'dapr-sidecar', check: () => sidecar.healthy() }]);
  const metrics = new TransferMetrics();
  http.get('/metrics', (_req, res) => {
    res.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.prometheusText());
  });

  tolerateDeactivationOfInactiveActors(log);
  await server.actor.init();
  const snapshotEvery = envPositiveInt('SNAPSHOT_EVERY', 100);
  const eventLog = new EventLogClient(sidecar, envString('EVENT_SOURCE_APP_ID', EVENT_SOURCE_APP_ID));
  const internalToken = envString('ACTORS_INTERNAL_TOKEN');
  await server.actor.registerActor(
    bankAccountActor({
      eventLog,
      sidecar,
      log,
      snapshotEvery,
      internalToken,
    }),
  );
  await server.actor.registerActor(
    transferActor({
      // Account commands may take the actor's whole append budget: wait longer than that.
      sidecar: new DaprSidecar({ ...dapr, timeoutMs: 25_000 }),
      eventLog,
      log,
      retrySeconds: envPositiveInt('TRANSFER_RETRY_SECONDS', 10),
      metrics,
      internalToken,
    }),
  );
  await server.actor.registerActor(Ping);
  await server.start();
  log.info({ port }, 'actors host listening');
  exitOnSignals(log, [() => server.stop()]);
}

main().catch((err) => {
  createLogger('actors').fatal({ err }, 'actors failed to start');
  process.exit(1);
});
