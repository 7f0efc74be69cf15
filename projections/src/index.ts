import { CommunicationProtocolEnum, DaprPubSubStatusEnum, DaprServer, LogLevel } from '@dapr/dapr';
import { ACCOUNT_EVENTS_TOPIC, EVENT_SOURCE_APP_ID, PublishedEventSchema, PUBSUB_NAME } from '@bank/domain';
import {
  bindAddress,
  createLogger,
  DaprSidecar,
  envPort,
  envString,
  EventLogClient,
  exitOnSignals,
  mountHealth,
  sidecarFromEnv,
} from '@bank/service-kit';
import { MongoClient } from 'mongodb';
import { Projector } from './projector';
import { ReadModel } from './read-model';

async function main(): Promise<void> {
  const log = createLogger('projections');
  const port = envPort('PROJECTIONS_PORT', 3004);
  const { host, httpPort } = sidecarFromEnv();
  const sidecar = new DaprSidecar({ host, httpPort });
  const mongo = new MongoClient(envString('MONGO_URL', 'mongodb://127.0.0.1:27017/'), {
    serverSelectionTimeoutMS: 5000,
  });
  await mongo.connect();
  const model = new ReadModel(mongo.db(envString('MONGO_DATABASE', 'bank')));
  await model.ensureIndexes();
  const projector = new Projector(
    model,
    new EventLogClient(sidecar, envString('EVENT_SOURCE_APP_ID', EVENT_SOURCE_APP_ID)),
    log,
  );

  const server = new DaprServer({
    serverHost: bindAddress(),
    serverPort: String(port),
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    clientOptions: { daprHost: host, daprPort: String(httpPort) },
    logger: { level: LogLevel.Warn },
  });
  const http = server.daprServer.getServer() as import('express').Express;
  mountHealth(http, [
    { name: 'mongodb', check: async () => void (await mongo.db('admin').command({ ping: 1 })) },
    { name: 'dapr-sidecar', check: () => sidecar.healthy() },
  ]);

  // The SDK acks a callback that throws as SUCCESS, so every path returns a status explicitly.
  await server.pubsub.subscribe(PUBSUB_NAME, ACCOUNT_EVENTS_TOPIC, async (data: unknown) => {
    const parsed = PublishedEventSchema.safeParse(data);
    if (!parsed.success) {
      log.error({ issues: parsed.error.issues }, 'unreadable event; dropped');
      return DaprPubSubStatusEnum.DROP;
    }
    try {
      const outcome = await projector.apply(parsed.data);
      log.debug({ streamId: parsed.data.streamId, version: parsed.data.version, outcome }, 'projected');
      return DaprPubSubStatusEnum.SUCCESS;
    } catch (err) {
      log.warn({ err, streamId: parsed.data.streamId, version: parsed.data.version }, 'projection failed; will retry');
      return DaprPubSubStatusEnum.RETRY;
    }
  });
  await server.start();
  log.info({ port }, 'projections listening');
  exitOnSignals(log, [() => server.stop(), () => mongo.close()]);
}

main().catch((err) => {
  createLogger('projections').fatal({ err }, 'projections failed to start');
  process.exit(1);
});
