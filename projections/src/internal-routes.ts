/**
 * The projections app's operational endpoints: the read-model rebuild (reached through Dapr
 * service invocation by `npm run projections:rebuild`; an admin's token required) and
 * Prometheus metrics.
 */
import type { Express, Request, RequestHandler, Response } from 'express';
import {
  allow,
  ApiError,
  authenticate,
  mountMetrics,
  sendProblem,
  type Logger,
  type TokenVerifier,
} from '@bank/service-kit';
import type { LagTracker } from './lag';
import { registerProjectionGauges } from './metrics';
import type { Rebuilder } from './rebuild';
import type { TransferSweep } from './transfer-sweep';

export function mountInternalRoutes(
  http: Pick<Express, 'get' | 'post'>,
  deps: {
    rebuilder: Rebuilder;
    lag: Pick<LagTracker, 'snapshot'>;
    sweep?: Pick<TransferSweep, 'status'>;
    log: Logger;
    verifyToken: TokenVerifier;
  },
): void {
  const adminOnly = [authenticate(deps.verifyToken), allow('admin')];
  /** Runs the handler for an admin; anyone else gets the 401 or 403 problem. */
  const forAdmin =
    (handler: (req: Request, res: Response) => Promise<void> | void) => async (req: Request, res: Response) => {
      const refused = await runMiddleware(adminOnly, req, res);
      if (refused) {
        sendProblem(res, ApiError.from(refused));
        return;
      }
      await handler(req, res);
    };
  const guarded =
    (handler: (req: Request, res: Response) => Promise<void> | void) => async (req: Request, res: Response) => {
      try {
        await handler(req, res);
      } catch (err) {
        deps.log.error({ err, path: req.path }, 'internal request failed');
        problem(res, 500, 'INTERNAL_ERROR', (err as Error).message);
      }
    };

  http.post(
    '/internal/rebuild',
    guarded(
      forAdmin(async (_req, res) => {
        const started = await deps.rebuilder.start();
        if (started.ok) res.status(202).json(started.status);
        else problem(res, 409, 'REBUILD_RUNNING', started.reason);
      }),
    ),
  );

  http.get(
    '/internal/rebuild',
    guarded(
      forAdmin((_req, res) => {
        res.json(deps.rebuilder.status());
      }),
    ),
  );

  const sweep = deps.sweep;
  registerProjectionGauges({
    lag: () => deps.lag.snapshot(),
    rebuild: () => deps.rebuilder.status(),
    ...(sweep ? { sweep: () => sweep.status() } : {}),
  });
  mountMetrics(http);
}

/** Runs express middlewares in turn; resolves with the error one passed on, if any. */
async function runMiddleware(chain: RequestHandler[], req: Request, res: Response): Promise<unknown> {
  for (const middleware of chain) {
    const err = await new Promise<unknown>((resolve) => void middleware(req, res, resolve));
    if (err) return err;
  }
  return undefined;
}

function problem(res: Response, status: number, code: string, detail: string): void {
  res
    .status(status)
    .type('application/problem+json')
    .json({
      type: `urn:bank:problem:${code.toLowerCase()}`,
      title: code === 'REBUILD_RUNNING' ? 'A rebuild is already running' : 'Internal error',
      status,
      detail,
      code,
    });
}
