// Dapr's control plane for one stack, with mTLS: Sentry (the certificate authority; it makes its
// root and issuer certificates in the data directory at first start), then placement and
// scheduler, which take their own identities from Sentry. Every daprd of the stack then runs with
// --enable-mtls against the same Sentry (mtlsSidecarArgs), so sidecars prove their app id to each
// other and the access-control policies (config/access-control.yaml) can name the caller.
import fs from 'node:fs';
import path from 'node:path';
import { httpOk, tcpOpen, waitFor } from './supervisor.mjs';
import { say } from '../lib/log.mjs';

const LOCAL = '127.0.0.1';
/** Sentry's default; every part of the control plane and every daprd must agree on it. */
const TRUST_DOMAIN = 'localhost';
/** Under mTLS the scheduler's embedded etcd needs one of the ids Sentry issues DNS names for. */
const SCHEDULER_ID = 'dapr-scheduler-server-0';

const sentryFiles = (dataDir) => {
  const dir = path.join(dataDir, 'sentry');
  return { dir, ca: path.join(dir, 'ca.crt'), config: path.join(dataDir, 'sentry.yaml') };
};

/** Starts Sentry, then placement and scheduler, and waits until each answers. */
export async function startControlPlane(sup, bins, layout, dataDir) {
  const { sentry } = layout;
  const files = sentryFiles(dataDir);
  fs.mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  // Standalone Sentry wants a Configuration file; an empty one means its default settings.
  fs.writeFileSync(
    files.config,
    'apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: daprsystem\nspec: {}\n',
  );
  const sentryEntry = sup.start(
    'sentry',
    bins.sentry,
    [
      '--config',
      files.config,
      '--issuer-credentials',
      files.dir,
      '--trust-domain',
      TRUST_DOMAIN,
      '--port',
      sentry.port,
      '--listen-address',
      LOCAL,
      '--healthz-port',
      sentry.healthz,
      '--enable-metrics=false',
      '--log-level',
      'warn',
    ].map(String),
  );
  await waitFor(
    'sentry',
    // Healthy can come before the signing port listens: a sidecar dialing it then fails for good.
    async () =>
      (await httpOk(`http://${LOCAL}:${sentry.healthz}/healthz`)) &&
      fs.existsSync(files.ca) &&
      (await tcpOpen(sentry.port, LOCAL)),
    {
      entry: sentryEntry,
      timeoutMs: 60_000,
    },
  );
  say('stack', 'sentry ready (mTLS certificate authority)');

  const tls = [
    '--tls-enabled',
    '--trust-domain',
    TRUST_DOMAIN,
    '--trust-anchors-file',
    files.ca,
    '--sentry-address',
    `${LOCAL}:${sentry.port}`,
  ];
  await startPlacementAndScheduler(sup, bins, layout, dataDir, tls);
}

/**
 * Placement and scheduler without Sentry or TLS, on the ports of `layout` (for `dapr run -f
 * dapr.yaml`: those of `dapr init`), for sidecars started by the Dapr CLI, which runs them
 * without mTLS.
 */
export async function startPlainControlPlane(sup, bins, layout, dataDir) {
  await startPlacementAndScheduler(sup, bins, layout, dataDir, []);
}

async function startPlacementAndScheduler(sup, bins, layout, dataDir, tls) {
  const { placement, scheduler } = layout;
  const etcdScheme = tls.length > 0 ? 'https' : 'http';
  const procs = [
    {
      name: 'placement',
      entry: sup.start(
        'placement',
        bins.placement,
        [
          '--port',
          placement.port,
          '--listen-address',
          LOCAL,
          '--healthz-port',
          placement.healthz,
          '--metrics-port',
          placement.metrics,
          '--id',
          'placement-0',
          '--initial-cluster',
          `placement-0=${LOCAL}:${placement.raft}`,
          ...tls,
          '--log-level',
          'warn',
        ].map(String),
      ),
      healthz: placement.healthz,
    },
    {
      name: 'scheduler',
      entry: sup.start(
        'scheduler',
        bins.scheduler,
        [
          '--port',
          scheduler.port,
          '--listen-address',
          LOCAL,
          '--healthz-port',
          scheduler.healthz,
          '--metrics-port',
          scheduler.metrics,
          '--etcd-data-dir',
          dirOf(dataDir, tls.length > 0 ? 'scheduler' : 'scheduler-plain'),
          '--etcd-client-port',
          scheduler.etcdClient,
          '--etcd-client-listen-address',
          LOCAL,
          '--id',
          SCHEDULER_ID,
          '--etcd-initial-cluster',
          `${SCHEDULER_ID}=${etcdScheme}://${LOCAL}:${scheduler.etcdPeer}`,
          ...(tls.length > 0
            ? ['--identity-directory-write', path.join(dirOf(dataDir, 'scheduler-identity'), 'tls')]
            : []),
          ...tls,
          '--log-level',
          'warn',
        ].map(String),
      ),
      healthz: scheduler.healthz,
    },
  ];
  await Promise.all(
    procs.map(async ({ name, entry, healthz }) => {
      await waitFor(name, () => httpOk(`http://${LOCAL}:${healthz}/healthz`), { entry, timeoutMs: 60_000 });
      say('stack', `${name} ready`);
    }),
  );
}

/** What a daprd of this stack needs to run with mTLS: its arguments and its environment. */
export function mtlsSidecar(layout, dataDir) {
  return {
    args: ['--enable-mtls', '--sentry-address', `${LOCAL}:${layout.sentry.port}`],
    env: { DAPR_TRUST_ANCHORS: fs.readFileSync(sentryFiles(dataDir).ca, 'utf8') },
  };
}

function dirOf(dataDir, name) {
  const d = path.join(dataDir, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}
