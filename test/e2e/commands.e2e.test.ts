import { randomUUID } from 'node:crypto';
import { appUrl, commandApi, get, post, queryApi, type Reply } from './http';

/** The account's stream straight from the event log (event-source), not the read model. */
async function logOf(
  accountId: string,
): Promise<Array<{ type: string; version: number; data: Record<string, unknown> }>> {
  return (await get(`${appUrl('event-source')}/streams/${accountId}/events`)).body.events;
}

async function openAccount(fields: Record<string, unknown> = {}): Promise<string> {
  const accountId = `cmd-${randomUUID()}`;
  const res = await post(`${commandApi()}/api/v1/accounts`, {
    accountId,
    ownerId: 'o-1',
    ownerName: 'Ada',
    type: 'SAVINGS',
    currency: 'EUR',
    ...fields,
  });
  expect(res.status).toBe(201);
  return accountId;
}
const cmd = (accountId: string, action: string) => `${commandApi()}/api/v1/accounts/${accountId}/${action}`;

describe('account lifecycle', () => {
  it('freezes, refuses money movement, unfreezes, and closes only at zero', async () => {
    const id = await openAccount({ initialDeposit: '10.00' });
    const frozen = await post(cmd(id, 'freeze'), { reason: 'suspicious activity' });
    expect(frozen.status).toBe(200);
    expect(frozen.body).toEqual({ accountId: id, status: 'FROZEN', version: 3 });
    expect(frozen.headers.get('etag')).toBe('"3"');

    expect((await post(cmd(id, 'deposits'), { amount: '1' })).body.code).toBe('ACCOUNT_FROZEN');
    expect((await post(cmd(id, 'withdrawals'), { amount: '1' })).body.code).toBe('ACCOUNT_FROZEN');
    expect((await post(cmd(id, 'close'), {})).body.code).toBe('ACCOUNT_FROZEN');
    expect((await post(cmd(id, 'freeze'), {})).body).toEqual({ accountId: id, status: 'FROZEN', version: 3 });

    expect((await post(cmd(id, 'unfreeze'), {})).body).toEqual({ accountId: id, status: 'ACTIVE', version: 4 });
    const notZero = await post(cmd(id, 'close'), {});
    expect(notZero.status).toBe(422);
    expect(notZero.body.code).toBe('ACCOUNT_BALANCE_NOT_ZERO');

    expect((await post(cmd(id, 'withdrawals'), { amount: '10' })).status).toBe(201);
    expect((await post(cmd(id, 'close'), {})).body).toEqual({ accountId: id, status: 'CLOSED', version: 6 });
    for (const [action, body] of [
      ['deposits', { amount: '1' }],
      ['withdrawals', { amount: '1' }],
      ['freeze', {}],
      ['unfreeze', {}],
      ['close', {}],
    ] as const) {
      const res = await post(cmd(id, action), body);
      expect([res.status, res.body.code]).toEqual([422, 'ACCOUNT_CLOSED']);
    }
    const read = await get(`${queryApi()}/api/v1/accounts/${id}?minVersion=6`);
    expect(read.body).toMatchObject({ status: 'CLOSED', balance: '0.00', version: 6 });
    expect((await logOf(id)).map((e) => e.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
      'AccountFrozen',
      'AccountUnfrozen',
      'MoneyWithdrawn',
      'AccountClosed',
    ]);
  });

  it('answers 404 for lifecycle commands on an unknown account', async () => {
    for (const action of ['freeze', 'unfreeze', 'close']) {
      const res = await post(cmd(`nobody-${randomUUID()}`, action), {});
      expect([res.status, res.body.code]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
    }
  });

  it('records the correlation id in the events', async () => {
    const id = await openAccount();
    await post(cmd(id, 'deposits'), { amount: '2' }, { 'X-Correlation-Id': 'corr-xyz' });
    const [, deposit] = await logOf(id);
    expect((deposit as unknown as { metadata: { correlationId: string } }).metadata.correlationId).toBe('corr-xyz');
  });
});

describe('optimistic concurrency (If-Match)', () => {
  it('applies at the expected version and refuses with 412 otherwise', async () => {
    const id = await openAccount();
    const ok = await post(cmd(id, 'deposits'), { amount: '5' }, { 'If-Match': '"1"' });
    expect(ok.status).toBe(201);
    expect(ok.headers.get('etag')).toBe('"2"');
    const stale = await post(cmd(id, 'deposits'), { amount: '5' }, { 'If-Match': '"1"' });
    expect([stale.status, stale.body.code]).toEqual([412, 'VERSION_CONFLICT']);
    expect((await post(cmd(id, 'freeze'), {}, { 'If-Match': '"7"' })).status).toBe(412);
    expect((await post(cmd(id, 'deposits'), { amount: '5' }, { 'If-Match': 'two' })).status).toBe(400);
    expect(await logOf(id)).toHaveLength(2);
  });
});

describe('idempotency keys', () => {
  it('replays the first answer for the same key and body, and refuses another body', async () => {
    const id = await openAccount();
    const key = { 'Idempotency-Key': `k-${randomUUID()}` };
    const first = await post(cmd(id, 'deposits'), { amount: '7.25' }, key);
    const again = await post(cmd(id, 'deposits'), { amount: '7.25' }, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await post(cmd(id, 'deposits'), { amount: '8' }, key);
    expect([other.status, other.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect((await logOf(id)).filter((e) => e.type === 'MoneyDeposited')).toHaveLength(1);
  });

  it('does not consume a key on a rejected command', async () => {
    const id = await openAccount();
    const key = { 'Idempotency-Key': `k-${randomUUID()}` };
    expect((await post(cmd(id, 'withdrawals'), { amount: '3' }, key)).body.code).toBe('INSUFFICIENT_FUNDS');
    await post(cmd(id, 'deposits'), { amount: '5' });
    const retried = await post(cmd(id, 'withdrawals'), { amount: '3' }, key);
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  it('makes an open without accountId land on the same account when retried', async () => {
    const key = { 'Idempotency-Key': `open-${randomUUID()}` };
    const body = { ownerId: 'o', ownerName: 'Retry Ruth', type: 'CHECKING', currency: 'CHF', initialDeposit: '1' };
    const [a, b] = [
      await post(`${commandApi()}/api/v1/accounts`, body, key),
      await post(`${commandApi()}/api/v1/accounts`, body, key),
    ];
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.accountId).toBe(a.body.accountId);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
  });

  it('200 concurrent retries of one request produce exactly one effect', async () => {
    const id = await openAccount({ currency: 'GBP' });
    const key = { 'Idempotency-Key': `burst-${randomUUID()}` };
    const replies: Reply[] = await Promise.all(
      Array.from({ length: 200 }, () => post(cmd(id, 'deposits'), { amount: '1.01', description: 'once' }, key)),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(200).fill(201));
    expect(replies.filter((r) => r.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    expect(new Set(replies.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect((await logOf(id)).filter((e) => e.type === 'MoneyDeposited')).toHaveLength(1);
    const read = await get(`${queryApi()}/api/v1/accounts/${id}?minVersion=2`);
    expect(read.body.balance).toBe('1.01');
  });
});

describe('concurrent withdrawals', () => {
  it('50 racing withdrawals never pass the overdraft limit and each accepted one is logged once', async () => {
    const id = await openAccount({ currency: 'USD', initialDeposit: '100.00', overdraftLimit: '20.00' });
    const replies = await Promise.all(
      Array.from({ length: 50 }, () => post(cmd(id, 'withdrawals'), { amount: '3.00' })),
    );
    const accepted = replies.filter((r) => r.status === 201);
    const refused = replies.filter((r) => r.status !== 201);
    expect(accepted).toHaveLength(40); // 120.00 of headroom / 3.00
    expect(refused.every((r) => r.status === 422 && r.body.code === 'INSUFFICIENT_FUNDS')).toBe(true);
    expect(accepted.map((r) => Number(r.body.balance)).sort((a, b) => a - b)[0]).toBe(-20);

    const logged = (await logOf(id)).filter((e) => e.type === 'MoneyWithdrawn').map((e) => e.data.transactionId);
    expect([...logged].sort()).toEqual(accepted.map((r) => r.body.transactionId).sort());
    const read = await get(`${queryApi()}/api/v1/accounts/${id}?minVersion=42`);
    expect(read.body.balance).toBe('-20.00');
  });
});
