/** Reads process configuration from the environment, failing loudly on bad values. */
export function envString(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is required`);
  return value;
}

export function envPort(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}=${raw} is not a port`);
  return port;
}

/**
 * Where this app's Dapr sidecar listens (set by the launcher, by `dapr run`, or by the injector),
 * and the API token the sidecar expects from it (DAPR_API_TOKEN), if it has one.
 */
export function sidecarFromEnv(): { host: string; httpPort: number; apiToken?: string } {
  const apiToken = process.env.DAPR_API_TOKEN;
  return {
    host: process.env.DAPR_HOST ?? '127.0.0.1',
    httpPort: envPort('DAPR_HTTP_PORT', 3500),
    ...(apiToken ? { apiToken } : {}),
  };
}

/** Interface the HTTP server binds to: loopback by default, 0.0.0.0 in containers (BIND_ADDRESS). */
export function bindAddress(): string {
  return process.env.BIND_ADDRESS ?? '127.0.0.1';
}

export function envPositiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name}=${raw} is not a positive integer`);
  return value;
}

/**
 * Options of the MongoDB client of every app that reads or writes the read model. The pool is
 * capped (MONGO_MAX_POOL_SIZE, 16 by default) so that the apps together stay below FerretDB
 * 1.24's own PostgreSQL pool (50 connections): with all 50 in use under overload, FerretDB was
 * seen to stop answering every client for good, every PostgreSQL session idle (the benchmark's
 * 100/s step). A real MongoDB needs no more than this either.
 */
export function readModelClientOptions(): { serverSelectionTimeoutMS: number; maxPoolSize: number } {
  return { serverSelectionTimeoutMS: 5000, maxPoolSize: envPositiveInt('MONGO_MAX_POOL_SIZE', 16) };
}
