// dapr.yaml as the Dapr CLI (`dapr run -f dapr.yaml`) takes it, unedited, next to `npm run infra`:
// the `dapr init` control plane, paths that exist relative to the file and to each app's
// directory (where the CLI runs both the app and its sidecar), and no secret in it.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');
const runFile = YAML.parse(fs.readFileSync(path.join(ROOT, 'dapr.yaml'), 'utf8'));
const env = (app: { env?: Record<string, unknown> }) => ({ ...runFile.common.env, ...app.env });
const CONTRACT_PORTS: Record<string, [string, number]> = {
  'command-api': ['COMMAND_API_PORT', 3000],
  'query-api': ['QUERY_API_PORT', 3001],
  actors: ['ACTORS_PORT', 3002],
  'event-source': ['EVENT_SOURCE_PORT', 3003],
  projections: ['PROJECTIONS_PORT', 3004],
};

it('points at placement and scheduler where `dapr init` runs them', () => {
  expect(runFile.common.placementHostAddress).toBe('localhost:50005');
  expect(runFile.common.schedulerHostAddress).toBe('localhost:50006');
});

it('names resources and a configuration that exist, relative to the file', () => {
  expect(fs.statSync(path.join(ROOT, runFile.common.resourcesPath)).isDirectory()).toBe(true);
  expect(fs.statSync(path.join(ROOT, runFile.common.configFilePath)).isFile()).toBe(true);
});

it('runs every app from its built entry point, on its contract port', () => {
  expect(runFile.apps.map((a: { appID: string }) => a.appID).sort()).toEqual(Object.keys(CONTRACT_PORTS).sort());
  for (const app of runFile.apps) {
    const [portVar, port] = CONTRACT_PORTS[app.appID]!;
    expect([app.appID, app.appPort, Number(env(app)[portVar])]).toEqual([app.appID, port, port]);
    expect(app.command).toEqual(['node', 'dist/index.js']);
    expect(fs.existsSync(path.join(ROOT, app.appDirPath, 'package.json'))).toBe(true);
  }
});

it('holds no secret: credentials are named, and read through the secret store the files point at', () => {
  const secretsSource = fs.readFileSync(path.join(ROOT, 'scripts/stack/secrets.mjs'), 'utf8');
  const store = YAML.parse(fs.readFileSync(path.join(ROOT, 'components/secretstore.yaml'), 'utf8'));
  const secretsFile = store.spec.metadata.find((m: { name: string }) => m.name === 'secretsFile').value;
  const issuerSource = fs.readFileSync(path.join(ROOT, 'scripts/stack/dev-issuer.mjs'), 'utf8');
  for (const app of runFile.apps) {
    const vars = env(app);
    expect(vars.SECRET_STORE).toBe(store.metadata.name);
    for (const [name, value] of Object.entries(vars)) {
      if (/PASSWORD|TOKEN/.test(name) && name !== 'APP_API_TOKEN_OPTIONAL') {
        expect([app.appID, name]).toEqual([app.appID, expect.stringMatching(/_SECRET$/)]);
        const secret = String(value);
        const made = secret.startsWith('actor-caller-')
          ? CONTRACT_PORTS[secret.slice('actor-caller-'.length)] !== undefined
          : secretsSource.includes(`'${secret}'`);
        expect([app.appID, name, secret, made]).toEqual([app.appID, name, secret, true]);
      }
    }
    // Both resolve from the app's directory (the CLI's working directory for it and its sidecar).
    const dir = path.join(ROOT, app.appDirPath);
    expect(path.resolve(dir, secretsFile)).toBe(path.join(ROOT, '.data', 'secrets', 'dapr-secrets.json'));
    expect(path.resolve(dir, String(vars.AUTH_JWKS_FILE))).toBe(
      path.join(ROOT, '.data', 'auth', 'dev-issuer.jwks.json'),
    );
    expect(issuerSource).toContain("'dev-issuer.jwks.json'");
    expect(issuerSource).toContain(`'${vars.AUTH_ISSUER}'`);
  }
});

it('gives each app that calls actors its caller secret, and the actors app every caller’s', () => {
  const vars = Object.fromEntries(
    runFile.apps.map((a: { appID: string; env?: Record<string, unknown> }) => [a.appID, env(a)]),
  );
  for (const app of ['command-api', 'projections', 'actors']) {
    expect(vars[app].ACTOR_CALLER_TOKEN_SECRET).toBe(`actor-caller-${app}`);
  }
  // query-api calls no actor: it reads transfers from the read model and the log.
  expect(vars['query-api'].ACTOR_CALLER_TOKEN_SECRET).toBeUndefined();
  for (const app of ['command-api', 'projections']) {
    const name = `ACTOR_CALLER_TOKEN_${app.toUpperCase().replace(/-/g, '_')}_SECRET`;
    expect(vars.actors[name]).toBe(`actor-caller-${app}`);
  }
});

it('lets the dashboard (served by query-api) send commands: command-api allows its origin, query-api names command-api', () => {
  const vars = Object.fromEntries(
    runFile.apps.map((a: { appID: string; env?: Record<string, unknown> }) => [a.appID, env(a)]),
  );
  expect(String(vars['command-api'].CORS_ALLOWED_ORIGINS).split(',')).toContain('http://127.0.0.1:3001');
  expect(vars['query-api'].PUBLIC_COMMAND_API_URL).toBe('http://127.0.0.1:3000');
});
