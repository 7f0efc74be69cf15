/**
 * `GET /api/v1/operations/status` (staff): is every app ready, and how far behind the log is the
 * read model — what the dashboard's health page shows. Each app's own `/readyz` is asked through
 * Dapr service invocation (each app's access policy lets the query API read it, nothing else);
 * the projections app's readiness carries the projection lag. At most one round of asking runs
 * at a time, shared by the requests that wait for it, and a round is reused for a second.
 */
import {
  SidecarError,
  readinessReport,
  allow,
  type CheckResult,
  type DaprSidecar,
  type ReadinessCheck,
} from '@bank/service-kit';
import { Router } from 'express';
import { Coalescer } from './coalesce';
import { STAFF } from './queries';

export type AppStatus = { appId: string; ready: boolean; checks?: CheckResult[]; error?: string };

/** The readiness of one app, by its public name. */
export type ReadinessProbe = (app: string) => Promise<AppStatus>;

/** The apps of the system, in the order the status lists them. */
export const APPS = ['command-api', 'query-api', 'actors', 'event-source', 'projections'] as const;

export type Operations = {
  /** The apps whose readiness is asked through Dapr, by public name → Dapr app id. */
  remoteApps: Record<string, string>;
  sidecar: Pick<DaprSidecar, 'invoke'>;
  /** This app's own checks. */
  ownReadiness: ReadinessCheck[];
};

export function operationsRoutes(ops: Operations, reuseMs = 1_000): Router {
  const router = Router();
  const rounds = new Coalescer<{ checkedAt: string; apps: AppStatus[] }>();
  let last: { at: number; answer: { checkedAt: string; apps: AppStatus[] } } | undefined;

  const probe: ReadinessProbe = async (app) => {
    if (app === 'query-api') {
      const report = await readinessReport(ops.ownReadiness);
      return { appId: app, ready: report.status === 'ready', checks: report.checks };
    }
    try {
      const body = (await ops.sidecar.invoke(ops.remoteApps[app]!, 'readyz', 'GET')) as { checks?: CheckResult[] };
      return { appId: app, ready: true, ...(Array.isArray(body?.checks) ? { checks: body.checks } : {}) };
    } catch (err) {
      const body = err instanceof SidecarError ? (err.body as { checks?: unknown } | undefined) : undefined;
      if (err instanceof SidecarError && err.status === 503 && Array.isArray(body?.checks)) {
        return { appId: app, ready: false, checks: body.checks as CheckResult[] };
      }
      return { appId: app, ready: false, error: 'did not answer through Dapr' };
    }
  };

  router.get('/api/v1/operations/status', allow(...STAFF), async (_req, res) => {
    if (!last || Date.now() - last.at > reuseMs) {
      const answer = await rounds.run('status', async () => ({
        checkedAt: new Date().toISOString(),
        apps: await Promise.all(APPS.map(probe)),
      }));
      last = { at: Date.now(), answer };
    }
    const { checkedAt, apps } = last.answer;
    const lag = apps.find((a) => a.appId === 'projections')?.checks?.find((c) => c.name === 'projection-lag');
    res.json({ checkedAt, apps, projection: lag?.details ?? null });
  });

  return router;
}
