// First: tracing (when on) must load before http and express.
import './tracing';
import { BANK_ACCOUNT_ACTOR_TYPE, EVENT_SOURCE_APP_ID, TRANSFER_ACTOR_TYPE } from '@bank/contracts';
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
  httpMetricsMiddleware,
  traceContextMiddleware,
  mountHealth,
  mountMetrics,
  requireAppToken,
  requiredCredential,
  sdkHttpApp,
  sidecarFromEnv,
  startProcessMetrics,
} from '@bank/service-kit';
import { guardActorCalls, type ActorCallTable } from './actor-methods';
import { bankAccountActor } from './bank-account-actor';
import { TransferMetrics } from './metrics';
import { tolerateDeactivationOfInactiveActors } from './sdk-deactivation';
import { Ping } from './ping-actor';
import { transferActor } from './transfer/transfer-actor';

/**
 * What each actor type answers to, and to which app (the SDK's hooks and private helpers are not
 * among them): commands come from command-api, transfer steps and account views from the
 * Transfer actor in this app, a transfer's status from query-api, and the sweep of stranded
 * transfers from projections. Ping is the benchmarks' empty actor.
 */
const ACTOR_CALLS: ActorCallTable = {
  [BANK_ACCOUNT_ACTOR_TYPE]: { execute: ['command-api'], transferStep: ['actors'], view: ['actors'] },
  [TRANSFER_ACTOR_TYPE]: { start: ['command-api'], resume: ['projections'] },
  Ping: { ping: ['*'] },
};

/**
 * The secret of each app that calls actors: this app's own, and the others', each from its
 * environment variable or its secret (service-kit credentials.ts).
 */
async function actorCallerTokens(sidecar: DaprSidecar): Promise<Record<string, string>> {
  const names = {
    actors: 'ACTOR_CALLER_TOKEN',
    'command-api': 'ACTOR_CALLER_TOKEN_COMMAND_API',
    projections: 'ACTOR_CALLER_TOKEN_PROJECTIONS',
  };
  const tokens: Record<string, string> = {};
  for (const [app, name] of Object.entries(names)) tokens[app] = await requiredCredential(sidecar, name);
  return tokens;
}

async function main(): Promise<void> {
  const log = createLogger('actors');
  startProcessMetrics('actors');
  const port = envPort('ACTORS_PORT', 3002);
  const fromEnv = sidecarFromEnv();
  const callers = await actorCallerTokens(new DaprSidecar(fromEnv));
  const dapr = { ...fromEnv, actorCallerToken: callers.actors };
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
  http.use(httpMetricsMiddleware());
  http.use(traceContextMiddleware());
  // Before the SDK mounts its routes: every call but the probes must come from the sidecar, name
  // a method the actor type offers (the SDK would dispatch any name, private ones included), and
  // come from an app that method answers.
  http.use(requireAppToken(log));
  http.use(guardActorCalls(ACTOR_CALLS, callers));
  mountHealth(http, [{ name: 'dapr-sidecar', check: () => sidecar.ready() }]);
  mountMetrics(http);
  const metrics = new TransferMetrics();

  tolerateDeactivationOfInactiveActors(log);
  await server.actor.init();
  const snapshotEvery = envPositiveInt('SNAPSHOT_EVERY', 100);
  const eventLog = new EventLogClient(sidecar, envString('EVENT_SOURCE_APP_ID', EVENT_SOURCE_APP_ID));
  await server.actor.registerActor(
    bankAccountActor({
      eventLog,
      sidecar,
      log,
      snapshotEvery,
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
