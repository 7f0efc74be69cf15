import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { ZodError, ZodType } from 'zod';
import type { Logger } from './logger';
import { httpMetricsMiddleware, mountMetrics } from './metrics';
import { traceContextMiddleware } from './trace-context';
import { ApiError, sendProblem } from './problem';

export const CORRELATION_HEADER = 'x-correlation-id';
const CORRELATION_ID = /^[\x21-\x7e]{1,200}$/;

declare module 'express-serve-static-core' {
  interface Request {
    correlationId: string;
    log: Logger;
  }
}

/**
 * A readiness probe: resolves when the dependency answers, rejects with why it does not. What it
 * resolves with (if anything) is shown as the check's `details`.
 */
export type ReadinessCheck = { name: string; check: () => Promise<unknown> };

/**
 * An express app with the behaviour every service shares: JSON bodies up to 64 KiB, a
 * correlation id in and out, request metrics and `/metrics`, `/healthz` and `/readyz`, and
 * problem details for every error.
 * Call `finish(app)` after mounting the routes.
 */
export function createHttpApp(logger: Logger, readiness: ReadinessCheck[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(httpMetricsMiddleware());
  app.use(traceContextMiddleware());
  app.use((req, res, next) => {
    const incoming = req.header(CORRELATION_HEADER);
    req.correlationId = incoming && CORRELATION_ID.test(incoming) ? incoming : randomUUID();
    req.log = logger.child({ correlationId: req.correlationId });
    res.setHeader('X-Correlation-Id', req.correlationId);
    next();
  });
  mountHealth(app, readiness);
  mountMetrics(app);
  app.use(express.json({ limit: '64kb', strict: true, type: ['application/json', 'application/*+json'] }));
  return app;
}

/**
 * `/healthz` (the process answers) and `/readyz` (200 only when every dependency answers, with
 * each check's result in the body). Also used on the Dapr SDK's own express app.
 */
export function mountHealth(app: Pick<Express, 'get'>, readiness: ReadinessCheck[]): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const report = await readinessReport(readiness);
    res.status(report.status === 'ready' ? 200 : 503).json(report);
  });
}

/** One readiness check's result, as `/readyz` shows it. */
export type CheckResult = { name: string; ok: boolean; details?: unknown; error?: string };
export type ReadinessReport = { status: 'ready' | 'not ready'; checks: CheckResult[] };

/** Runs every check at once: ready when all pass. */
export async function readinessReport(readiness: ReadinessCheck[]): Promise<ReadinessReport> {
  const checks = await Promise.all(
    readiness.map(async ({ name, check }): Promise<CheckResult> => {
      try {
        const details = await check();
        return details === undefined ? { name, ok: true } : { name, ok: true, details };
      } catch (err) {
        return { name, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
  return { status: checks.every((r) => r.ok) ? 'ready' : 'not ready', checks };
}

/** Mounts the not-found and error handlers; call last. */
export function finish(app: Express, logger: Logger): void {
  app.use((req, _res, next) => next(new ApiError('ROUTE_NOT_FOUND', `no route for ${req.method} ${req.path}`)));
  // Express recognises error handlers by their four parameters.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const apiError = fromHttpError(err);
    if (apiError.status >= 500) (req.log ?? logger).error({ err }, 'request failed');
    sendProblem(res, apiError);
  });
}

function fromHttpError(err: unknown): ApiError {
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.too.large') return new ApiError('PAYLOAD_TOO_LARGE', 'request body is larger than 64 KiB');
  if (type === 'entity.parse.failed') return new ApiError('VALIDATION_FAILED', 'request body is not valid JSON');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new ApiError('VALIDATION_FAILED', 'unsupported body encoding');
  }
  return ApiError.from(err);
}

/** Turns a zod failure into the contract's VALIDATION_FAILED with one entry per field. */
export function validationError(error: ZodError, where = 'body'): ApiError {
  return new ApiError(
    'VALIDATION_FAILED',
    `invalid ${where}`,
    error.issues.map((issue) => ({
      path: [where, ...issue.path.map(String)].join('.'),
      message: issue.message,
    })),
  );
}

/** Parses request input with a zod schema; failures become 400 VALIDATION_FAILED. */
export function parseInput<T>(schema: ZodType<T>, value: unknown, where: 'body' | 'path' | 'query'): T {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}
