/**
 * Who may do what (docs/security.md, "People: bearer tokens and roles"), through the real stack
 * with real tokens of its issuer: every public route, every role, no token at all, and a
 * customer on someone else's account. The table below is the tested contract; a route the APIs
 * serve that is missing from it fails the first test.
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { openSse } from '../support/sse';
import { bearer, tokenFor, type Role } from './auth';
import { appUrl, commandApi, daprAppIdOf, get, internalTokens, post, queryApi, sidecarUrl, type Reply } from './http';

type Caller = 'anonymous' | 'owner' | 'otherCustomer' | Exclude<Role, 'customer'>;
const CALLERS: Caller[] = ['anonymous', 'owner', 'otherCustomer', 'teller', 'auditor', 'admin'];

const run = randomUUID().slice(0, 8);
const alice = `alice-${run}`; // owns the accounts the routes are called on
const bob = `bob-${run}`; // a customer too, with an account of his own

const headersOf = async (caller: Caller): Promise<Record<string, string>> => {
  switch (caller) {
    case 'anonymous':
      return { authorization: '' };
    case 'owner':
      return bearer(alice, ['customer']);
    case 'otherCustomer':
      return bearer(bob, ['customer']);
    default:
      return bearer(`${caller}-${run}`, [caller]);
  }
};

/** An account of `ownerId` opened by a teller, with money, as the read model has it. */
async function accountOf(ownerId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const accountId = `authz-${randomUUID()}`;
  const teller = await bearer(`teller-${run}`, ['teller']);
  const res = await post(
    `${commandApi()}/api/v1/accounts`,
    { accountId, ownerId, ownerName: ownerId, type: 'CHECKING', currency: 'USD', initialDeposit: '100.00', ...extra },
    teller,
  );
  expect(res.status).toBe(201);
  expect((await get(`${queryApi()}/api/v1/accounts/${accountId}?minVersion=${res.body.version}`)).status).toBe(200);
  return accountId;
}

/** Headers as the JSON helpers take them: '' means not sent. */
const withoutEmpty = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== ''));

type Row = {
  route: string;
  /** Makes the call; state-changing rows get a fresh account of alice's per call. */
  call: (headers: Record<string, string>) => Promise<Reply>;
  expect: Record<Caller, number>;
};

const READ = { anonymous: 401, owner: 200, otherCustomer: 404, teller: 200, auditor: 200, admin: 200 };
const COMMAND = (ok: number) => ({
  anonymous: 401,
  owner: ok,
  otherCustomer: 404,
  teller: ok,
  auditor: 403,
  admin: ok,
});
const AUDIT = { anonymous: 401, owner: 403, otherCustomer: 403, teller: 403, auditor: 200, admin: 200 };

let account: string; // alice's, read by the read rows
let transferId: string; // from alice's account to carol's
const rows: Row[] = [];
const cmd = (path: string) => `${commandApi()}/api/v1${path}`;
const qry = (path: string) => `${queryApi()}/api/v1${path}`;

beforeAll(async () => {
  account = await accountOf(alice);
  await accountOf(bob);
  const carols = await accountOf(`carol-${run}`);
  const t = await post(cmd('/transfers'), { fromAccountId: account, toAccountId: carols, amount: '1.00' });
  expect(t.status).toBe(202);
  transferId = t.body.transferId;
  for (let i = 0; (await get(qry(`/transfers/${transferId}`))).body.status === 'PENDING'; i++) {
    if (i > 100) throw new Error('transfer did not end');
    await new Promise((r) => setTimeout(r, 100));
  }

  rows.push(
    {
      route: 'POST /api/v1/accounts',
      call: (h) =>
        post(
          cmd('/accounts'),
          { ownerId: alice, ownerName: 'Alice', type: 'SAVINGS', currency: 'EUR', initialDeposit: '1.00' },
          h,
        ),
      // Only alice may open in her own name as a customer; bob asking for alice's name is refused.
      expect: { anonymous: 401, owner: 201, otherCustomer: 403, teller: 201, auditor: 403, admin: 201 },
    },
    {
      route: 'POST /api/v1/accounts/{accountId}/deposits',
      call: async (h) => post(cmd(`/accounts/${await accountOf(alice)}/deposits`), { amount: '5.00' }, h),
      expect: COMMAND(201),
    },
    {
      route: 'POST /api/v1/accounts/{accountId}/withdrawals',
      call: async (h) => post(cmd(`/accounts/${await accountOf(alice)}/withdrawals`), { amount: '5.00' }, h),
      expect: COMMAND(201),
    },
    {
      route: 'POST /api/v1/accounts/{accountId}/freeze',
      call: async (h) => post(cmd(`/accounts/${await accountOf(alice)}/freeze`), {}, h),
      expect: COMMAND(200),
    },
    {
      route: 'POST /api/v1/accounts/{accountId}/unfreeze',
      call: async (h) => {
        const id = await accountOf(alice);
        expect((await post(cmd(`/accounts/${id}/freeze`), {})).status).toBe(200);
        return post(cmd(`/accounts/${id}/unfreeze`), {}, h);
      },
      expect: COMMAND(200),
    },
    {
      route: 'POST /api/v1/accounts/{accountId}/close',
      call: async (h) => post(cmd(`/accounts/${await accountOf(alice, { initialDeposit: '0' })}/close`), {}, h),
      expect: COMMAND(200),
    },
    {
      route: 'POST /api/v1/transfers',
      call: async (h) =>
        post(cmd('/transfers'), { fromAccountId: await accountOf(alice), toAccountId: account, amount: '2.00' }, h),
      expect: COMMAND(202),
    },
    { route: 'GET /api/v1/accounts/{accountId}', call: (h) => get(qry(`/accounts/${account}`), h), expect: READ },
    {
      route: 'GET /api/v1/accounts',
      // A customer's list is never refused: it holds its own accounts only (checked below).
      call: (h) => get(qry(`/accounts?ownerId=${alice}`), h),
      expect: { ...READ, otherCustomer: 200 },
    },
    {
      route: 'GET /api/v1/accounts/{accountId}/transactions',
      call: (h) => get(qry(`/accounts/${account}/transactions`), h),
      expect: READ,
    },
    {
      route: 'GET /api/v1/accounts/{accountId}/balance-at',
      call: (h) => get(qry(`/accounts/${account}/balance-at?timestamp=${new Date().toISOString()}`), h),
      expect: READ,
    },
    {
      route: 'GET /api/v1/accounts/{accountId}/summary',
      call: (h) => get(qry(`/accounts/${account}/summary`), h),
      expect: READ,
    },
    {
      route: 'GET /api/v1/accounts/{accountId}/daily-balances',
      call: (h) => get(qry(`/accounts/${account}/daily-balances`), h),
      expect: READ,
    },
    {
      route: 'GET /api/v1/accounts/{accountId}/events',
      call: (h) => get(qry(`/accounts/${account}/events`), h),
      expect: AUDIT,
    },
    { route: 'GET /api/v1/transfers/{transferId}', call: (h) => get(qry(`/transfers/${transferId}`), h), expect: READ },
    {
      route: 'GET /api/v1/transfers/{transferId}/events',
      call: (h) => get(qry(`/transfers/${transferId}/events`), h),
      expect: AUDIT,
    },
    {
      route: 'GET /api/v1/stream',
      call: async (h) => {
        const stream = await openSse(qry(`/stream?accountId=${account}`), withoutEmpty(h));
        stream.close();
        return { status: stream.status, body: stream.body, headers: stream.headers };
      },
      expect: READ,
    },
    {
      route: 'GET /api/v1/operations/status',
      call: (h) => get(qry('/operations/status'), h),
      expect: { anonymous: 401, owner: 403, otherCustomer: 403, teller: 200, auditor: 200, admin: 200 },
    },
    {
      route: 'GET /api/v1/reports/top-accounts',
      call: (h) => get(qry('/reports/top-accounts?currency=USD'), h),
      expect: { anonymous: 401, owner: 403, otherCustomer: 403, teller: 200, auditor: 200, admin: 200 },
    },
    {
      route: 'GET /api/v1/ledger/trial-balance',
      call: (h) => get(qry('/ledger/trial-balance?currency=USD'), h),
      expect: AUDIT,
    },
  );
}, 120_000);

describe('route x role', () => {
  it('covers every route the two APIs document', async () => {
    const documented = new Map<string, string[]>();
    for (const base of [commandApi(), queryApi()]) {
      const doc = (await get(`${base}/openapi.json`, { authorization: '' })).body as {
        paths: Record<string, Record<string, { 'x-roles'?: string[] }>>;
      };
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops))
          documented.set(`${method.toUpperCase()} ${path}`, op['x-roles'] ?? []);
      }
    }
    expect(rows.map((r) => r.route).sort()).toEqual([...documented.keys()].filter((r) => r.includes('/api/v1')).sort());
    // ... and the roles each documents are the roles the table lets through.
    for (const row of rows) {
      const allowed = (['customer', 'teller', 'auditor', 'admin'] as const).filter(
        (role) => row.expect[role === 'customer' ? 'owner' : role] !== 403,
      );
      expect([row.route, [...documented.get(row.route)!].sort()]).toEqual([row.route, [...allowed].sort()]);
    }
  });

  it('answers every caller as the contract says', async () => {
    const table: string[] = [];
    const mismatches: string[] = [];
    for (const row of rows) {
      const answers: string[] = [];
      for (const caller of CALLERS) {
        const res = await row.call(await headersOf(caller));
        answers.push(`${caller}=${res.status}`);
        if (res.status !== row.expect[caller]) {
          mismatches.push(`${row.route} as ${caller}: ${res.status} ${JSON.stringify(res.body)}`);
        }
        // Refusals are the contract's problem documents.
        if (res.status === 401) {
          expect(res.body.code).toBe('UNAUTHENTICATED');
          expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        }
        if (res.status === 403) expect(res.body.code).toBe('FORBIDDEN');
        if (res.status === 404) expect(res.body.code).toMatch(/^(ACCOUNT|TRANSFER)_NOT_FOUND$/);
      }
      table.push(`${row.route.padEnd(48)} ${answers.join(' ')}`);
    }
    process.stderr.write(`\nroute x role, as answered:\n${table.join('\n')}\n`);
    expect(mismatches).toEqual([]);
  }, 300_000);
});

describe('a customer', () => {
  it("sees only its own accounts in lists, whatever it filters on, and someone else's as if it did not exist", async () => {
    const mine = await accountOf(bob);
    const asBob = await bearer(bob, ['customer']);
    const listed = await get(qry('/accounts?limit=500'), asBob);
    expect(listed.status).toBe(200);
    const owners = new Set(listed.body.items.map((a: { ownerId: string }) => a.ownerId));
    expect([...owners]).toEqual([bob]);
    expect(listed.body.items.map((a: { accountId: string }) => a.accountId)).toContain(mine);
    expect((await get(qry(`/accounts?ownerId=${alice}`), asBob)).body).toEqual({ items: [], nextCursor: null });

    // Alice's account and an account that does not exist answer bob alike, headers included.
    const theirs = await get(qry(`/accounts/${account}`), asBob);
    const nobody = await get(qry(`/accounts/nobody-${randomUUID()}`), asBob);
    expect([theirs.status, theirs.body.code]).toEqual([nobody.status, nobody.body.code]);
    expect(theirs.headers.get('x-read-model-version')).toBe(nobody.headers.get('x-read-model-version'));
    expect(theirs.headers.get('etag')).not.toMatch(/^"\d+"$/); // no account version
    // ... also for a command with a version condition (no version is given away).
    const ifMatch = await post(
      cmd(`/accounts/${account}/deposits`),
      { amount: '1.00' },
      { ...asBob, 'if-match': '"1"' },
    );
    expect([ifMatch.status, ifMatch.body.code]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
    // ... and a transfer out of alice's account, even one repeating an existing transfer's details.
    const steal = await post(
      cmd('/transfers'),
      { transferId, fromAccountId: account, toAccountId: mine, amount: '1.00' },
      asBob,
    );
    expect([steal.status, steal.body.code]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
  });

  it('may send money from its own account to anyone', async () => {
    const from = await accountOf(alice);
    const res = await post(
      cmd('/transfers'),
      { fromAccountId: from, toAccountId: account, amount: '3.00' },
      await bearer(alice, ['customer']),
    );
    expect(res.status).toBe(202);
    expect(res.body.status).not.toBe('FAILED');
  });
});

describe('idempotency keys', () => {
  it('are scoped to the principal: the same key used by two customers never meets', async () => {
    const key = `shared-key-${run}`;
    const asAlice = { ...(await bearer(alice, ['customer'])), 'idempotency-key': key };
    const asBob = { ...(await bearer(bob, ['customer'])), 'idempotency-key': key };
    const body = { ownerName: 'Same', type: 'CHECKING', currency: 'USD' };
    const a = await post(cmd('/accounts'), { ...body, ownerId: alice }, asAlice);
    const b = await post(cmd('/accounts'), { ...body, ownerId: bob }, asBob);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.accountId).not.toBe(b.body.accountId);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    // Each principal's own retry is a replay of its own first answer.
    const again = await post(cmd('/accounts'), { ...body, ownerId: alice }, asAlice);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(a.body);
  });

  it("cannot touch another principal's transfer: the same key and body start a transfer of one's own", async () => {
    const key = `transfer-key-${run}`;
    const [aliceFrom, bobFrom] = [await accountOf(alice), await accountOf(bob)];
    const start = async (sub: string, from: string) =>
      post(
        cmd('/transfers'),
        { fromAccountId: from, toAccountId: account, amount: '1.00' },
        {
          ...(await bearer(sub, ['customer'])),
          'idempotency-key': key,
        },
      );
    const a = await start(alice, aliceFrom);
    const b = await start(bob, bobFrom);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.transferId).not.toBe(b.body.transferId);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('tokens', () => {
  it('refuses forged tokens on both APIs with 401', async () => {
    const good = await tokenFor(alice, ['admin']);
    const [h, p] = good.split('.');
    const forged: Record<string, string> = {
      expired: await tokenFor(alice, ['admin'], { expiresAt: Math.floor(Date.now() / 1000) - 120 }),
      'wrong issuer': await tokenFor(alice, ['admin'], { claims: { iss: 'urn:elsewhere' } }),
      'wrong audience': await tokenFor(alice, ['admin'], { claims: { aud: 'urn:elsewhere' } }),
      'alg none': `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.`,
      'tampered signature': `${h}.${p}.${'A'.repeat(86)}`,
      'not a JWT': 'hello',
    };
    for (const [name, token] of Object.entries(forged)) {
      for (const url of [qry('/ledger/trial-balance?currency=USD'), cmd(`/accounts/${account}/freeze`)]) {
        const res = url.includes('freeze')
          ? await post(url, {}, { authorization: `Bearer ${token}` })
          : await get(url, { authorization: `Bearer ${token}` });
        expect([name, res.status, res.body.code]).toEqual([name, 401, 'UNAUTHENTICATED']);
      }
    }
  });

  it('leaves health, readiness and the OpenAPI document open', async () => {
    for (const base of [commandApi(), queryApi()]) {
      for (const path of ['/healthz', '/readyz', '/openapi.json']) {
        expect([path, (await get(`${base}${path}`, { authorization: '' })).status]).toEqual([path, 200]);
      }
    }
  });
});

describe('rate limits', () => {
  it('refuses a principal over its rate with 429 and Retry-After, leaves others alone, and lets it back after the wait', async () => {
    // The test stack allows 20 requests/s with bursts of 40 per principal and API.
    const flood = await bearer(`flood-${run}`, ['teller']);
    const answers: Reply[] = [];
    for (let wave = 0; wave < 4; wave++) {
      answers.push(...(await Promise.all(Array.from({ length: 30 }, () => get(qry(`/accounts/${account}`), flood)))));
    }
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(answers.filter((r) => r.status !== 429).every((r) => r.status === 200)).toBe(true);
    expect(limited[0]!.body.code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited[0]!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    // Another principal, and the other API, are not affected.
    expect((await get(qry(`/accounts/${account}`), await bearer(`calm-${run}`, ['teller']))).status).toBe(200);
    expect((await post(cmd(`/accounts/${account}/deposits`), { amount: '1.00' }, flood)).status).toBe(201);
    await new Promise((r) => setTimeout(r, retryAfter * 1000));
    expect((await get(qry(`/accounts/${account}`), flood)).status).toBe(200);
  });
});

describe('cost caps', () => {
  /** How many actors of a type the actors app's sidecar holds in memory (Dapr's metadata API). */
  const active = async (type: string) => {
    const { body } = await get(`${sidecarUrl('actors')}/v1.0/metadata`);
    const entry = (body.actorRuntime?.activeActors ?? []) as Array<{ type: string; count: number }>;
    return entry.find((a) => a.type === type)?.count ?? 0;
  };

  it('activates no account actor for commands and transfers naming accounts nobody opened', async () => {
    const before = await active('BankAccount');
    expect(before).toBeGreaterThan(0); // this file's accounts: the count is there to read
    const made = Array.from({ length: 12 }, () => `nobody-${randomUUID()}`);
    for (const id of made) {
      const deposit = await post(cmd(`/accounts/${id}/deposits`), { amount: '1.00' });
      expect([id, deposit.status, deposit.body.code]).toEqual([id, 404, 'ACCOUNT_NOT_FOUND']);
    }
    const transfer = await post(cmd('/transfers'), { fromAccountId: account, toAccountId: made[0], amount: '1.00' });
    expect([transfer.status, transfer.body.code]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
    // Before, each made-up id activated an actor that stayed until Dapr's idle timeout; the
    // margin is for actors that other work of the stack may activate meanwhile.
    expect(await active('BankAccount')).toBeLessThanOrEqual(before + 2);
  });

  it('activates no transfer actor for a status read of a transfer id nobody used', async () => {
    const before = await active('Transfer');
    for (let i = 0; i < 12; i++) {
      const res = await get(qry(`/transfers/nobody-${randomUUID()}`), await bearer(`teller-${run}`, ['teller']));
      expect([res.status, res.body.code]).toEqual([404, 'TRANSFER_NOT_FOUND']);
    }
    // Before, each read asked the id's Transfer actor (the only place a transfer accepted while
    // the log was down was kept); now an accepted transfer is always in the log, which alone is asked.
    expect(await active('Transfer')).toBeLessThanOrEqual(before + 2);
  });
});

describe('operations', () => {
  it("lets only an admin reach the read-model rebuild, through the projections app's sidecar", async () => {
    const url = `${sidecarUrl('projections')}/v1.0/invoke/${daprAppIdOf('projections')}/method/internal/rebuild`;
    const answers: Record<string, number> = {};
    for (const caller of ['anonymous', 'owner', 'teller', 'auditor', 'admin'] as Caller[]) {
      answers[caller] = (await get(url, await headersOf(caller))).status;
    }
    expect(answers).toEqual({ anonymous: 401, owner: 403, teller: 403, auditor: 403, admin: 200 });
  });
});

describe('internal calls', () => {
  const actorUrl = (sidecarOf: string, type: string, id: string, method: string) =>
    `${sidecarUrl(sidecarOf)}/v1.0/actors/${type}/${id}/method/${method}`;
  /** The account as the actors app's own Transfer actor sees it (the only caller `view` answers). */
  const view = async () => (await post(actorUrl('actors', 'BankAccount', account, 'view'), {})).body;

  it('refuses a sidecar call without its API token, or with another sidecar’s', async () => {
    const url = actorUrl('actors', 'BankAccount', account, 'view');
    for (const token of ['', 'guess', internalTokens().daprApiTokens['query-api']!]) {
      const res = await post(url, {}, { 'dapr-api-token': token });
      expect([token.slice(0, 5), res.status]).toEqual([token.slice(0, 5), 401]);
    }
    expect((await post(url, {})).status).toBe(200); // with its own token
  });

  it("refuses calls straight to the internal apps' ports, without the sidecar's app token", async () => {
    const calls: Array<[string, string, string, unknown]> = [
      ['event-source', 'POST', '/appends', { streams: [] }],
      ['event-source', 'GET', `/streams/${account}/events`, undefined],
      ['actors', 'PUT', `/actors/BankAccount/${account}/method/view`, {}],
      ['projections', 'POST', '/internal/rebuild', {}],
      ['projections', 'GET', '/dapr/subscribe', undefined],
    ];
    for (const [app, method, path, body] of calls) {
      for (const token of ['', 'guess']) {
        const res = await fetch(`${appUrl(app)}${path}`, {
          method,
          headers: {
            'content-type': 'application/json',
            ...(token ? { 'dapr-api-token': token } : {}),
            // Neither a valid user token nor a valid actor caller token is enough.
            'bank-actor-caller': internalTokens().actorCallerTokens.actors!,
            ...(await bearer(`admin-${run}`, ['admin'])),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        expect([app, path, token, res.status]).toEqual([app, path, token, 401]);
      }
    }
  });

  it("refuses actor methods that are not the actor type's public ones (the SDK would call any)", async () => {
    for (const method of [
      'persist',
      'load',
      'run',
      'onDeactivate',
      'unregisterActorReminder',
      'getStateManager',
      'status',
    ]) {
      const res = await post(actorUrl('actors', 'BankAccount', account, method), {
        version: 99,
        state: { status: 'NONE' },
      });
      expect([method, res.status >= 400, JSON.stringify(res.body)]).toEqual([
        method,
        true,
        // The actors app answers 404 before the SDK sees the call; daprd reports it so.
        expect.stringContaining('actor method not found'),
      ]);
    }
    // The account is as it was.
    expect(await view()).toMatchObject({ ok: true, account: { ownerId: alice, status: 'ACTIVE' } });
  });

  it('lets each actor method answer only the app the design intends, whichever sidecar the call comes through', async () => {
    const transferId = `forged-${randomUUID()}`;
    const methods: Array<[string, string, string, string]> = [
      ['BankAccount', account, 'execute', 'command-api'],
      ['BankAccount', account, 'view', 'actors'],
      ['BankAccount', account, 'transferStep', 'actors'],
      ['Transfer', transferId, 'start', 'command-api'],
      ['Transfer', transferId, 'resume', 'projections'],
    ];
    const apps = ['command-api', 'query-api', 'projections', 'actors', 'event-source'];
    const answered: string[] = [];
    for (const [type, id, method] of methods) {
      for (const from of apps) {
        // An empty body: the intended caller gets a validation failure or an answer, never a change.
        const res = await post(actorUrl(from, type, id, method), method === 'view' ? {} : { x: 1 });
        const refused = res.status >= 400 && JSON.stringify(res.body).includes('FORBIDDEN');
        if (!refused) answered.push(`${type}.${method} <- ${from}`);
      }
    }
    expect(answered.sort()).toEqual(methods.map(([type, , method, app]) => `${type}.${method} <- ${app}`).sort());
    // A forged caller token, or one app's token through another app's sidecar, is refused just the same.
    for (const token of ['', 'guess', internalTokens().actorCallerTokens['projections']!]) {
      const res = await post(
        actorUrl('command-api', 'BankAccount', account, 'execute'),
        { x: 1 },
        {
          'bank-actor-caller': token,
        },
      );
      expect([token.slice(0, 5), res.status, JSON.stringify(res.body)]).toEqual([
        token.slice(0, 5),
        expect.any(Number),
        expect.stringContaining('FORBIDDEN'),
      ]);
    }
  });

  it('lets each app read only its own credentials through the Dapr secrets API', async () => {
    const secrets = ['redis-password', 'immudb-log-password', 'read-model-password'];
    const readable: string[] = [];
    for (const app of ['command-api', 'query-api', 'actors', 'event-source', 'projections']) {
      for (const secret of secrets) {
        const res = await get(`${sidecarUrl(app)}/v1.0/secrets/localsecretstore/${secret}`);
        if (res.status === 200 && typeof res.body?.[secret] === 'string') readable.push(`${app}: ${secret}`);
        else expect([app, secret, res.status]).toEqual([app, secret, expect.any(Number)]);
      }
    }
    // The Redis password is read by the components inside the sidecars, never by an app.
    expect(readable.sort()).toEqual([
      'event-source: immudb-log-password',
      'projections: read-model-password',
      'query-api: read-model-password',
    ]);
  });

  it('refuses a transfer step from anyone but the Transfer actor: no money moves', async () => {
    const before = (await view()).version;
    const request = {
      step: 'debit',
      correlationId: 'forged',
      transferId: `forged-${randomUUID()}`,
      toAccountId: `bob-account-${run}`,
      amountMinor: 100,
      currency: 'USD',
      description: null,
    };
    const { actorCallerTokens } = internalTokens();
    for (const [from, token] of [
      ['command-api', undefined],
      ['command-api', actorCallerTokens['command-api']],
      ['actors', 'guess'],
      ['actors', ''],
      ['projections', actorCallerTokens.projections],
    ] as Array<[string, string | undefined]>) {
      const res = await post(
        actorUrl(from, 'BankAccount', account, 'transferStep'),
        request,
        token === undefined ? {} : { 'bank-actor-caller': token },
      );
      expect([from, token?.slice(0, 5), JSON.stringify(res.body)]).toEqual([
        from,
        token?.slice(0, 5),
        expect.stringContaining('FORBIDDEN'),
      ]);
    }
    expect((await view()).version).toBe(before);
  });

  it("lets only the intended apps invoke event-source's routes (mTLS identities, access-control policy)", async () => {
    const invoke = (from: string, method: string) =>
      `${sidecarUrl(from)}/v1.0/invoke/${daprAppIdOf('event-source')}/method/${method}`;
    const forgedAppend = {
      streams: [
        {
          streamId: `forged-${run}`,
          expectedVersion: 0,
          events: [
            {
              eventId: randomUUID(),
              streamId: `forged-${run}`,
              version: 1,
              type: 'MoneyDeposited',
              schemaVersion: 1,
              data: { transactionId: 'x', amount: '100000', description: null, balanceAfter: '100000' },
              metadata: { correlationId: 'forged' },
              occurredAt: new Date().toISOString(),
            },
          ],
        },
      ],
    };
    // Callers that hold their own sidecar's token, asking for what is not theirs to ask: 403.
    const refused: Array<[string, 'GET' | 'POST', string]> = [
      ['command-api', 'POST', 'appends'],
      ['query-api', 'POST', 'appends'],
      ['projections', 'POST', 'appends'],
      ['command-api', 'GET', `streams/${account}/events`],
      ['command-api', 'GET', `streams/${account}/audit`],
      ['query-api', 'GET', `idempotency/${'0'.repeat(64)}`],
      ['query-api', 'GET', `streams/${account}/exists`],
    ];
    for (const [from, verb, method] of refused) {
      const res = verb === 'POST' ? await post(invoke(from, method), forgedAppend) : await get(invoke(from, method));
      expect([from, verb, method, res.status]).toEqual([from, verb, method, 403]);
    }
    expect((await get(invoke('command-api', 'log?afterTx=0&limit=1'))).status).toBe(403);
    // ... while the intended callers are served.
    expect((await get(invoke('actors', `streams/${account}/events`))).status).toBe(200);
    expect((await get(invoke('projections', 'log?afterTx=0&limit=1'))).status).toBe(200);
    expect((await get(invoke('query-api', `streams/${account}/audit?fromVersion=1&limit=1`))).status).toBe(200);
    expect((await get(invoke('command-api', `streams/${account}/exists`))).body).toEqual({ exists: true });
    // Nothing was appended by the refused calls.
    expect((await get(invoke('actors', `streams/forged-${run}/events`))).body.streamVersion).toBe(0);
  });

  it('binds every port of every app and every sidecar to loopback', async () => {
    const ports = JSON.parse(process.env.BANK_DAPRD_PORTS!) as Record<string, number[]>;
    for (const [app, url] of Object.entries(JSON.parse(process.env.BANK_APP_URLS!) as Record<string, string>)) {
      ports[`${app} (app)`] = [Number(new URL(url).port)];
    }
    const listening = listeningSockets();
    for (const [app, list] of Object.entries(ports)) {
      for (const port of list) {
        const addresses = listening.filter((l) => l.port === port).map((l) => l.address);
        expect([app, port, addresses.length > 0]).toEqual([app, port, true]);
        for (const address of addresses) expect([app, port, address]).toEqual([app, port, '127.0.0.1']);
      }
    }
  });
});

/** TCP sockets in LISTEN state, from the kernel's tables (IPv4 and IPv6). */
function listeningSockets(): Array<{ address: string; port: number }> {
  const LISTEN = '0A';
  const out: Array<{ address: string; port: number }> = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== LISTEN) continue;
      const [hex, port] = local.split(':') as [string, string];
      out.push({ address: decodeAddress(hex), port: parseInt(port, 16) });
    }
  }
  return out;
}

/** A /proc/net address: IPv4 as one little-endian word; IPv6 as four (IPv4-mapped ones as IPv4). */
function decodeAddress(hex: string): string {
  const bytes = hex
    .match(/.{8}/g)!
    .flatMap((word) => word.match(/../g)!.reverse())
    .map((b) => parseInt(b, 16));
  if (bytes.length === 4) return bytes.join('.');
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255;
  if (mapped) return bytes.slice(12).join('.');
  return bytes.every((b, i) => b === (i === 15 ? 1 : 0)) ? '::1' : hex;
}
