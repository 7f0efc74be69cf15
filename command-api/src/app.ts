import {
  authenticate,
  createHttpApp,
  finish,
  mountOpenApi,
  type Logger,
  type ReadinessCheck,
  rateLimit,
  type RateLimitOptions,
  type TokenVerifier,
} from '@bank/service-kit';
import type { Express } from 'express';
import type { AccountActors } from './account-client';
import { commandApiDocument } from './openapi';
import { commandRoutes } from './routes';
import type { TransferActors } from './transfer-client';
import { transferRoutes } from './transfer-routes';

/** The command API's HTTP app, without listening: the composition root and tests build it. */
export function buildApp(deps: {
  log: Logger;
  actors: AccountActors;
  transfers: TransferActors;
  readiness: ReadinessCheck[];
  verifyToken: TokenVerifier;
  /** Per-principal limits (none when absent: tests of the routes alone). */
  rateLimit?: RateLimitOptions;
}): Express {
  const app = createHttpApp(deps.log, deps.readiness);
  mountOpenApi(app, commandApiDocument());
  app.use('/api/v1', authenticate(deps.verifyToken));
  if (deps.rateLimit) app.use('/api/v1', rateLimit(deps.rateLimit));
  app.use(commandRoutes(deps.actors));
  app.use(transferRoutes(deps.transfers));
  finish(app, deps.log);
  return app;
}
