// First: tracing (when on) must load before http and express.
import './tracing';
import { CommunicationProtocolEnum, DaprPubSubStatusEnum, DaprServer, LogLevel } from '@dapr/dapr';
import {
  ACCOUNT_EVENTS_TOPIC,
  AccountEventsMessageSchema,
  EVENT_SOURCE_APP_ID,
  eventsOf,
  PUBSUB_NAME,
  TRANSFER_ACTOR_TYPE,
  TransferResultSchema,
  type TransferResult,
} from '@bank/contracts';
import {
  bindAddress,
  createLogger,
  DaprSidecar,
  envPort,
  envPositiveInt,
  envString,
  readModelClientOptions,
  readModelUrl,
  EventLogClient,
  exitOnSignals,
  httpMetricsMiddleware,
  traceContextMiddleware,
  invokeActorWhenPlaced,
  type Logger,
  mountHealth,
  requireAppToken,
  sdkHttpApp,
  sidecarFromEnv,
  startProcessMetrics,
  withActorCallerToken,
  tokenVerifierFromEnv,
} from '@bank/service-kit';
import { MongoClient } from 'mongodb';
import { Generations } from './generations';
import { mountInternalRoutes } from './internal-routes';
import { LagTracker } from './lag';
import { ProjectionMetrics } from './metrics';
import { Projectors } from './projectors';
import type { ReadModel } from './read-model';
import { Rebuilder } from './rebuild';
import { TransferSweep } from './transfer-sweep';
import { chooseGuardMode } from './version-guard';

async function main(): Promise<void> {
  const log = createLogger('projections');
  startProcessMetrics('projections');
  const port = envPort('PROJECTIONS_PORT', 3004);
  const dapr = await withActorCallerToken(sidecarFromEnv());
  const { host, httpPort } = dapr;
  const sidecar = new DaprSidecar(dapr);
  const mongo = new MongoClient(await readModelUrl(sidecar), readModelClientOptions());
  await mongo.connect();
  const db = mongo.db(envString('MONGO_DATABASE', 'bank'));
  const eventLog = new EventLogClient(sidecar, envString('EVENT_SOURCE_APP_ID', EVENT_SOURCE_APP_ID));
  const generations = new Generations(db, envPositiveInt('READ_MODEL_POINTER_TTL_MS', 1_000));
  const guards = await chooseGuardMode(db, envString('READ_MODEL_GUARDS', 'auto'));
  log.info(
    { guards },
    'version-guarded writes: condition checked by the %s',
    guards === 'server' ? 'server' : 'projector',
  );
  const projectors = new Projectors(db, eventLog, log, guards);
  await projectors.model(await generations.live()).ensureIndexes();
  const lag = new LagTracker({
    generations,
    projectors,
    eventLog,
    log: log.child({ component: 'lag' }),
    pollMs: envPositiveInt('PROJECTION_LAG_POLL_MS', 1_000),
    heal: {
      afterMs: envPositiveInt('PROJECTION_HEAL_AFTER_MS', 10_000),
      apply: (generation, events) => projectors.projector(generation).applyAll(events),
    },
  });
  const rebuilder = new Rebuilder({
    generations,
    projectors,
    eventLog,
    lag,
    log: log.child({ component: 'rebuild' }),
    options: {
      batchTxs: envPositiveInt('REBUILD_BATCH_TXS', 5_000),
      concurrency: envPositiveInt('REBUILD_CONCURRENCY', 4),
      // Long enough for every process to have re-read the live pointer (its cache TTL) twice.
      switchSettleMs: 2 * envPositiveInt('READ_MODEL_POINTER_TTL_MS', 1_000) + 500,
      dropAfterMs: envPositiveInt('REBUILD_DROP_AFTER_MS', 10_000),
    },
  });

  const sweep = new TransferSweep({
    transfers: async () => projectors.model(await generations.live()).transfers,
    resume: (transferId) => resumeTransfer(sidecar, transferId),
    log: log.child({ component: 'transfer-sweep' }),
    everyMs: envPositiveInt('TRANSFER_SWEEP_EVERY_MS', 30_000),
    olderThanMs: envPositiveInt('TRANSFER_SWEEP_AFTER_MS', 30_000),
  });

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
  // Before the SDK mounts its routes: every call but the probes must come from the sidecar.
  http.use(requireAppToken(log));
  mountHealth(http, [
    { name: 'mongodb', check: async () => void (await mongo.db('admin').command({ ping: 1 })) },
    { name: 'dapr-sidecar', check: () => sidecar.ready() },
    // Reported, never failing: a lagging projection must keep receiving events to catch up.
    { name: 'projection-lag', check: async () => lag.snapshot() },
  ]);
  mountInternalRoutes(http, { rebuilder, lag, sweep, log, verifyToken: tokenVerifierFromEnv() });

  const throughput = new ProjectionMetrics();
  // The SDK acks a callback that throws as SUCCESS, so every path returns a status explicitly.
  await server.pubsub.subscribe(PUBSUB_NAME, ACCOUNT_EVENTS_TOPIC, async (data: unknown) => {
    const done = throughput.batch();
    const parsed = AccountEventsMessageSchema.safeParse(data);
    if (!parsed.success) {
      log.error({ issues: parsed.error.issues }, 'unreadable message; dropped');
      done('dropped');
      return DaprPubSubStatusEnum.DROP;
    }
    // Accounts' and transfers' own streams alike (projector.ts).
    const events = eventsOf(parsed.data);
    if (events.length === 0) {
      done('applied');
      return DaprPubSubStatusEnum.SUCCESS;
    }
    try {
      // The live generation, and during a rebuild the one being built (see rebuild.ts). Each
      // stream's events of the message go in as one run, the accounts it opens all at once; a
      // redelivered message is skipped event by event (version guards), so a retry is safe.
      const [live, ...building] = await generations.writeTargets();
      await projectors.projector(live!).applyMessage(events);
      for (const g of building) await projectors.projector(g).applyMessage(events);
      for (const e of events) lag.noteApplied(live!, e.streamId, e.version);
      log.debug({ events: events.length, lastTx: events[events.length - 1]!.logTx }, 'projected');
      done('applied', events.length);
      return DaprPubSubStatusEnum.SUCCESS;
    } catch (err) {
      log.warn({ err, events: events.length, firstTx: events[0]!.logTx }, 'projection failed; will retry');
      done('retry');
      return DaprPubSubStatusEnum.RETRY;
    }
  });
  await server.start();
  lag.start();
  sweep.start();
  log.info({ port }, 'projections listening');
  void upgradeLayout(projectors.model(await generations.live()), rebuilder, log);
  exitOnSignals(log, [() => lag.stop(), () => sweep.stop(), () => server.stop(), () => mongo.close()]);
}

/**
 * A read model written by an earlier version of this app (its account documents are of an
 * earlier layout, e.g. without history buckets) is rebuilt from the log at start, while the live
 * one keeps serving; until the switch, the query API answers such an account's history with 503.
 */
async function upgradeLayout(model: ReadModel, rebuilder: Rebuilder, log: Logger): Promise<void> {
  try {
    if (!(await model.hasEarlierLayout())) return;
    const started = await rebuilder.start();
    log.warn(
      started.ok ? { generation: started.status.generation } : { reason: started.reason },
      started.ok
        ? 'the read model is of an earlier layout: rebuilding it from the log (progress: GET /internal/rebuild)'
        : 'the read model is of an earlier layout, and a rebuild could not start: run npm run projections:rebuild',
    );
  } catch (err) {
    log.error({ err }, 'could not check the read model layout; run npm run projections:rebuild if it is old');
  }
}

/** Asks a Transfer actor to drive its transfer from the log (see transfer-sweep.ts). */
async function resumeTransfer(sidecar: DaprSidecar, transferId: string): Promise<TransferResult> {
  try {
    const parsed = TransferResultSchema.safeParse(
      await invokeActorWhenPlaced(sidecar, TRANSFER_ACTOR_TYPE, transferId, 'resume', {}),
    );
    if (parsed.success) return parsed.data;
  } catch {
    // answered below
  }
  return { ok: false, error: { code: 'SERVICE_UNAVAILABLE', message: 'the transfer service did not answer' } };
}

main().catch((err) => {
  createLogger('projections').fatal({ err }, 'projections failed to start');
  process.exit(1);
});
