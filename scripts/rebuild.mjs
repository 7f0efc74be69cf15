// `npm run projections:rebuild`: rebuilds the whole read model of a running stack from the log
// into a fresh generation and switches to it (the work runs in the projections app; see
// projections/src/rebuild.ts). Finds the stack by its port block (BANK_PORT_BASE, as `npm start`),
// starts the rebuild through Dapr service invocation and shows its progress until it is done.
// On Kubernetes, forward a port to the projections pod's sidecar and name it instead:
//   kubectl -n bank port-forward deploy/projections 3500:3500 &
//   PROJECTIONS_DAPR_URL=http://127.0.0.1:3500 BANK_TOKEN=<an admin's token> \
//   DAPR_API_TOKEN=<the projections sidecar's API token> npm run projections:rebuild
// Locally it signs an admin token with the stack's development issuer and reads the sidecar's
// API token from the stack's data directory (BANK_DATA_DIR, default .data).
//   exit 0: rebuilt and switched; 1: the rebuild failed; 2: another rebuild is running; 3: no stack
import path from 'node:path';
import { mintToken } from './stack/dev-issuer.mjs';
import { daprAppId, portLayout, RUN_PORT_BASE } from './stack/ports.mjs';
import { installationSecrets } from './stack/secrets.mjs';
import { REPO_ROOT } from './stack/stack.mjs';

const POLL_MS = 500;
const LINE_EVERY_MS = 2_000;

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

async function call(method) {
  const res = await fetch(endpoint, {
    method,
    headers: { authorization: await auth(), 'dapr-api-token': sidecarToken() },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = { detail: text };
  }
  return { status: res.status, body };
}

function bar(fraction, width = 30) {
  const filled = Math.round(Math.min(Math.max(fraction, 0), 1) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function eta(seconds) {
  if (seconds === null || seconds === undefined) return 'ETA ?';
  return seconds >= 60
    ? `ETA ${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`
    : `ETA ${seconds}s`;
}

function describe(s) {
  const at = s.progressTx ?? s.positionTx;
  const fraction = s.headTx > 0 ? at / s.headTx : 0;
  return (
    `${bar(fraction)} ${(fraction * 100).toFixed(1).padStart(5)}%  ` +
    `tx ${at}/${s.headTx}  ${s.events} events  ${s.eventsPerSecond} events/s  ` +
    `${s.phase === 'projecting' ? eta(s.etaSeconds) : s.phase}`
  );
}

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
  const started = await call('POST');
  if (started.status === 409) {
    console.error(`Refused: ${started.body.detail ?? JSON.stringify(started.body)}`);
    return 2;
  }
  if (started.status !== 202) {
    console.error(`The projections app answered ${started.status}: ${JSON.stringify(started.body)}`);
    return 1;
  }
  const t0 = Date.now();
  console.log(
    `Rebuilding the read model into generation ${started.body.generation} ` +
      `(queries keep reading the live one until the switch) ...`,
  );
  let lastLine = 0;
  let lastPhase;
  let lastText;
  for (;;) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const { status, body: s } = await call('GET').catch((err) => ({ status: 0, body: { error: err.message } }));
    if (status !== 200) {
      if (Date.now() - t0 > 10 * 60_000) throw new Error(`lost contact with the projections app: ${s.error}`);
      continue; // a restart of the sidecar or app: keep asking
    }
    if (s.generation !== started.body.generation) {
      console.error(`\nThe projections app no longer knows this rebuild (restarted?): ${JSON.stringify(s)}`);
      return 1;
    }
    const line = describe(s);
    if (tty) process.stdout.write(`\r${line}\x1b[K`);
    else if (
      (line !== lastText && Date.now() - lastLine >= LINE_EVERY_MS) ||
      s.phase !== lastPhase ||
      s.state !== 'running'
    ) {
      console.log(line);
      lastLine = Date.now();
      lastText = line;
    }
    lastPhase = s.phase;
    if (s.state === 'running') continue;
    if (tty) process.stdout.write('\n');
    const seconds = (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000;
    if (s.state === 'succeeded') {
      console.log(
        `Rebuilt generation ${s.generation} from ${s.positionTx} log transactions: ${s.events} events in ` +
          `${seconds.toFixed(1)} s (${s.eventsPerSecond} events/s while projecting; the rest is waiting for every process ` +
          `to see the switch). It is live; generation ` +
          `${s.previousGeneration} will be dropped shortly.`,
      );
      return 0;
    }
    console.error(`Rebuild failed after ${seconds.toFixed(1)} s: ${s.error}`);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`Rebuild: ${err.stack ?? err}`);
    process.exit(1);
  },
);
