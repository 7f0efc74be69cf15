/**
 * Minimal JSON HTTP helpers for end-to-end tests. Every request carries the credentials its
 * target expects unless `headers` names its own ('' for none): a real bearer token of the staff
 * for the public APIs; the sidecar's API token for a sidecar (with its app's actor caller token,
 * `bank-actor-caller`), the app's app token for an internal app's own port (`dapr-api-token`), as
 * the apps and sidecars themselves send them.
 */
import { staffBearer } from './auth';

export const commandApi = () => process.env.COMMAND_API_URL!;
export const queryApi = () => process.env.QUERY_API_URL!;

export type Reply = { status: number; body: any; headers: Headers }; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: withAuth({ 'content-type': 'application/json', ...(await credentialsFor(url)), ...headers }),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => undefined), headers: res.headers };
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url, { headers: withAuth({ ...(await credentialsFor(url)), ...headers }) });
  return { status: res.status, body: await res.json().catch(() => undefined), headers: res.headers };
}

/** A header given as '' is not sent at all. */
function withAuth(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== ''));
}

type InternalTokens = {
  daprApiTokens: Record<string, string>;
  appApiTokens: Record<string, string>;
  actorCallerTokens: Record<string, string>;
};
export const internalTokens = () => JSON.parse(process.env.BANK_TEST_INTERNAL_TOKENS!) as InternalTokens;

async function credentialsFor(url: string): Promise<Record<string, string>> {
  const origin = new URL(url).origin;
  const sidecars = JSON.parse(process.env.BANK_SIDECAR_URLS!) as Record<string, string>;
  for (const [app, base] of Object.entries(sidecars)) {
    if (base !== origin) continue;
    const { daprApiTokens, actorCallerTokens } = internalTokens();
    const caller = actorCallerTokens[app];
    return {
      ...(await staffBearer()),
      'dapr-api-token': daprApiTokens[app]!,
      ...(caller ? { 'bank-actor-caller': caller } : {}),
    };
  }
  for (const [app, base] of Object.entries(appUrls())) {
    if (base === origin && !['command-api', 'query-api'].includes(app)) {
      return { 'dapr-api-token': internalTokens().appApiTokens[app]! };
    }
  }
  return staffBearer();
}

/** Where each app of the test stack listens (set by the test stack's global setup). */
export const appUrls = () => JSON.parse(process.env.BANK_APP_URLS!) as Record<string, string>;
export const appUrl = (app: string) => appUrls()[app]!;
/** Where each app's Dapr sidecar serves its HTTP API. */
export const sidecarUrl = (app: string) => (JSON.parse(process.env.BANK_SIDECAR_URLS!) as Record<string, string>)[app]!;
/** The Dapr app id of an app of the test stack (suffixed by its port block; see scripts/stack/ports.mjs). */
export const daprAppIdOf = (app: string) =>
  (JSON.parse(process.env.BANK_DAPR_APP_IDS!) as Record<string, string>)[app]!;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Kills (SIGKILL), restarts or wipes (Redis only: killed, data removed, started again) a process
 * of the test stack, through the control server the test runner's main process keeps.
 */
export const control = (action: 'kill' | 'restart' | 'wipe', name: string) =>
  fetch(`${process.env.BANK_TEST_CONTROL_URL}/${action}/${name}`, { method: 'POST' }).then(async (r) => {
    if (r.status !== 204) throw new Error(`${action} ${name}: ${await r.text()}`);
  });

/**
 * The trial balance once the books include everything the log held when this was called: they
 * are folded as the read model applies the log, so a read right after a command may predate it
 * (the `X-Books-Log-Position` header says up to which log transaction they go).
 */
export async function trialBalanceAtHead(currency: string, timeoutMs = 30_000): Promise<Reply> {
  const head = (await get(`${appUrl('event-source')}/log?afterTx=0&limit=1`)).body.headTx as number;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await get(`${queryApi()}/api/v1/ledger/trial-balance?currency=${currency}`);
    if (res.status === 200 && Number(res.headers.get('x-books-log-position')) >= head) return res;
    if (Date.now() > deadline) throw new Error(`the books did not reach log transaction ${head}: ${res.status}`);
    await sleep(100);
  }
}
