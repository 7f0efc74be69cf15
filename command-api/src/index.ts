// First: tracing (when on) must load before http and express.
import './tracing';
import {
  bindAddress,
  corsOriginsFromEnv,
  createLogger,
  DaprSidecar,
  envPort,
  exitOnSignals,
  sidecarFromEnv,
  startProcessMetrics,
  rateLimitFromEnv,
  tokenVerifierFromEnv,
  withActorCallerToken,
} from '@bank/service-kit';
import { AccountActors } from './account-client';
import { AccountDirectory, existsInEventLog } from './account-directory';
import { buildApp } from './app';
import { TransferActors } from './transfer-client';

const ACTOR_CALL_TIMEOUT_MS = 45_000;

async function main(): Promise<void> {
  const log = createLogger('command-api');
  startProcessMetrics('command-api');
  const port = envPort('COMMAND_API_PORT', 3000);
  // Longer than the actor's whole append budget (20 s), and than a Transfer actor's start
  // (its debit plus at most 10 s more): an answer is never abandoned mid-way.
  const sidecar = new DaprSidecar({
    ...(await withActorCallerToken(sidecarFromEnv())),
    timeoutMs: ACTOR_CALL_TIMEOUT_MS,
  });
  const directory = new AccountDirectory(existsInEventLog(sidecar));
  const app = buildApp({
    log,
    actors: new AccountActors(sidecar, directory),
    transfers: new TransferActors(sidecar, directory),
    readiness: [{ name: 'dapr-sidecar', check: () => sidecar.ready() }],
    verifyToken: tokenVerifierFromEnv(),
    rateLimit: rateLimitFromEnv(),
    // The dashboard's origin (served by the query API), so its forms may send commands.
    corsOrigins: corsOriginsFromEnv(),
  });
  const server = app.listen(port, bindAddress(), () => log.info({ port }, 'command-api listening'));
  exitOnSignals(log, [], server);
}

main().catch((err) => {
  createLogger('command-api').fatal({ err }, 'command-api failed to start');
  process.exit(1);
});
