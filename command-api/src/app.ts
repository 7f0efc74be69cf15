import { buildPublicApp, type Logger, type PublicApiGuard, type ReadinessCheck } from '@bank/service-kit';
import type { Express } from 'express';
import type { AccountActors } from './account-client';
import { commandApiDocument } from './openapi';
import { commandRoutes } from './routes';
import type { TransferActors } from './transfer-client';
import { transferRoutes } from './transfer-routes';

/** The command API's HTTP app, without listening: the composition root and tests build it. */
export function buildApp(
  deps: {
    log: Logger;
    actors: AccountActors;
    transfers: TransferActors;
    readiness: ReadinessCheck[];
  } & PublicApiGuard,
): Express {
  return buildPublicApp({
    ...deps,
    document: commandApiDocument(),
    routers: [commandRoutes(deps.actors), transferRoutes(deps.transfers)],
  });
}
