// Builds (or reuses) every infrastructure binary the stack needs, outside the repo.
// `npm run infra:install` runs it alone; the launcher and the test runner call ensureInfra().
import fs from 'node:fs/promises';
import { constants as fsc } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FatalError, say, withHeartbeat, elapsed } from '../lib/log.mjs';
import { probe, run } from '../lib/exec.mjs';
import { cacheDir, K8S_RECIPES, MIN_GO, MIN_NODE, RECIPES } from './versions.mjs';
import { withLock } from './lock.mjs';
import { findPostgresBin } from '../stack/postgres.mjs';

const NEED_FREE_BYTES = 8 * 1024 ** 3; // module downloads + build cache of a cold dapr build

/** Returns absolute paths of every binary: { daprd, placement, scheduler, sentry, immudb, ferretdb, redisServer, pgBin }. */
export async function ensureInfra() {
  const started = Date.now();
  checkNode();
  const bins = await ensureBuilt(RECIPES);
  bins.redisServer = await ensureRedis();
  bins.pgBin = await ensurePostgres();
  say('infra', `ready in ${elapsed(started)} (cache: ${cacheDir()})`);
  return bins;
}

/** etcd, kube-apiserver, kube-controller-manager and kubectl, for `npm run k8s:verify`. */
export async function ensureKubernetesTools() {
  return ensureBuilt(K8S_RECIPES);
}

/** Every binary of `recipes`, from the cache or built into it (one builder at a time). */
async function ensureBuilt(recipes) {
  const root = cacheDir();
  await fs.mkdir(root, { recursive: true });
  const bins = {};
  const missing = [];
  for (const recipe of recipes) {
    const found = await findExisting(recipe, root);
    if (found) Object.assign(bins, found);
    else missing.push(recipe);
  }
  if (missing.length > 0) {
    await withLock(path.join(root, '.install.lock'), async () => {
      await removeAbandonedBuilds(root);
      const goVersion = await checkGo();
      await checkDisk(root);
      for (const recipe of missing) {
        // Another process may have built it while we waited for the lock.
        const found = (await findExisting(recipe, root)) ?? (await build(recipe, root, goVersion));
        Object.assign(bins, found);
      }
    });
  }
  return bins;
}

/** Work dirs of builds that were killed midway; safe to remove while holding the lock. */
async function removeAbandonedBuilds(root) {
  for (const name of await fs.readdir(root)) {
    if (name.startsWith('.build-')) await fs.rm(path.join(root, name), { recursive: true, force: true });
  }
}

function binDir(recipe, root) {
  return path.join(root, `${recipe.name}-${recipe.version}`);
}

/** Binaries with a version flag must report the pinned version; the others must exist. */
async function versionOk(name, file, recipe) {
  const args = recipe.versionArgs[name];
  if (!args) return true;
  const out = await probe(file, args);
  return out !== undefined && out.includes(recipe.version);
}

async function findExisting(recipe, root) {
  const names = Object.keys(recipe.binaries);
  const cached = Object.fromEntries(names.map((n) => [n, path.join(binDir(recipe, root), n)]));
  if (await allVersionOk(cached, recipe)) return cached;
  if (recipe.reuse) {
    const reused = Object.fromEntries(names.map((n) => [n, recipe.reuse(n)]));
    if (await allVersionOk(reused, recipe)) {
      say('infra', `${recipe.name} ${recipe.version}: reusing ${path.dirname(Object.values(reused)[0])}`);
      return reused;
    }
  }
  return undefined;
}

async function allVersionOk(files, recipe) {
  for (const [name, file] of Object.entries(files)) {
    if (!(await isExecutable(file)) || !(await versionOk(name, file, recipe))) return false;
  }
  return true;
}

async function isExecutable(file) {
  try {
    await fs.access(file, fsc.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function build(recipe, root, goVersion) {
  const label = `${recipe.name} ${recipe.version}`;
  const env = {
    ...process.env,
    CGO_ENABLED: '0',
    GOFLAGS: ['-buildvcs=false', '-trimpath', recipe.goflags].filter(Boolean).join(' '),
  };
  say('infra', `${label}: not built yet; building from the Go module proxy with ${goVersion}`);

  const work = path.join(root, `.build-${recipe.name}-${process.pid}`);
  await fs.rm(work, { recursive: true, force: true });
  await fs.mkdir(work, { recursive: true });
  try {
    let srcDir;
    if (recipe.wrapper) {
      // A module of our own that requires the one to build.
      srcDir = path.join(work, 'src');
      await fs.mkdir(srcDir);
      await withHeartbeat('infra', `${label}: resolving the module`, () => recipe.wrapper(srcDir, fs, run, env));
    } else {
      const info = await withHeartbeat('infra', `${label}: downloading module`, async () =>
        JSON.parse(await run('go', ['mod', 'download', '-json', `${recipe.module}@v${recipe.version}`], { env })),
      );
      if (info.Error) throw new FatalError(`${label}: the module proxy refused ${recipe.module}: ${info.Error}`);
      srcDir = info.Dir;
      if (recipe.copySource) {
        srcDir = path.join(work, 'src');
        await fs.cp(info.Dir, srcDir, { recursive: true });
        await run('chmod', ['-R', 'u+w', srcDir]);
        await recipe.prepare(srcDir, fs);
      }
    }
    const outDir = path.join(work, 'bin');
    await fs.mkdir(outDir);
    const names = Object.keys(recipe.binaries);
    // One binary is written under its own name (a module path ending in /v3 would name it `server`).
    const output = names.length === 1 ? path.join(outDir, names[0]) : outDir + path.sep;
    const args = ['build', '-ldflags', ['-s', '-w', ...recipe.ldflags].join(' '), '-o', output];
    if (recipe.tags) args.push(`-tags=${recipe.tags}`);
    args.push(...Object.values(recipe.binaries));
    await withHeartbeat(
      'infra',
      `${label}: compiling ${Object.keys(recipe.binaries).join(', ')} (downloads dependencies on first run)`,
      () => run('go', args, { cwd: srcDir, env }),
    );
    const built = Object.fromEntries(Object.keys(recipe.binaries).map((n) => [n, path.join(outDir, n)]));
    if (!(await allVersionOk(built, recipe)))
      throw new FatalError(`${label}: built binaries do not report version ${recipe.version}`);
    // Publish atomically: a half-written binary is never at the final path.
    const finalDir = binDir(recipe, root);
    await fs.rm(finalDir, { recursive: true, force: true });
    await fs.rename(outDir, finalDir);
    say('infra', `${label}: installed in ${finalDir}`);
    return Object.fromEntries(Object.keys(recipe.binaries).map((n) => [n, path.join(finalDir, n)]));
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

async function ensureRedis() {
  if (process.env.REDIS_SERVER) return process.env.REDIS_SERVER;
  const onPath = await which('redis-server');
  if (onPath) return onPath;
  const canApt = process.getuid?.() === 0 && (await which('apt-get'));
  if (!canApt) {
    throw new FatalError(
      'redis-server is not installed. Install it (Debian/Ubuntu: `sudo apt-get install redis-server`, ' +
        'macOS: `brew install redis`) or set REDIS_SERVER to its path.',
    );
  }
  await withHeartbeat('infra', 'redis-server: installing the Debian package', async () => {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run('apt-get', ['update'], { env });
    await run('apt-get', ['install', '-y', '--no-install-recommends', 'redis-server'], { env });
  });
  const installed = await which('redis-server');
  if (!installed) throw new FatalError('redis-server was installed but is not on the PATH');
  return installed;
}

/**
 * Chromium for the dashboard's browser tests (test/e2e/dashboard.e2e.test.ts, driven by
 * playwright-core, which downloads no browser): BANK_CHROMIUM, else /usr/bin/chromium, installed
 * from Debian's packages when missing and this may (root with apt-get), like redis-server. Only the
 * test runner asks for it: `npm start` needs no browser.
 */
export async function ensureChromium() {
  if (process.env.BANK_CHROMIUM) return process.env.BANK_CHROMIUM;
  const found = await firstExecutable(['/usr/bin/chromium', await which('chromium')]);
  if (found) return found;
  const canApt = process.getuid?.() === 0 && (await which('apt-get'));
  if (!canApt) {
    throw new FatalError(
      'chromium is not installed (the dashboard browser tests need it). Install it ' +
        '(Debian/Ubuntu: `sudo apt-get install chromium`) or set BANK_CHROMIUM to a Chromium or Chrome binary.',
    );
  }
  await withHeartbeat('infra', 'chromium: installing the Debian package', async () => {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run('apt-get', ['update'], { env });
    await run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env });
  });
  const installed = await firstExecutable(['/usr/bin/chromium', await which('chromium')]);
  if (!installed) throw new FatalError('chromium was installed but /usr/bin/chromium is missing');
  return installed;
}

async function firstExecutable(files) {
  for (const file of files) if (file && (await isExecutable(file))) return file;
  return undefined;
}

/**
 * PostgreSQL's server binaries for the read model (FerretDB's backend), installed from the
 * distribution's packages when missing and this may (root with apt-get). Undefined when there is
 * none: the stack then keeps the read model on FerretDB's SQLite backend and says so.
 */
async function ensurePostgres() {
  if (process.env.BANK_READ_MODEL_BACKEND === 'sqlite') return undefined;
  const found = await findPostgresBin();
  if (found) return found;
  const canApt = process.getuid?.() === 0 && (await which('apt-get'));
  if (!canApt) return undefined;
  try {
    await withHeartbeat('infra', 'postgresql: installing the Debian package', async () => {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      await run('apt-get', ['update'], { env });
      await run('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], { env });
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    say('infra', `postgresql could not be installed (${reason.split('\n')[0]}); the read model stays on SQLite`);
    return undefined;
  }
  return findPostgresBin();
}

async function which(cmd) {
  const out = await probe('sh', ['-c', `command -v ${cmd}`]);
  return out?.trim() || undefined;
}

function atLeast(have, need) {
  for (let i = 0; i < need.length; i++) {
    if ((have[i] ?? 0) !== need[i]) return (have[i] ?? 0) > need[i];
  }
  return true;
}

function checkNode() {
  const have = process.versions.node.split('.').map(Number);
  if (!atLeast(have, MIN_NODE))
    throw new FatalError(`Node ${MIN_NODE.join('.')}+ is required; this is ${process.version}`);
}

async function checkGo() {
  const out = await probe('go', ['version']);
  if (!out)
    throw new FatalError(
      `Go ${MIN_GO.join('.')}+ is required to build the infrastructure, and \`go\` is not on the PATH (https://go.dev/dl/).`,
    );
  const m = /go(\d+)\.(\d+)(?:\.(\d+))?/.exec(out);
  const have = m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : [0];
  if (!atLeast(have, MIN_GO)) throw new FatalError(`Go ${MIN_GO.join('.')}+ is required; found: ${out.trim()}`);
  return out.trim().split(' ')[2];
}

async function checkDisk(root) {
  const modCache = (await probe('go', ['env', 'GOMODCACHE']))?.trim() || root;
  for (const dir of new Set([root, modCache])) {
    await fs.mkdir(dir, { recursive: true });
    const s = await fs.statfs(dir);
    const free = s.bavail * s.bsize;
    if (free < NEED_FREE_BYTES) {
      throw new FatalError(
        `${dir} has ${(free / 1024 ** 3).toFixed(1)} GiB free; a cold build needs about ${NEED_FREE_BYTES / 1024 ** 3} GiB.`,
      );
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureInfra().then(
    (bins) => {
      for (const [name, file] of Object.entries(bins)) say('infra', `${name.padEnd(11)} ${file}`);
    },
    (err) => {
      say('infra', `FAILED: ${err instanceof FatalError ? err.message : err.stack}`);
      process.exit(1);
    },
  );
}
