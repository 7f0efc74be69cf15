// Pinned versions of the infrastructure and how each is built from the Go module proxy.
// Why they are built this way: docs/running.md, "Infrastructure".
import os from 'node:os';
import path from 'node:path';

export const DAPR_VERSION = '1.18.2';
export const IMMUDB_VERSION = '1.11.1';
export const FERRETDB_VERSION = '1.24.2';
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
