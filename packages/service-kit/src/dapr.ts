/**
 * A small client for the Dapr sidecar's HTTP API (actors, service invocation, pub/sub, state).
 * The apps call their sidecar through this instead of the SDK's client so that every failure
 * surfaces with its status and body, never as a swallowed `{}`.
 *
 * It speaks node:http over kept-alive connections rather than `fetch`: every command crosses
 * two or three sidecar calls, and a CPU profile of the apps under load showed fetch's stream
 * machinery taking 30-50 % of their CPU (docs/performance.md).
 */
import http from 'node:http';
import { traceHeaders } from './trace-context';

export class SidecarError extends Error {
  override readonly name = 'SidecarError';
  constructor(
    message: string,
    /** HTTP status from the sidecar, or undefined when it could not be reached at all. */
    readonly status: number | undefined,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export type SidecarOptions = {
  host: string;
  httpPort: number;
  timeoutMs?: number;
  /** Sent as `dapr-api-token` on every call (the sidecar's DAPR_API_TOKEN). */
  apiToken?: string;
  /** Sent as `bank-actor-caller` on actor calls: this app's proof to the actors app (ACTOR_CALLER_TOKEN). */
  actorCallerToken?: string;
};

/** The header an actor call carries its calling app's secret in (checked by the actors app). */
export const ACTOR_CALLER_HEADER = 'bank-actor-caller';

export class DaprSidecar {
  private readonly host: string;
  private readonly port: number;
  private readonly timeoutMs: number;
  private readonly auth: Record<string, string>;
  private readonly actorCallAuth: Record<string, string>;
  private readonly agent = new http.Agent({ keepAlive: true, maxFreeSockets: 64 });

  constructor(opts: SidecarOptions) {
    this.host = opts.host;
    this.port = opts.httpPort;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.auth = opts.apiToken ? { 'dapr-api-token': opts.apiToken } : {};
    this.actorCallAuth = opts.actorCallerToken
      ? { ...this.auth, [ACTOR_CALLER_HEADER]: opts.actorCallerToken }
      : this.auth;
  }

  /** Calls a method of a virtual actor; Dapr activates it on whichever host placement chose. */
  invokeActor(actorType: string, actorId: string, method: string, body: unknown): Promise<unknown> {
    const path = `/actors/${enc(actorType)}/${enc(actorId)}/method/${enc(method)}`;
    return this.request('PUT', path, body, this.actorCallAuth);
  }

  /** Reads one key of an actor's state (only from the sidecar hosting the actor); undefined if unset. */
  getActorState<T>(actorType: string, actorId: string, key: string): Promise<T | undefined> {
    return this.request('GET', `/actors/${enc(actorType)}/${enc(actorId)}/state/${enc(key)}`) as Promise<T | undefined>;
  }

  /** Writes one key of an actor's state, now (not when the actor method returns). */
  async saveActorState(actorType: string, actorId: string, key: string, value: unknown): Promise<void> {
    await this.request('PUT', `/actors/${enc(actorType)}/${enc(actorId)}/state`, [
      { operation: 'upsert', request: { key, value } },
    ]);
  }

  /** Deletes one key of an actor's state, now. */
  async deleteActorState(actorType: string, actorId: string, key: string): Promise<void> {
    await this.request('PUT', `/actors/${enc(actorType)}/${enc(actorId)}/state`, [
      { operation: 'delete', request: { key } },
    ]);
  }

  /**
   * Creates or replaces an actor reminder (durable in the scheduler): Dapr calls the actor's
   * `receiveReminder` after `dueTime` and then every `period` until it is deleted.
   */
  async registerReminder(actorType: string, actorId: string, name: string, dueTime: string, period: string) {
    await this.request('POST', `/actors/${enc(actorType)}/${enc(actorId)}/reminders/${enc(name)}`, {
      dueTime,
      period,
    });
  }

  async unregisterReminder(actorType: string, actorId: string, name: string): Promise<void> {
    await this.request('DELETE', `/actors/${enc(actorType)}/${enc(actorId)}/reminders/${enc(name)}`);
  }

  /** Service invocation: `appId`'s route `path` through both sidecars. */
  invoke(appId: string, path: string, method: 'GET' | 'POST', body?: unknown): Promise<unknown> {
    return this.request(method, `/invoke/${enc(appId)}/method/${path.replace(/^\//, '')}`, body);
  }

  async publish(pubsub: string, topic: string, data: unknown): Promise<void> {
    await this.request('POST', `/publish/${enc(pubsub)}/${enc(topic)}`, data);
  }

  async getState<T>(store: string, key: string): Promise<T | undefined> {
    const value = await this.request('GET', `/state/${enc(store)}/${enc(key)}`);
    return value === undefined ? undefined : (value as T);
  }

  async saveState(store: string, key: string, value: unknown): Promise<void> {
    await this.request('POST', `/state/${enc(store)}`, [{ key, value }]);
  }

  /** A state entry with its ETag (for a conditional save); undefined if unset. */
  async getStateEntry<T>(store: string, key: string): Promise<{ value: T; etag: string } | undefined> {
    const { parsed, headers } = await this.send('GET', `/state/${enc(store)}/${enc(key)}`);
    const etag = headers.get('etag');
    return parsed === undefined || !etag ? undefined : { value: parsed as T, etag };
  }

  /**
   * Saves only if the entry is still at `etag`, or (with no etag) does not exist yet: first-write
   * concurrency. Resolves false when another writer got there first.
   */
  async saveStateIfUnchanged(store: string, key: string, value: unknown, etag: string | undefined): Promise<boolean> {
    try {
      await this.request('POST', `/state/${enc(store)}`, [
        { key, value, ...(etag ? { etag } : {}), options: { concurrency: 'first-write' } },
      ]);
      return true;
    } catch (err) {
      // Dapr answers 409 on an ETag mismatch; Redis' first-write without an ETag on an existing key is a 500.
      if (err instanceof SidecarError && (err.status === 409 || (etag === undefined && err.status === 500))) {
        return false;
      }
      throw err;
    }
  }

  /** One secret of a Dapr secret store: its keys and values. */
  async getSecret(store: string, name: string): Promise<Record<string, string>> {
    return ((await this.request('GET', `/secrets/${enc(store)}/${enc(name)}`)) ?? {}) as Record<string, string>;
  }

  /** Resolves when the sidecar's outbound side (its components) is ready: what an app needs to start. */
  async healthy(): Promise<void> {
    await this.request('GET', '/healthz/outbound');
  }

  /**
   * Resolves when the whole sidecar is ready, placement and scheduler connections included:
   * what an app's /readyz reports (a sidecar that cannot reach placement cannot call actors).
   */
  async ready(): Promise<void> {
    await this.request('GET', '/healthz');
  }

  /** Waits for the sidecar at start-up (it may start after the app). */
  async waitUntilHealthy(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await this.healthy();
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async request(method: string, path: string, body?: unknown, auth = this.auth): Promise<unknown> {
    return (await this.send(method, path, body, auth)).parsed;
  }

  private async send(
    method: string,
    path: string,
    body?: unknown,
    auth = this.auth,
  ): Promise<{ parsed: unknown; headers: { get(name: string): string | null } }> {
    let res: { status: number; text: string; headers: http.IncomingHttpHeaders };
    try {
      res = await this.exchange(method, `/v1.0${path}`, body === undefined ? undefined : JSON.stringify(body), auth);
    } catch (err) {
      throw new SidecarError(`Dapr sidecar unreachable: ${(err as Error).message}`, undefined, undefined);
    }
    const { text } = res;
    let parsed: unknown = undefined;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (res.status < 200 || res.status >= 300) {
      throw new SidecarError(
        `Dapr ${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`,
        res.status,
        parsed,
      );
    }
    const headers = res.headers;
    return { parsed, headers: { get: (name) => single(headers[name.toLowerCase()]) } };
  }

  /** One HTTP exchange; rejects on a connection error, a cut response or the timeout. */
  private exchange(
    method: string,
    path: string,
    payload: string | undefined,
    auth: Record<string, string>,
  ): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: this.host,
        port: this.port,
        method,
        path,
        agent: this.agent,
        // The request's trace context goes on with every call, so the sidecar's spans join its trace.
        headers:
          payload === undefined
            ? { ...traceHeaders(), ...auth }
            : {
                ...traceHeaders(),
                ...auth,
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(payload),
              },
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('aborted', () => fail(new Error('the response was cut off')));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers });
        });
      });
      req.end(payload);
    });
  }
}

function single(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

const enc = encodeURIComponent;
