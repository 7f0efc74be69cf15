// The secrets of one installation (one data directory), made at its first start and never
// committed: the Dapr API token of each app's sidecar (app -> sidecar), each app's app API
// token (sidecar -> app), the secret each app proves itself with to the actors it calls, and the
// infrastructure's passwords. Kept in <data>/secrets/installation.json, mode 0600, in a 0700
// directory. On Kubernetes the same values come from Secrets (deploy/kubernetes).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { APP_IDS } from './ports.mjs';

/** The apps that call actors, each with its own secret (actors/src/actor-methods.ts checks it). */
export const ACTOR_CALLER_APPS = ['command-api', 'projections', 'actors'];

const newSecret = () => crypto.randomBytes(32).toString('base64url');
/**
 * ImmuDB takes 8-32 characters with an upper-case letter, a digit and a punctuation mark: a
 * fixed 'Aa1-' before 24 random base64url characters (144 bits).
 */
const newImmudbPassword = () => `Aa1-${crypto.randomBytes(18).toString('base64url')}`;

export function secretsDir(dataDir) {
  const dir = path.join(dataDir, 'secrets');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  return dir;
}

/**
 * The installation's secrets, made where missing (a secret added by a later version of this
 * file is made at the next start; existing ones are kept).
 * @returns {{ daprApiTokens: Record<string, string>, appApiTokens: Record<string, string>,
 *   actorCallerTokens: Record<string, string>, redisPassword: string, immudbAdminPassword: string,
 *   immudbLogPassword: string, readModelPassword: string }}
 */
export function installationSecrets(dataDir) {
  const file = path.join(secretsDir(dataDir), 'installation.json');
  const current = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  const next = {
    daprApiTokens: Object.fromEntries(APP_IDS.map((id) => [id, current.daprApiTokens?.[id] ?? newSecret()])),
    appApiTokens: Object.fromEntries(APP_IDS.map((id) => [id, current.appApiTokens?.[id] ?? newSecret()])),
    actorCallerTokens: Object.fromEntries(
      ACTOR_CALLER_APPS.map((id) => [id, current.actorCallerTokens?.[id] ?? newSecret()]),
    ),
    redisPassword: current.redisPassword ?? newSecret(),
    immudbAdminPassword: current.immudbAdminPassword ?? newImmudbPassword(),
    // The event log's own least-privilege user (read-write on the log's database only).
    immudbLogPassword: current.immudbLogPassword ?? newImmudbPassword(),
    // The read model's PostgreSQL role, which FerretDB's clients log in as.
    readModelPassword: current.readModelPassword ?? newSecret(),
  };
  if (JSON.stringify(next) !== JSON.stringify(current)) {
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(next, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  fs.chmodSync(file, 0o600);
  return next;
}

/** Writes `content` to `<data>/secrets/<name>` with mode 0600 (only when it changed); returns its path. */
export function writeSecretFile(dataDir, name, content) {
  const file = path.join(secretsDir(dataDir), name);
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== content) {
    fs.writeFileSync(`${file}.tmp`, content, { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
  }
  fs.chmodSync(file, 0o600);
  return file;
}

/**
 * The file the sidecars' local secret store reads (components/secretstore.yaml): the secrets
 * components and apps refer to by name, as Kubernetes Secrets of the same name and key do in a
 * cluster. Which app may read which through the secrets API: config/secret-scopes.yaml.
 */
export function daprSecretsFile(dataDir) {
  const { redisPassword, immudbLogPassword, readModelPassword, actorCallerTokens } = installationSecrets(dataDir);
  const secrets = {
    'redis-password': redisPassword,
    'immudb-log-password': immudbLogPassword,
    'read-model-password': readModelPassword,
    // For `dapr run -f dapr.yaml`, whose run file cannot carry them (npm start sets them directly).
    ...Object.fromEntries(Object.entries(actorCallerTokens).map(([app, token]) => [`actor-caller-${app}`, token])),
  };
  return writeSecretFile(dataDir, 'dapr-secrets.json', JSON.stringify(secrets, null, 2));
}
