// Pinned versions of the infrastructure and how each is built from the Go module proxy.
// Why they are built this way: docs/running.md, "Infrastructure".
import os from 'node:os';
import path from 'node:path';

export const DAPR_VERSION = '1.18.2';
export const IMMUDB_VERSION = '1.11.1';
export const FERRETDB_VERSION = '1.24.2';
// Only for `npm run k8s:verify`: a real API server to apply the manifests to.
export const KUBERNETES_VERSION = '1.37.2';
export const ETCD_VERSION = '3.7.3';
export const MIN_GO = [1, 26, 5]; // dapr 1.18.2's go directive
export const MIN_NODE = [20, 19, 0];

/** Where built binaries live: outside the repo, shared by every clone. */
export function cacheDir() {
  if (process.env.BANK_INFRA_CACHE) return path.resolve(process.env.BANK_INFRA_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'dapr-core-banking');
}

/**
 * Go builds. Each recipe produces `binaries` from one module version; `copySource` means the
 * build must write into the module tree, so it happens in a private copy of it.
 */
export const RECIPES = [
  {
    name: 'dapr',
    module: 'github.com/dapr/dapr',
    version: DAPR_VERSION,
    // Without a components tag daprd has no state store or pub/sub at all.
    tags: 'stablecomponents',
    ldflags: [
      `-X github.com/dapr/dapr/pkg/buildinfo.version=${DAPR_VERSION}`,
      `-X github.com/dapr/kit/logger.DaprVersion=${DAPR_VERSION}`,
    ],
    binaries: { daprd: './cmd/daprd', placement: './cmd/placement', scheduler: './cmd/scheduler' },
    // placement and scheduler have no version flag; they are trusted as part of daprd's install.
    versionArgs: { daprd: ['--version'] },
    // A user's `dapr init` install is reused when its version matches.
    reuse: (name) => path.join(os.homedir(), '.dapr', 'bin', name),
  },
  {
    // Sentry, Dapr's certificate authority for mTLS between sidecars: its own recipe (no
    // components tag), so an install of the three binaries above is not rebuilt for it.
    name: 'dapr-sentry',
    module: 'github.com/dapr/dapr',
    version: DAPR_VERSION,
    ldflags: [
      `-X github.com/dapr/dapr/pkg/buildinfo.version=${DAPR_VERSION}`,
      `-X github.com/dapr/kit/logger.DaprVersion=${DAPR_VERSION}`,
    ],
    tags: '',
    binaries: { sentry: './cmd/sentry' },
    versionArgs: {},
  },
  {
    name: 'immudb',
    module: 'github.com/codenotary/immudb',
    version: IMMUDB_VERSION,
    tags: '',
    ldflags: [`-X github.com/codenotary/immudb/cmd/version.Version=${IMMUDB_VERSION}`],
    binaries: { immudb: './cmd/immudb' },
    versionArgs: { immudb: ['version'] },
  },
  {
    name: 'ferretdb',
    module: 'github.com/FerretDB/FerretDB',
    version: FERRETDB_VERSION,
    tags: '',
    ldflags: [],
    binaries: { ferretdb: './cmd/ferretdb' },
    versionArgs: { ferretdb: ['--version'] },
    // FerretDB embeds build/version/version.txt and panics at start without it.
    copySource: true,
    prepare: async (dir, fs) => {
      await fs.writeFile(path.join(dir, 'build', 'version', 'version.txt'), `v${FERRETDB_VERSION}\n`);
    },
  },
];

/**
 * What `npm run k8s:verify` needs and running the bank does not: etcd, kube-apiserver,
 * kube-controller-manager and kubectl, built once like the rest (about 20 minutes cold on two
 * cores).
 */
export const K8S_RECIPES = [
  {
    name: 'kubernetes',
    module: 'k8s.io/kubernetes',
    version: KUBERNETES_VERSION,
    tags: '',
    ldflags: [
      `-X k8s.io/component-base/version.gitVersion=v${KUBERNETES_VERSION}`,
      `-X k8s.io/component-base/version.gitMajor=${KUBERNETES_VERSION.split('.')[0]}`,
      `-X k8s.io/component-base/version.gitMinor=${KUBERNETES_VERSION.split('.')[1]}`,
    ],
    binaries: {
      'kube-apiserver': './cmd/kube-apiserver',
      'kube-controller-manager': './cmd/kube-controller-manager',
      kubectl: './cmd/kubectl',
    },
    versionArgs: { 'kube-apiserver': ['--version'], 'kube-controller-manager': ['--version'] },
    // The module proxy's copy has no staging/ tree (nested modules are left out of a module's
    // zip) and a vendor/ that no longer matches: point the staging modules at their published
    // versions (v0.X.Y for v1.X.Y) and resolve dependencies from the proxy.
    copySource: true,
    goflags: '-mod=mod',
    prepare: async (dir, fs) => {
      for (const f of ['vendor', 'go.work', 'go.work.sum'])
        await fs.rm(path.join(dir, f), { recursive: true, force: true });
      const staged = `v0.${KUBERNETES_VERSION.split('.').slice(1).join('.')}`;
      const gomod = (await fs.readFile(path.join(dir, 'go.mod'), 'utf8'))
        .split('\n')
        .filter((line) => !/k8s\.io\/sample-/.test(line))
        .map((line) =>
          line.replace(/^(\s*)(k8s\.io\/[\w.-]+) => \.\/staging\/src\/k8s\.io\/[\w.-]+$/, `$1$2 => $2 ${staged}`),
        )
        .join('\n');
      await fs.writeFile(path.join(dir, 'go.mod'), gomod);
    },
  },
  {
    // go.etcd.io/etcd/v3 is not served by the proxy, and server/v3 has relative replaces: a
    // module of our own requires the server and builds it.
    name: 'etcd',
    module: 'go.etcd.io/etcd/server/v3',
    version: ETCD_VERSION,
    tags: '',
    ldflags: [],
    binaries: { etcd: 'go.etcd.io/etcd/server/v3' },
    versionArgs: { etcd: ['--version'] },
    wrapper: async (dir, fs, run, env) => {
      await fs.writeFile(
        path.join(dir, 'go.mod'),
        `module bank.local/etcd\n\ngo 1.26\n\nrequire go.etcd.io/etcd/server/v3 v${ETCD_VERSION}\n`,
      );
      await fs.writeFile(
        path.join(dir, 'tools.go'),
        '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n',
      );
      await run('go', ['mod', 'tidy'], { cwd: dir, env });
    },
  },
];
