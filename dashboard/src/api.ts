// The typed client of both public APIs: reads from the query API (this page's own origin),
// commands to the command API (another origin, allowed by its CORS list). Every call carries the
// signed-in person's bearer token; every failure becomes a Problem.
import { Problem } from './problem';
import type {
  Account,
  AuditTrail,
  DailyBalance,
  Movement,
  OpenAccount,
  OperationsStatus,
  Page,
  Summary,
  Transaction,
  Transfer,
  TrialBalance,
} from './types';

export type Query = Record<string, string | number | undefined>;

export type AccountFilter = { ownerId?: string; status?: string; currency?: string; limit?: number; cursor?: string };
export type HistoryFilter = {
  from?: string;
  to?: string;
  type?: string;
  minAmount?: string;
  maxAmount?: string;
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string;
  minVersion?: number;
};

export type Api = ReturnType<typeof createApi>;

export function createApi(opts: { queryUrl: string; commandUrl: string; token: () => string | null }) {
  async function call<T>(base: string, method: string, path: string, query?: Query, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = opts.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      // One key per submission: a retry of this same request could reuse it, a new form submission never does.
      headers['Idempotency-Key'] = uuid();
    }
    let res: Response;
    try {
      res = await fetch(base + path + queryString(query), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw Problem.of(err);
    }
    if (!res.ok) throw await Problem.from(res);
    return (await res.json()) as T;
  }
  const get = <T>(path: string, query?: Query) => call<T>(opts.queryUrl, 'GET', path, query);
  const post = <T>(path: string, body: unknown) => call<T>(opts.commandUrl, 'POST', path, undefined, body);
  const acc = (id: string) => `/api/v1/accounts/${encodeURIComponent(id)}`;

  return {
    accounts: (f: AccountFilter) => get<Page<Account>>('/api/v1/accounts', f),
    account: (id: string, minVersion?: number) => get<Account>(acc(id), { minVersion }),
    summary: (id: string, minVersion?: number) => get<Summary>(`${acc(id)}/summary`, { minVersion }),
    transactions: (id: string, f: HistoryFilter) => get<Page<Transaction>>(`${acc(id)}/transactions`, f),
    dailyBalances: (id: string, from: string, to: string, minVersion?: number) =>
      get<{ items: DailyBalance[] }>(`${acc(id)}/daily-balances`, { from, to, minVersion }),
    auditTrail: (id: string) => get<AuditTrail>(`${acc(id)}/events`, { limit: 100 }),
    transfer: (id: string) => get<Transfer>(`/api/v1/transfers/${encodeURIComponent(id)}`),
    trialBalance: (currency: string) => get<TrialBalance>('/api/v1/ledger/trial-balance', { currency }),
    operationsStatus: () => get<OperationsStatus>('/api/v1/operations/status'),

    open: (body: OpenAccount) => post<Account>('/api/v1/accounts', body),
    deposit: (id: string, body: { amount: string; description?: string }) =>
      post<Movement>(`${acc(id)}/deposits`, body),
    withdraw: (id: string, body: { amount: string; description?: string }) =>
      post<Movement>(`${acc(id)}/withdrawals`, body),
    freeze: (id: string, reason?: string) => post<StatusChange>(`${acc(id)}/freeze`, reason ? { reason } : {}),
    unfreeze: (id: string) => post<StatusChange>(`${acc(id)}/unfreeze`, {}),
    close: (id: string) => post<StatusChange>(`${acc(id)}/close`, {}),
    startTransfer: (body: { fromAccountId: string; toAccountId: string; amount: string; description?: string }) =>
      post<Transfer>('/api/v1/transfers', body),
  };
}

export type StatusChange = { accountId: string; status: string; version: number };

/** `?a=1&b=x` from the defined, non-empty values only. */
export function queryString(query?: Query): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** A random (v4) UUID; crypto.randomUUID exists only in secure contexts, getRandomValues everywhere. */
export function uuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
