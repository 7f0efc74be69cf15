import { bindAddress, createLogger, DaprSidecar, envPort, exitOnSignals, sidecarFromEnv } from '@bank/service-kit';
import { AccountActors } from './account-client';
import { buildApp } from './app';

function main(): void {
  const log = createLogger('command-api');
  const port = envPort('COMMAND_API_PORT', 3000);
  const sidecar = new DaprSidecar(sidecarFromEnv());
  const app = buildApp({
    log,
    actors: new AccountActors(sidecar),
    readiness: [{ name: 'dapr-sidecar', check: () => sidecar.healthy() }],
  });
  const server = app.listen(port, bindAddress(), () => log.info({ port }, 'command-api listening'));
  exitOnSignals(log, [], server);
}

main();
