import { createHttpApp, finish, mountOpenApi, type Logger, type ReadinessCheck } from '@bank/service-kit';
import type { Express } from 'express';
import type { AccountActors } from './account-client';
import { commandApiDocument } from './openapi';
import { commandRoutes } from './routes';

/** The command API's HTTP app, without listening: the composition root and tests build it. */
export function buildApp(deps: { log: Logger; actors: AccountActors; readiness: ReadinessCheck[] }): Express {
  const app = createHttpApp(deps.log, deps.readiness);
  mountOpenApi(app, commandApiDocument());
  app.use(commandRoutes(deps.actors));
  finish(app, deps.log);
  return app;
}
