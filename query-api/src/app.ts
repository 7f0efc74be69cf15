import {
  buildPublicApp,
  type EventLogClient,
  type Logger,
  type PublicApiGuard,
  type ReadinessCheck,
} from '@bank/service-kit';
import type { Express } from 'express';
import { dashboardRoutes, type DashboardOptions } from './dashboard';
import { streamRoutes, type LiveStream } from './live/stream-route';
import { queryApiDocument } from './openapi';
import { operationsRoutes, type Operations } from './operations';
import type { ReadCollections } from './read-model';
import { accountRoutes } from './routes/accounts';
import { booksRoutes } from './routes/books';
import { historyRoutes } from './routes/history';
import { logRoutes } from './routes/log';
import { transferRoutes } from './routes/transfers';

/** The query API's HTTP app, without listening: the composition root and tests build it. */
export function buildApp(
  deps: {
    log: Logger;
    read: ReadCollections;
    eventLog: Pick<EventLogClient, 'balanceAt' | 'audit' | 'readAll'>;
    readiness: ReadinessCheck[];
    /** The operators' dashboard at `/` (absent in tests of the API routes). */
    dashboard?: DashboardOptions;
    /** The live event stream (absent in tests of the other routes). */
    stream?: LiveStream;
    /**
     * The reads that scan every account of a currency (top accounts) start at
     * least this far apart per currency (SCAN_MIN_INTERVAL_MS; default 1 000).
     */
    scanMinIntervalMs?: number;
    /** Where the operations status asks the other apps (absent in tests of the other routes). */
    operations?: Omit<Operations, 'ownReadiness'>;
  } & PublicApiGuard,
): Express {
  const scans = { minIntervalMs: deps.scanMinIntervalMs ?? 1_000 };
  return buildPublicApp({
    ...deps,
    document: queryApiDocument(),
    routers: [
      accountRoutes(deps.read),
      historyRoutes(deps.read),
      logRoutes(deps.read, deps.eventLog),
      transferRoutes(deps.read, deps.eventLog),
      booksRoutes(deps.read, scans),
      ...(deps.dashboard ? [dashboardRoutes(deps.dashboard)] : []),
      ...(deps.stream ? [streamRoutes(deps.stream)] : []),
      ...(deps.operations ? [operationsRoutes({ ...deps.operations, ownReadiness: deps.readiness })] : []),
    ],
  });
}
