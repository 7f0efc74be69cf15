import { EVENT_SOURCE_APP_ID } from '@bank/domain';
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
  withActorCallerToken,
  rateLimitFromEnv,
  tokenVerifierFromEnv,
} from '@bank/service-kit';
import { MongoClient } from 'mongodb';
import { liveReadCollections } from './read-model';
import { buildApp } from './app';
import { transferStatusFromActors } from './transfer-routes';

async function main(): Promise<void> {
  const log = createLogger('query-api');
  startProcessMetrics('query-api');
  const port = envPort('QUERY_API_PORT', 3001);
  const sidecar = new DaprSidecar(await withActorCallerToken(sidecarFromEnv()));
  const mongo = new MongoClient(await readModelUrl(sidecar), readModelClientOptions());
  await mongo.connect();
  const db = mongo.db(envString('MONGO_DATABASE', 'bank'));
  const live = await liveReadCollections(db, log, envPositiveInt('READ_MODEL_POINTER_TTL_MS', 1_000));

  const app = buildApp({
    log,
    read: live.read,
    eventLog: new EventLogClient(sidecar, envString('EVENT_SOURCE_APP_ID', EVENT_SOURCE_APP_ID)),
    transferStatus: transferStatusFromActors(sidecar),
    readiness: [
      { name: 'mongodb', check: async () => void (await db.command({ ping: 1 })) },
      { name: 'dapr-sidecar', check: () => sidecar.ready() },
      { name: 'read-model', check: async () => ({ generation: live.generation() }) },
    ],
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
