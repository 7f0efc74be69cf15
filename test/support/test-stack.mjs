import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRunFile, renderComponents } from '../../scripts/stack/apps.mjs';
import { infraEnv } from '../../scripts/stack/infra.mjs';
import { daprAppId, TEST_PORT_BASE } from '../../scripts/stack/ports.mjs';
import { DEV_AUDIENCE, DEV_ISSUER, ensureDevIssuer } from '../../scripts/stack/dev-issuer.mjs';
import { installationSecrets } from '../../scripts/stack/secrets.mjs';
import { REPO_ROOT, startStack } from '../../scripts/stack/stack.mjs';
import { startControl } from './control.mjs';

/** Starts a stack in a fresh temporary data dir and exposes its addresses to the test workers. */
export async function startTestStack({ apps }) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-test-'));
  // Persist actor snapshots often, so the tests also cover activation from a snapshot that the
  // log has moved past (the default is every 100 events).
  process.env.SNAPSHOT_EVERY ??= '3';
  // Resume interrupted transfers quickly, so the crash tests do not wait on the default 10 s.
  process.env.TRANSFER_RETRY_SECONDS ??= '2';
  // ... and look for unfinished transfers often (the default is every 30 s, for those 30 s old).
  process.env.TRANSFER_SWEEP_EVERY_MS ??= '2000';
  process.env.TRANSFER_SWEEP_AFTER_MS ??= '3000';
  // ... apply from the log what pub/sub did not deliver within 3 s (default 10 s), and keep the
  // relay's checkpoint in the log every second (default every minute), for the chaos tests.
  process.env.PROJECTION_HEAL_AFTER_MS ??= '3000';
  process.env.RELAY_CHECKPOINT_MS ??= '1000';
  // Rate limits low enough for a test to reach them; the staff principal most tests use is
  // exempt (as a trusted service principal would be), so load tests are not throttled.
  process.env.RATE_LIMIT_PER_SECOND ??= '20';
  process.env.RATE_LIMIT_BURST ??= '40';
  process.env.RATE_LIMIT_EXEMPT_SUBJECTS ??= 'e2e-staff';
  process.stderr.write('\n');
  const stack = await startStack({ base: TEST_PORT_BASE, appPorts: 'block', dataDir, apps });
  // Workers are started after global setup and inherit this environment.
  Object.assign(process.env, infraEnv(stack.layout, dataDir, { admin: true }), {
    REDIS_ADDRESS: `127.0.0.1:${stack.layout.redis.port}`,
    COMMAND_API_URL: stack.urls.commandApi,
    QUERY_API_URL: stack.urls.queryApi,
    BANK_SIDECAR_URLS: JSON.stringify(
      Object.fromEntries(
        Object.entries(stack.layout.apps).map(([id, a]) => [id, `http://127.0.0.1:${a.daprHTTPPort}`]),
      ),
    ),
    // Every port each sidecar listens on (the tests check they are bound to loopback).
    BANK_DAPRD_PORTS: JSON.stringify(
      Object.fromEntries(
        Object.entries(stack.layout.apps).map(([id, a]) => [
          id,
          [a.daprHTTPPort, a.daprGRPCPort, a.daprInternalGRPCPort, a.metricsPort],
        ]),
      ),
    ),
    BANK_APP_URLS: JSON.stringify(
      Object.fromEntries(Object.entries(stack.layout.apps).map(([id, a]) => [id, `http://127.0.0.1:${a.appPort}`])),
    ),
    BANK_DAPR_APP_IDS: JSON.stringify(
      Object.fromEntries(Object.keys(stack.layout.apps).map((id) => [id, daprAppId(stack.layout.base, id)])),
    ),
    BANK_TEST_DATA_DIR: dataDir,
    // The stack's development issuer, so the tests sign real tokens (test/e2e/auth.ts).
    BANK_TEST_ISSUER_KEY: ensureDevIssuer(dataDir).privateJwk,
    BANK_TEST_ISSUER: DEV_ISSUER,
    BANK_TEST_AUDIENCE: DEV_AUDIENCE,
    // The sidecars' API tokens and the apps' app tokens, for the tests that call them directly.
    BANK_TEST_INTERNAL_TOKENS: JSON.stringify(installationSecrets(dataDir)),
    // For tests that run a sidecar of their own against this stack's components.
    DAPRD_PATH: stack.bins.daprd,
    DAPR_RESOURCES_PATH: renderComponents(
      REPO_ROOT,
      readRunFile(REPO_ROOT),
      stack.layout,
      path.join(dataDir, 'it-components'),
      dataDir,
      { alsoScopedTo: ['it-sidecar'] },
    ),
    REDIS_PASSWORD: installationSecrets(dataDir).redisPassword,
    BANK_TEST_IMMUDB_LOG_PASSWORD: installationSecrets(dataDir).immudbLogPassword,
    // Which storage the stack's FerretDB runs on: only PostgreSQL checks passwords.
    BANK_TEST_READ_MODEL_BACKEND: stack.layout.readModelBackend,
    DAPR_CONFIG_PATH: path.join(REPO_ROOT, 'config', 'dapr-config.yaml'),
    // A test's own sidecar joins the stack's mTLS (control-plane.mjs).
    SENTRY_ADDRESS: `127.0.0.1:${stack.layout.sentry.port}`,
    BANK_TRUST_ANCHORS_FILE: path.join(dataDir, 'sentry', 'ca.crt'),
    PLACEMENT_ADDRESS: `127.0.0.1:${stack.layout.placement.port}`,
    SCHEDULER_ADDRESS: `127.0.0.1:${stack.layout.scheduler.port}`,
    TEST_FREE_PORT_BASE: String(stack.layout.base + 80),
  });
  const control = await startControl(stack, stack.layout.base + 90);
  process.env.BANK_TEST_CONTROL_URL = control.url;
  globalThis.__BANK_TEST_STACK__ = {
    stop: async () => {
      await control.close();
      await stack.stop();
      if (!process.env.BANK_KEEP_TEST_DATA) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
