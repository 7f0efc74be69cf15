// The five apps, each with its daprd sidecar, as the multi-app run file (dapr.yaml) describes them.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { httpOk, waitFor } from './supervisor.mjs';
import { mtlsSidecar } from './control-plane.mjs';
import { authEnv } from './dev-issuer.mjs';
import { infraEnv } from './infra.mjs';
import { daprAppId, DEFAULT_RUN_PORT_BASE, portLayout } from './ports.mjs';
import { daprSecretsFile, installationSecrets } from './secrets.mjs';
import { say } from '../lib/log.mjs';

export function readRunFile(repoRoot) {
  const runFile = YAML.parse(fs.readFileSync(path.join(repoRoot, 'dapr.yaml'), 'utf8'));
  assertDefaultBlock(runFile);
  return runFile;
}

/**
 * dapr.yaml states the default block's sidecar ports, which `npm start` uses as they are; the
 * placement and scheduler addresses are the Dapr CLI's (`dapr init`), and the launcher uses
 * its own control plane's instead.
 */
function assertDefaultBlock(runFile) {
  const wrong = [];
  const check = (what, actual, want) => {
    if (String(actual) !== String(want)) wrong.push(`${what} is ${actual}, expected ${want}`);
  };
  for (const app of runFile.apps) {
    const want = portLayout(DEFAULT_RUN_PORT_BASE, 'block').apps[app.appID];
    if (!want) {
      wrong.push(`unknown app ${app.appID}`);
      continue;
    }
    for (const key of ['daprHTTPPort', 'daprGRPCPort', 'daprInternalGRPCPort', 'metricsPort']) {
      check(`${app.appID}.${key}`, app[key], want[key]);
    }
  }
  if (wrong.length > 0) throw new Error(`dapr.yaml does not match scripts/stack/ports.mjs:\n  ${wrong.join('\n  ')}`);
}

/**
 * Writes the component files for this stack: the committed ones are written for the default
 * block; another block gets its own Redis port and its own (suffixed) app ids in scopes, and
 * every stack the path of its own secrets file. `alsoScopedTo` adds app ids to every scoped
 * component (a test's own sidecar).
 * @param {string} repoRoot
 * @param runFile dapr.yaml, parsed (readRunFile)
 * @param {import('./ports.mjs').PortLayout} layout
 * @param {string} outDir
 * @param {string} dataDir
 * @param {{ alsoScopedTo?: string[] }} [opts]
 */
export function renderComponents(repoRoot, runFile, layout, outDir, dataDir, { alsoScopedTo = [] } = {}) {
  const defaults = portLayout(DEFAULT_RUN_PORT_BASE, 'contract');
  const appId = (id) => daprAppId(layout.base, id);
  const src = path.join(repoRoot, runFile.common.resourcesPath);
  fs.mkdirSync(outDir, { recursive: true });
  for (const file of fs.readdirSync(src).filter((f) => f.endsWith('.yaml'))) {
    const doc = YAML.parse(fs.readFileSync(path.join(src, file), 'utf8'));
    if (doc.kind === 'Component') {
      if (doc.scopes) doc.scopes = [...doc.scopes.map(appId), ...alsoScopedTo];
      for (const m of doc.spec.metadata ?? []) {
        if (m.name === 'redisHost') m.value = m.value.replace(`:${defaults.redis.port}`, `:${layout.redis.port}`);
        if (m.name === 'secretsFile') m.value = daprSecretsFile(dataDir);
        if (m.name === 'publishingScopes' || m.name === 'subscriptionScopes') {
          m.value = m.value.replace(/(^|;)([^=;]+)=/g, (_all, sep, id) => `${sep}${appId(id)}=`);
        }
      }
    }
    fs.writeFileSync(path.join(outDir, file), YAML.stringify(doc));
  }
  return outDir;
}

/** The secret store of components/secretstore.yaml, which the apps read their credentials from. */
const LOCAL_SECRET_STORE = 'localsecretstore';

/**
 * Writes one Dapr configuration per app: the committed one (dapr-config.yaml) with the app's
 * access-control policy (config/access-control.yaml), app ids suffixed for this block, and the
 * secrets it may read (config/secret-scopes.yaml), and Dapr's tracing as the environment asks
 * (daprTracing).
 */
export function renderConfigs(repoRoot, runFile, layout, outDir, env = process.env) {
  const appId = (id) => daprAppId(layout.base, id);
  const base = YAML.parse(fs.readFileSync(path.join(repoRoot, runFile.common.configFilePath), 'utf8'));
  const policies = YAML.parse(fs.readFileSync(path.join(repoRoot, 'config', 'access-control.yaml'), 'utf8'));
  const secretScopes = YAML.parse(fs.readFileSync(path.join(repoRoot, 'config', 'secret-scopes.yaml'), 'utf8'));
  fs.mkdirSync(outDir, { recursive: true });
  const files = {};
  for (const app of runFile.apps) {
    const accessControl = policies[app.appID];
    if (!accessControl) throw new Error(`config/access-control.yaml has no entry for ${app.appID}`);
    const allowedSecrets = secretScopes[app.appID];
    if (!Array.isArray(allowedSecrets)) throw new Error(`config/secret-scopes.yaml has no entry for ${app.appID}`);
    const config = {
      ...base,
      metadata: { name: `${base.metadata.name}-${app.appID}` },
      spec: {
        ...base.spec,
        tracing: daprTracing(base.spec.tracing, env),
        accessControl: {
          ...accessControl,
          policies: (accessControl.policies ?? []).map((p) => ({ ...p, appId: appId(p.appId) })),
        },
        secrets: { scopes: [{ storeName: LOCAL_SECRET_STORE, defaultAccess: 'deny', allowedSecrets }] },
      },
    };
    files[app.appID] = path.join(outDir, `${app.appID}.yaml`);
    fs.writeFileSync(files[app.appID], YAML.stringify(config));
  }
  return files;
}

/**
 * The sidecars' tracing: DAPR_TRACE_SAMPLING_RATE (0 to 1) overrides the committed sampling rate,
 * and with OTEL_EXPORTER_OTLP_ENDPOINT (the apps' own exporter, docs/operations.md#traces) the
 * sidecars send their spans to the same collector, over OTLP/HTTP.
 * @param {Record<string, unknown>} [committed] dapr-config.yaml's spec.tracing
 * @param {NodeJS.ProcessEnv} [env]
 */
export function daprTracing(committed = {}, env = process.env) {
  const tracing = { ...committed };
  if (env.DAPR_TRACE_SAMPLING_RATE !== undefined && env.DAPR_TRACE_SAMPLING_RATE !== '') {
    const rate = Number(env.DAPR_TRACE_SAMPLING_RATE);
    if (!(rate >= 0 && rate <= 1))
      throw new Error(`DAPR_TRACE_SAMPLING_RATE=${env.DAPR_TRACE_SAMPLING_RATE} is not between 0 and 1`);
    tracing.samplingRate = String(rate);
  }
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    const url = new URL(env.OTEL_EXPORTER_OTLP_ENDPOINT);
    tracing.otel = { endpointAddress: url.host, isSecure: url.protocol === 'https:', protocol: 'http' };
  }
  return tracing;
}

export async function startApps(sup, bins, layout, dataDir, repoRoot) {
  const runFile = readRunFile(repoRoot);
  const common = runFile.common;
  const resources = renderComponents(repoRoot, runFile, layout, path.join(dataDir, 'components'), dataDir);
  const started = [];
  const appId = (id) => daprAppId(layout.base, id);
  const secrets = installationSecrets(dataDir);
  const configs = renderConfigs(repoRoot, runFile, layout, path.join(dataDir, 'config'));
  const mtls = mtlsSidecar(layout, dataDir);
  for (const app of runFile.apps) {
    const ports = layout.apps[app.appID];
    if (!ports) throw new Error(`dapr.yaml names an unknown app ${app.appID}`);
    // The app and its sidecar authenticate each other: the app sends DAPR_API_TOKEN to the
    // sidecar, the sidecar sends APP_API_TOKEN to the app (dapr-api-token header both ways).
    const tokens = {
      DAPR_API_TOKEN: secrets.daprApiTokens[app.appID],
      APP_API_TOKEN: secrets.appApiTokens[app.appID],
    };
    /** @type {Record<string, string>} */
    const env = {
      ...tokens,
      ...actorCallerEnv(app.appID, secrets.actorCallerTokens),
      ...stringify(common.env),
      ...stringify(app.env),
      ...dashboardEnv(app.appID, layout),
      ...infraEnv(layout, dataDir, { secretStore: LOCAL_SECRET_STORE }),
      ...authEnv(dataDir),
      [ports.envVar]: String(ports.appPort),
      DAPR_HTTP_PORT: String(ports.daprHTTPPort),
      DAPR_GRPC_PORT: String(ports.daprGRPCPort),
      DAPR_HOST: '127.0.0.1',
      APP_ID: appId(app.appID),
      EVENT_SOURCE_APP_ID: appId('event-source'),
      // The query API's operations status asks each app's readiness by its Dapr app id.
      COMMAND_API_APP_ID: appId('command-api'),
      ACTORS_APP_ID: appId('actors'),
      PROJECTIONS_APP_ID: appId('projections'),
    };
    // A password in dapr.yaml, or in the environment of whoever starts (or restarts) the app,
    // would win over the secret store (service-kit credentials.ts): empty means unset there.
    for (const name of ['IMMUDB_PASSWORD', 'MONGO_PASSWORD']) if (env[`${name}_SECRET`]) env[name] = '';
    // dapr.yaml's development setting for the Dapr CLI, which passes no app token; here there is one.
    delete env.APP_API_TOKEN_OPTIONAL;
    const sidecar = sup.start(
      `${app.appID}-daprd`,
      bins.daprd,
      [
        '--mode',
        'standalone',
        '--app-id',
        appId(app.appID),
        '--app-port',
        ports.appPort,
        '--app-protocol',
        app.appProtocol ?? common.appProtocol ?? 'http',
        '--app-channel-address',
        '127.0.0.1',
        '--dapr-listen-addresses',
        '127.0.0.1',
        // Both default to every interface: the internal gRPC port takes actor and service calls
        // from other sidecars, the metrics port tells about the app.
        '--dapr-internal-grpc-listen-address',
        '127.0.0.1',
        '--metrics-listen-address',
        '127.0.0.1',
        '--dapr-http-port',
        ports.daprHTTPPort,
        '--dapr-grpc-port',
        ports.daprGRPCPort,
        '--dapr-internal-grpc-port',
        ports.daprInternalGRPCPort,
        '--metrics-port',
        ports.metricsPort,
        '--placement-host-address',
        `127.0.0.1:${layout.placement.port}`,
        '--scheduler-host-address',
        `127.0.0.1:${layout.scheduler.port}`,
        '--resources-path',
        resources,
        '--config',
        configs[app.appID],
        ...mtls.args,
        '--log-level',
        app.logLevel ?? common.logLevel ?? 'info',
        '--dapr-graceful-shutdown-seconds',
        '3',
      ].map(String),
      { env: { ...tokens, ...mtls.env } },
    );
    const [cmd, ...args] = app.command;
    const proc = sup.start(app.appID, cmd === 'node' ? process.execPath : cmd, args, {
      cwd: path.join(repoRoot, app.appDirPath),
      env,
    });
    started.push({ app, ports, proc, sidecar });
  }
  await Promise.all(
    started.map(async ({ app, ports, proc, sidecar }) => {
      await waitFor(
        `${app.appID} sidecar`,
        () => httpOk(`http://127.0.0.1:${ports.daprHTTPPort}/v1.0/healthz/outbound`),
        { entry: sidecar, timeoutMs: 90_000 },
      );
      await waitFor(`${app.appID} /readyz`, () => httpOk(`http://127.0.0.1:${ports.appPort}/readyz`), {
        entry: proc,
        timeoutMs: 90_000,
      });
      say('stack', `${app.appID} ready on 127.0.0.1:${ports.appPort}`);
    }),
  );
}

/**
 * The dashboard, served by query-api, sends commands from the browser to command-api: query-api
 * tells the page where command-api is, and command-api lets the page's origin call it (CORS).
 * Either can be set in the environment instead (a proxy in front, another host name).
 * @param {string} appId
 * @param layout the stack's port layout (ports.mjs)
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Record<string, string>}
 */
export function dashboardEnv(appId, layout, env = process.env) {
  const port = (id) => layout.apps[id].appPort;
  if (appId === 'command-api') {
    const q = port('query-api');
    return { CORS_ALLOWED_ORIGINS: env.CORS_ALLOWED_ORIGINS ?? `http://127.0.0.1:${q},http://localhost:${q}` };
  }
  if (appId === 'query-api') {
    return { PUBLIC_COMMAND_API_URL: env.PUBLIC_COMMAND_API_URL ?? `http://127.0.0.1:${port('command-api')}` };
  }
  return {};
}

function stringify(env = {}) {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

/**
 * An app's proof to the actors it calls (ACTOR_CALLER_TOKEN); the actors app also gets every
 * other caller's, to tell them apart (ACTOR_CALLER_TOKEN_COMMAND_API, …).
 * @param {string} appId
 * @param {Record<string, string>} tokens each calling app's token (secrets.mjs)
 * @returns {Record<string, string>}
 */
export function actorCallerEnv(appId, tokens) {
  /** @type {Record<string, string>} */
  const env = tokens[appId] ? { ACTOR_CALLER_TOKEN: tokens[appId] } : {};
  if (appId !== 'actors') return env;
  for (const [caller, token] of Object.entries(tokens)) {
    if (caller !== 'actors') env[`ACTOR_CALLER_TOKEN_${caller.toUpperCase().replace(/-/g, '_')}`] = token;
  }
  return env;
}
