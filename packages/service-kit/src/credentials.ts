/**
 * The credentials an app needs at start (the event log's and the read model's passwords). Each
 * comes from its environment variable when set (Kubernetes passes its Secrets so), or else, when
 * `<NAME>_SECRET` names one, from the Dapr secret store `SECRET_STORE` through the app's own
 * sidecar: the secret of that name, its key of the same name (as the components' secretKeyRef
 * reads theirs). Locally the launcher uses the second way: the passwords live only in the data
 * directory's secrets file, and each app's Dapr configuration lets it read its own secret only.
 */
import { DaprSidecar, type SidecarOptions } from './dapr';

export async function credential(sidecar: DaprSidecar, name: string): Promise<string | undefined> {
  const direct = process.env[name];
  if (direct) return direct;
  const secretName = process.env[`${name}_SECRET`];
  if (!secretName) return undefined;
  const store = process.env.SECRET_STORE;
  if (!store) throw new Error(`${name}_SECRET is set but SECRET_STORE (the Dapr secret store to read it from) is not`);
  // The secrets API answers once the sidecar's components are loaded (before it waits for this app).
  await sidecar.waitUntilHealthy();
  const value = (await sidecar.getSecret(store, secretName))[secretName];
  if (!value) throw new Error(`the Dapr secret store ${store} has no secret ${secretName} for ${name}`);
  return value;
}

export async function requiredCredential(sidecar: DaprSidecar, name: string): Promise<string> {
  const value = await credential(sidecar, name);
  if (value === undefined) throw new Error(`set ${name}, or ${name}_SECRET and SECRET_STORE`);
  return value;
}

/**
 * The read model's connection string (MONGO_URL), with the password MONGO_PASSWORD (or
 * MONGO_PASSWORD_SECRET) put in for the user the URL names, when there is one.
 */
export async function readModelUrl(sidecar: DaprSidecar): Promise<string> {
  const url = process.env.MONGO_URL || 'mongodb://127.0.0.1:27017/';
  const password = await credential(sidecar, 'MONGO_PASSWORD');
  if (password === undefined) return url;
  const parsed = new URL(url);
  if (!parsed.username) throw new Error('MONGO_PASSWORD is set but MONGO_URL names no user');
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/**
 * Sidecar options with this app's proof to the actors it calls (ACTOR_CALLER_TOKEN, or its
 * secret), read once at start.
 */
export async function withActorCallerToken(options: SidecarOptions): Promise<SidecarOptions> {
  const actorCallerToken = await credential(new DaprSidecar(options), 'ACTOR_CALLER_TOKEN');
  return actorCallerToken ? { ...options, actorCallerToken } : options;
}
