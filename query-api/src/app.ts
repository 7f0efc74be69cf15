import {
  authenticate,
  createHttpApp,
  finish,
  mountOpenApi,
  type EventLogClient,
  type Logger,
  type ReadinessCheck,
  rateLimit,
  type RateLimitOptions,
  type TokenVerifier,
} from '@bank/service-kit';
import type { Express } from 'express';
import { queryApiDocument } from './openapi';
import type { ReadCollections } from './read-model';
import { queryRoutes } from './routes';
import { transferRoutes, type TransferStatusSource } from './transfer-routes';

/** The query API's HTTP app, without listening: the composition root and tests build it. */
export function buildApp(deps: {
  log: Logger;
  read: ReadCollections;
  eventLog: Pick<EventLogClient, 'balanceAt' | 'audit'>;
  transferStatus: TransferStatusSource;
  readiness: ReadinessCheck[];
  verifyToken: TokenVerifier;
  /** Per-principal limits (none when absent: tests of the routes alone). */
  rateLimit?: RateLimitOptions;
}): Express {
  const app = createHttpApp(deps.log, deps.readiness);
  mountOpenApi(app, queryApiDocument());
  app.use('/api/v1', authenticate(deps.verifyToken));
  if (deps.rateLimit) app.use('/api/v1', rateLimit(deps.rateLimit));
  app.use(queryRoutes(deps.read, deps.eventLog));
  app.use(transferRoutes(deps.read, deps.transferStatus));
  finish(app, deps.log);
  return app;
}
