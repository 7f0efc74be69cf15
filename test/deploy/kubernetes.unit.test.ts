/**
 * The Kubernetes manifests (deploy/kubernetes/) describe the same system as the local run
 * (dapr.yaml, components/, config/) and the same infrastructure versions. No cluster is needed:
 * these checks catch the drift that would otherwise surface only on someone's cluster.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ROOT, sourcesOf } from '../support/sources';

type Doc = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
} & Record<
  string,
  any // eslint-disable-line @typescript-eslint/no-explicit-any -- free-form manifests
>;

const K8S = path.join(ROOT, 'deploy/kubernetes');
const readDocs = (file: string): Doc[] =>
  YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJSON() as Doc);

const kustomization = YAML.parse(fs.readFileSync(path.join(K8S, 'kustomization.yaml'), 'utf8'));
const manifests: Doc[] = (kustomization.resources as string[]).flatMap((f) => readDocs(path.join(K8S, f)));
const find = (kind: string, name: string) => manifests.find((d) => d.kind === kind && d.metadata.name === name);
type RunApp = { appID: string; appDirPath: string; appPort: number; appProtocol?: string; env: Record<string, number> };
const runFile = YAML.parse(fs.readFileSync(path.join(ROOT, 'dapr.yaml'), 'utf8')) as {
  common: { configFilePath: string; appProtocol: string; env: Record<string, string> };
  apps: RunApp[];
};
const localConfig = readDocs(path.join(ROOT, runFile.common.configFilePath))[0]!;
const localResources = fs
  .readdirSync(path.join(ROOT, 'components'))
  .flatMap((f) => readDocs(path.join(ROOT, 'components', f)));

/** The env var names an app's code reads (envString/envPort/envPositiveInt), from its sources. */
function envReadBy(appDir: string): Set<string> {
  const reads = /env(?:String|Port|PositiveInt)\('([A-Z_]+)'/g;
  return new Set(sourcesOf(appDir).flatMap((text) => [...text.matchAll(reads)].map((m) => m[1]!)));
}

describe('Kubernetes manifests', () => {
  it('list every manifest file in the kustomization, and nothing else', () => {
    // connectivity.yaml is not applied: it is what `npm run k8s:verify` holds the policies to.
    const files = fs
      .readdirSync(K8S)
      .filter((f) => f.endsWith('.yaml') && !['kustomization.yaml', 'connectivity.yaml'].includes(f));
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  describe.each(runFile.apps.map((a) => [a.appID, a] as const))('app %s', (appID, app) => {
    const deployment = find('Deployment', appID);
    const pod = deployment?.spec.template;
    const container = pod?.spec.containers[0];
    const env = new Map<string, any>(container?.env.map((e: { name: string }) => [e.name, e])); // eslint-disable-line @typescript-eslint/no-explicit-any

    it('is a Deployment with a Dapr sidecar of the same app id, port and configuration', () => {
      expect(pod.metadata.annotations).toMatchObject({
        'dapr.io/enabled': 'true',
        'dapr.io/app-id': appID,
        'dapr.io/app-port': String(app.appPort),
        'dapr.io/app-protocol': app.appProtocol ?? runFile.common.appProtocol,
        'dapr.io/config': `${localConfig.metadata.name}-${appID}`,
      });
      expect(container.image).toBe(`dapr-core-banking/${appID}`);
      expect(kustomization.images.map((i: { name: string }) => i.name)).toContain(container.image);
    });

    it('listens on the port its sidecar and probes use, reachable from the pod IP', () => {
      const [portVar, port] = Object.entries(app.env)[0]!;
      expect(env.get(portVar)?.value).toBe(String(port));
      expect(env.get('BIND_ADDRESS')?.value).toBe('0.0.0.0');
      expect(container.ports).toEqual([
        { name: 'http', containerPort: port },
        { name: 'metrics', containerPort: 9464 },
      ]);
      // Prometheus scrapes the metrics port, never the app port (closed to every pod but its sidecar's).
      expect(env.get('METRICS_PORT')?.value).toBe('9464');
      expect(pod.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '9464',
        'prometheus.io/path': '/metrics',
      });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    });

    it('authenticates to its sidecar and its sidecar to it with tokens from Secrets, never written here', () => {
      expect(pod.metadata.annotations).toMatchObject({
        'dapr.io/api-token-secret': 'dapr-api-token',
        'dapr.io/app-token-secret': 'app-api-token',
      });
      expect(env.get('DAPR_API_TOKEN')?.valueFrom.secretKeyRef).toEqual({ name: 'dapr-api-token', key: 'token' });
      expect(env.get('APP_API_TOKEN')?.valueFrom.secretKeyRef).toEqual({ name: 'app-api-token', key: 'token' });
      // Every app that calls actors proves itself with its own key of one Secret; the actors app
      // knows every caller's (the same names as `npm start` sets, scripts/stack/apps.mjs).
      const own = { ACTOR_CALLER_TOKEN: appID };
      const expected: Record<string, string> =
        {
          'command-api': own,
          projections: own,
          actors: {
            ...own,
            ACTOR_CALLER_TOKEN_COMMAND_API: 'command-api',
            ACTOR_CALLER_TOKEN_PROJECTIONS: 'projections',
          },
        }[appID] ?? {};
      const given = Object.fromEntries(
        [...env]
          .filter(([name]) => name.startsWith('ACTOR_CALLER_TOKEN'))
          .map(([name, v]) => [name, v.valueFrom.secretKeyRef]),
      );
      expect(given).toEqual(
        Object.fromEntries(Object.entries(expected).map(([name, key]) => [name, { name: 'actor-caller-tokens', key }])),
      );
    });

    it('knows the token issuer if it verifies user tokens', () => {
      // The composition root builds the verifier.
      const verifies = fs
        .readFileSync(path.join(ROOT, app.appDirPath, 'src', 'index.ts'), 'utf8')
        .includes('tokenVerifierFromEnv()');
      const fromAuthConfig = (container.envFrom ?? []).some(
        (e: { configMapRef?: { name: string } }) => e.configMapRef?.name === 'bank-auth',
      );
      expect([appID, fromAuthConfig]).toEqual([appID, verifies]);
      if (verifies)
        expect(Object.keys(find('ConfigMap', 'bank-auth')!.data).sort()).toEqual([
          'AUTH_AUDIENCE',
          'AUTH_ISSUER',
          'AUTH_JWKS_URL',
        ]);
    });

    it('gets every infrastructure setting its code reads', () => {
      const infraVars = Object.keys(runFile.common.env);
      const needed = [...envReadBy(app.appDirPath)].filter((v) => infraVars.includes(v));
      for (const v of needed) expect([v, env.has(v)]).toEqual([v, true]);
      // Passwords are never written in a manifest, and the apps log in as their own users: the
      // log's (event-source; only its init step knows ImmuDB's administrator) and the read
      // model's (projections, query-api).
      if (env.has('IMMUDB_PASSWORD')) {
        expect(env.get('IMMUDB_USER').value).toBe('bank');
        expect(env.get('IMMUDB_PASSWORD').valueFrom.secretKeyRef.name).toBe('immudb-log-password');
        const init = pod.spec.initContainers.find((c: { name: string }) => c.name === 'prepare-log');
        expect(init.command).toEqual(['node', 'dist/prepare-log.js']);
        expect(fs.existsSync(path.join(ROOT, app.appDirPath, 'src', 'prepare-log.ts'))).toBe(true);
      }
      if (env.has('MONGO_URL')) {
        expect(new URL(env.get('MONGO_URL').value).username).toBe('bank');
        expect(env.get('MONGO_PASSWORD').valueFrom.secretKeyRef.name).toBe('read-model-password');
      }
    });
  });

  it('run event-source and projections as one pod, also during an update', () => {
    for (const name of ['event-source', 'projections']) {
      const d = find('Deployment', name)!;
      expect([name, d.spec.replicas, d.spec.strategy?.type]).toEqual([name, 1, 'Recreate']);
    }
  });

  it('ship in the image every file an app reads at run time besides its compiled code', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    // .dapr: the logs `dapr run -f dapr.yaml` writes beside each app (git-ignored).
    const buildOnly = new Set(['src', 'dist', 'package.json', 'tsconfig.json', 'node_modules', '.dapr']);
    for (const app of runFile.apps) {
      for (const entry of fs.readdirSync(path.join(ROOT, app.appDirPath))) {
        if (buildOnly.has(entry)) continue;
        const copied = new RegExp(`^COPY --from=build /src/${app.appID}/${entry} ${app.appID}/${entry}$`, 'm');
        expect([`${app.appID}/${entry}`, copied.test(dockerfile)]).toEqual([`${app.appID}/${entry}`, true]);
      }
    }
  });

  it('expose exactly the two public APIs as Services, on their contract ports', () => {
    const appServices = manifests
      .filter((d) => d.kind === 'Service')
      .filter((s) => runFile.apps.some((a) => a.appID === s.metadata.name));
    expect(appServices.map((s) => [s.metadata.name, s.spec.ports[0].port])).toEqual([
      ['command-api', 3000],
      ['query-api', 3001],
    ]);
  });

  it('let the dashboard, served by the query API, call the command API through a port-forward as set up', () => {
    const urls = find('ConfigMap', 'bank-public-urls')!.data as Record<string, string>;
    const service = (name: string) => find('Service', name)!.spec.ports[0].port as number;
    expect(new URL(urls.PUBLIC_COMMAND_API_URL!).port).toBe(String(service('command-api')));
    expect(urls.CORS_ALLOWED_ORIGINS!.split(',')).toContain(`http://127.0.0.1:${service('query-api')}`);
    for (const app of ['command-api', 'query-api']) {
      const envFrom = find('Deployment', app)!.spec.template.spec.containers[0].envFrom as unknown[];
      expect(envFrom).toContainEqual({ configMapRef: { name: 'bank-public-urls' } });
    }
  });

  it('keep the internal apps reachable only through their sidecars', () => {
    // Everything is denied unless allowed; no one may reach an app's own port but the public
    // APIs' (k8s:verify checks the policies against connectivity.yaml on a real API server).
    const deny = find('NetworkPolicy', 'default-deny-ingress')!;
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    const { allowed } = YAML.parse(fs.readFileSync(path.join(K8S, 'connectivity.yaml'), 'utf8'));
    for (const app of runFile.apps) {
      const own = allowed.filter(
        (a: { to: string | string[]; port: number }) => [a.to].flat().includes(app.appID) && a.port === app.appPort,
      );
      expect([app.appID, own.length]).toEqual([app.appID, ['command-api', 'query-api'].includes(app.appID) ? 1 : 0]);
    }
  });

  it('have the Dapr components, resiliency and configuration of the local run, with the cluster Redis', () => {
    // The local secret store file stands in for Kubernetes Secrets, which need no component.
    for (const local of localResources.filter((r) => r.spec.type !== 'secretstores.local.file')) {
      const remote = find(local.kind, local.metadata.name);
      expect(remote).toBeDefined();
      expect([local.metadata.name, remote!.scopes]).toEqual([local.metadata.name, local.scopes]);
      const hostless = (d: Doc) =>
        JSON.parse(JSON.stringify(d.spec), (k, v) => (Array.isArray(v) ? v.filter((m) => m?.name !== 'redisHost') : v));
      expect(hostless(remote!)).toEqual(hostless(local));
      for (const m of remote!.spec.metadata ?? []) if (m.name === 'redisHost') expect(m.value).toBe('redis:6379');
    }
    // One Configuration per app: the local settings plus the app's access-control policy, with
    // the cluster's namespace in place of standalone mode's `default`; no app reads Kubernetes
    // Secrets through the Dapr secrets API (they get their credentials in their environment).
    const policies = YAML.parse(fs.readFileSync(path.join(ROOT, 'config/access-control.yaml'), 'utf8'));
    for (const app of runFile.apps) {
      const accessControl = policies[app.appID];
      expect(find('Configuration', `${localConfig.metadata.name}-${app.appID}`)?.spec).toEqual({
        ...localConfig.spec,
        accessControl: {
          ...accessControl,
          ...(accessControl.policies
            ? { policies: accessControl.policies.map((p: object) => ({ ...p, namespace: kustomization.namespace })) }
            : {}),
        },
        secrets: { scopes: [{ storeName: 'kubernetes', defaultAccess: 'deny' }] },
      });
    }
  });

  it('run the infrastructure versions the local stack builds', () => {
    // Read, not imported: versions.mjs is an ES module and the unit tier runs as CommonJS.
    const versions = fs.readFileSync(path.join(ROOT, 'scripts/infra/versions.mjs'), 'utf8');
    const IMMUDB_VERSION = /IMMUDB_VERSION = '([\d.]+)'/.exec(versions)![1];
    const image = (name: string) => find('StatefulSet', name)!.spec.template.spec.containers[0].image;
    expect(image('immudb')).toBe(`codenotary/immudb:${IMMUDB_VERSION}`);
    // Every image pinned to an exact version.
    expect(image('redis')).toMatch(/^redis:7\.\d+\.\d+$/);
    expect(image('mongodb')).toMatch(/^mongo:7\.\d+\.\d+$/);
    expect(find('Service', 'redis')?.spec.ports[0].port).toBe(6379);
  });
});
