// First: tracing (when on) must load before http and express.
import './tracing';
import { EVENT_SOURCE_APP_ID } from '@bank/contracts';
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
  sidecarFromEnv,
  startProcessMetrics,
  rateLimitFromEnv,
  tokenVerifierFromEnv,
} from '@bank/service-kit';
import { MongoClient } from 'mongodb';
import { LogTail } from './live/log-tail';
import { scopeLookups } from './live/lookups';
import { DEFAULT_STREAM_LIMITS, type LiveStream } from './live/stream-route';
import { StreamScope } from './live/stream-scope';
import { liveReadCollections } from './read-model';
import { buildApp } from './app';

async function main(): Promise<void> {
  const log = createLogger('query-api');
  startProcessMetrics('query-api');
  const port = envPort('QUERY_API_PORT', 3001);
  const sidecar = new DaprSidecar(sidecarFromEnv());
  const mongo = new MongoClient(await readModelUrl(sidecar), readModelClientOptions());
  await mongo.connect();
  const db = mongo.db(envString('MONGO_DATABASE', 'bank'));
  const live = await liveReadCollections(db, log, envPositiveInt('READ_MODEL_POINTER_TTL_MS', 1_000));

  const eventLog = new EventLogClient(sidecar, envString('EVENT_SOURCE_APP_ID', EVENT_SOURCE_APP_ID));
  const streamLog = log.child({ component: 'live-stream' });
  const stream: LiveStream = {
    tail: new LogTail((afterTx, limit, waitMs) => eventLog.readLog(afterTx, limit, waitMs), streamLog),
    scope: new StreamScope(scopeLookups(live.read, eventLog)),
    limits: { ...DEFAULT_STREAM_LIMITS, heartbeatMs: envPositiveInt('STREAM_HEARTBEAT_MS', 15_000) },
    log: streamLog,
  };

  // A status page waits at most 3 s for an app that does not answer.
  const probes = new DaprSidecar({ ...sidecarFromEnv(), timeoutMs: 3_000 });
  const operations = {
    sidecar: probes,
    remoteApps: {
      'command-api': envString('COMMAND_API_APP_ID', 'command-api'),
      actors: envString('ACTORS_APP_ID', 'actors'),
      'event-source': envString('EVENT_SOURCE_APP_ID', EVENT_SOURCE_APP_ID),
      projections: envString('PROJECTIONS_APP_ID', 'projections'),
    },
  };

  const app = buildApp({
    log,
    read: live.read,
    eventLog,
    stream,
    operations,
    readiness: [
      { name: 'mongodb', check: async () => void (await db.command({ ping: 1 })) },
      { name: 'dapr-sidecar', check: () => sidecar.ready() },
      { name: 'read-model', check: async () => ({ generation: live.generation() }) },
    ],
    scanMinIntervalMs: envPositiveInt('SCAN_MIN_INTERVAL_MS', 1_000),
    verifyToken: tokenVerifierFromEnv(),
    rateLimit: rateLimitFromEnv(),
    // The dashboard's forms post to the command API at the address the browser knows it by.
    dashboard: { commandApiUrl: envString('PUBLIC_COMMAND_API_URL', 'http://127.0.0.1:3000') },
  });

  const server = app.listen(port, bindAddress(), () => log.info({ port }, 'query-api listening'));
  exitOnSignals(log, [() => live.stop(), () => mongo.close()], server);
}

main().catch((err) => {
  createLogger('query-api').fatal({ err }, 'query-api failed to start');
  process.exit(1);
});
