// `npm run projections:rebuild`: rebuilds the whole read model of a running stack from the log
// into a fresh generation and switches to it (the work runs in the projections app; see
// projections/src/rebuild.ts). Finds the stack by its port block (BANK_PORT_BASE, as `npm start`),
// starts the rebuild through Dapr service invocation and shows its progress until it is done.
// On Kubernetes, run the Job deploy/kubernetes/jobs/rebuild.yaml (the same client, from the
// projections image); or forward a port to the projections pod's sidecar and name it here:
//   kubectl -n bank port-forward deploy/projections 3500:3500 &
//   PROJECTIONS_DAPR_URL=http://127.0.0.1:3500 BANK_TOKEN=<an admin's token> \
//   DAPR_API_TOKEN=<the projections sidecar's API token> npm run projections:rebuild
// Locally it signs an admin token with the stack's development issuer and reads the sidecar's
// API token from the stack's data directory (BANK_DATA_DIR, default .data).
//   exit 0: rebuilt and switched; 1: the rebuild failed; 2: another rebuild is running; 3: no stack
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { mintToken } from './stack/dev-issuer.mjs';
import { daprAppId, portLayout, RUN_PORT_BASE } from './stack/ports.mjs';
import { installationSecrets } from './stack/secrets.mjs';
import { REPO_ROOT } from './stack/stack.mjs';

const cluster = process.env.PROJECTIONS_DAPR_URL?.replace(/\/+$/, '');
const sidecar = cluster
  ? `${cluster}/v1.0`
  : `http://127.0.0.1:${portLayout(RUN_PORT_BASE).apps.projections.daprHTTPPort}/v1.0`;
const appId = cluster ? 'projections' : daprAppId(RUN_PORT_BASE, 'projections');
const endpoint = `${sidecar}/invoke/${appId}/method/internal/rebuild`;
const tty = process.stdout.isTTY === true;
const dataDir = path.resolve(process.env.BANK_DATA_DIR ?? path.join(REPO_ROOT, '.data'));
let authorization;
const auth = async () =>
  (authorization ??= `Bearer ${
    process.env.BANK_TOKEN ?? (await mintToken(dataDir, { sub: 'operator:projections-rebuild', roles: ['admin'] }))
  }`);
const sidecarToken = () =>
  cluster ? (process.env.DAPR_API_TOKEN ?? '') : installationSecrets(dataDir).daprApiTokens.projections;

async function main() {
  try {
    await fetch(`${sidecar}/healthz`, { signal: AbortSignal.timeout(3_000) });
  } catch {
    console.error(
      cluster
        ? `The projections sidecar at ${cluster} does not answer (is the port-forward running?).`
        : `No running stack on port block ${RUN_PORT_BASE} (projections sidecar ${sidecar} does not answer).\n` +
            'Start it with `npm start`, or set BANK_PORT_BASE to the block it runs on.',
    );
    return 3;
  }
  // The same client as the Kubernetes Job's (projections/src/rebuild-client.ts).
  const { followRebuild, httpRebuildCall } = projectionsModule('rebuild-client.js');
  const call = httpRebuildCall(endpoint, async () => ({
    authorization: await auth(),
    'dapr-api-token': sidecarToken(),
  }));
  return followRebuild(call, { log: console.log, error: console.error, tty });
}

/** The projections app's compiled code (npm run build), so the script and the Job share one client. */
function projectionsModule(file) {
  const full = path.join(REPO_ROOT, 'projections', 'dist', file);
  if (!fs.existsSync(full)) throw new Error(`${full} is missing: run \`npm run build\` first`);
  return createRequire(import.meta.url)(full);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`Rebuild: ${err.stack ?? err}`);
    process.exit(1);
  },
);
