import type { Express, Router } from 'express';
import { authenticate, type TokenVerifier } from './auth';
import { cors } from './cors';
import { createHttpApp, finish, type ReadinessCheck } from './http';
import type { Logger } from './logger';
import { mountOpenApi, type openApiDocument } from './openapi';
import { rateLimit, type RateLimitOptions } from './rate-limit';

export type PublicApiGuard = {
  verifyToken: TokenVerifier;
  /** Per-principal limits (none when absent: tests of the routes alone). */
  rateLimit?: RateLimitOptions;
  /** Browser origins allowed to call the API from their pages (CORS); none when absent. */
  corsOrigins?: readonly string[];
};

/**
 * Every /api/v1 request of a public API: authenticated (401), then rate limited per principal
 * (429); a CORS preflight from an allowed origin is answered before, as browsers send it without a token.
 */
export function guardPublicApi(app: Express, guard: PublicApiGuard): void {
  if (guard.corsOrigins?.length) app.use(cors(guard.corsOrigins));
  app.use('/api/v1', authenticate(guard.verifyToken));
  if (guard.rateLimit) app.use('/api/v1', rateLimit(guard.rateLimit));
}

/**
 * A public API's HTTP app, without listening: health and readiness, the OpenAPI document, the
 * guard, the routers, and problem details for every error.
 */
export function buildPublicApp(
  opts: {
    log: Logger;
    readiness: ReadinessCheck[];
    document: ReturnType<typeof openApiDocument>;
    routers: Router[];
  } & PublicApiGuard,
): Express {
  const app = createHttpApp(opts.log, opts.readiness);
  mountOpenApi(app, opts.document);
  guardPublicApi(app, opts);
  for (const router of opts.routers) app.use(router);
  finish(app, opts.log);
  return app;
}
