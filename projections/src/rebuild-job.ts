/**
 * The read-model rebuild as a Kubernetes Job (deploy/kubernetes/jobs/rebuild.yaml): runs beside
 * its own Dapr sidecar (app id read-model-rebuild, which the projections app's access-control
 * policy lets start and follow a rebuild), follows the rebuild to its end like
 * `npm run projections:rebuild`, then shuts its sidecar down so that the Job's pod completes.
 *
 *   BANK_TOKEN            an admin's bearer token from the issuer the APIs trust (the route needs one)
 *   DAPR_API_TOKEN        the sidecar's API token; DAPR_HTTP_PORT (set by Dapr)
 *   PROJECTIONS_APP_ID    the projections app's Dapr app id (default projections)
 *   SHUTDOWN_SIDECAR      false to leave the sidecar running (a test that borrows one)
 */
import { createLogger, DaprSidecar, envString, sidecarFromEnv } from '@bank/service-kit';
import { followRebuild, httpRebuildCall } from './rebuild-client';

async function main(): Promise<number> {
  const log = createLogger('rebuild-job');
  const dapr = sidecarFromEnv();
  const sidecar = new DaprSidecar(dapr);
  const token = envString('BANK_TOKEN');
  const appId = envString('PROJECTIONS_APP_ID', 'projections');
  const endpoint = `http://${dapr.host}:${dapr.httpPort}/v1.0/invoke/${encodeURIComponent(appId)}/method/internal/rebuild`;
  const headers = { authorization: `Bearer ${token}`, ...(dapr.apiToken ? { 'dapr-api-token': dapr.apiToken } : {}) };
  const call = httpRebuildCall(endpoint, async () => headers);
  try {
    await sidecar.waitUntilHealthy(120_000);
    return await followRebuild(call, {
      log: (line) => log.info(line),
      error: (line) => log.error(line),
      tty: false,
    });
  } finally {
    if (process.env.SHUTDOWN_SIDECAR !== 'false') {
      await fetch(`http://${dapr.host}:${dapr.httpPort}/v1.0/shutdown`, {
        method: 'POST',
        headers: dapr.apiToken ? { 'dapr-api-token': dapr.apiToken } : {},
      }).catch(() => undefined);
    }
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    createLogger('rebuild-job').fatal({ err }, 'rebuild job failed');
    process.exit(1);
  },
);
