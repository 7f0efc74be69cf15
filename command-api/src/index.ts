import {
  bindAddress,
  createHttpApp,
  createLogger,
  DaprSidecar,
  envPort,
  exitOnSignals,
  finish,
  sidecarFromEnv,
} from '@bank/service-kit';
import { AccountActors } from './account-client';
import { commandRoutes } from './routes';

function main(): void {
  const log = createLogger('command-api');
  const port = envPort('COMMAND_API_PORT', 3000);
  const sidecar = new DaprSidecar(sidecarFromEnv());

  const app = createHttpApp(log, [{ name: 'dapr-sidecar', check: () => sidecar.healthy() }]);
  app.use(commandRoutes(new AccountActors(sidecar)));
  finish(app, log);

  const server = app.listen(port, bindAddress(), () => log.info({ port }, 'command-api listening'));
  exitOnSignals(log, [], server);
}

main();
