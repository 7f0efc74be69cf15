import { randomUUID } from 'node:crypto';
import { appUrls, commandApi, get, post, queryApi } from './http';

// Every request below crosses the real system: command-api -> Dapr actor (BankAccount) ->
// event-source -> ImmuDB, then relay -> Dapr pub/sub (Redis) -> projections -> FerretDB -> query-api.

const newAccount = (overrides: Record<string, unknown> = {}) => ({
  accountId: `e2e-${randomUUID()}`,
  ownerId: 'owner-42',
  ownerName: 'Grace Hopper',
  type: 'CHECKING',
  currency: 'USD',
  ...overrides,
});

describe('walking skeleton through all five apps', () => {
  it('opens, deposits, withdraws, and reads balance and history back', async () => {
    const body = newAccount({ initialDeposit: '100.00', overdraftLimit: '50' });
    const opened = await post(`${commandApi()}/api/v1/accounts`, body, { 'X-Correlation-Id': 'e2e-corr-1' });
    expect(opened.status).toBe(201);
    expect(opened.headers.get('location')).toBe(`/api/v1/accounts/${body.accountId}`);
    expect(opened.headers.get('x-correlation-id')).toBe('e2e-corr-1');
    expect(opened.body).toEqual({
      accountId: body.accountId,
      ownerId: 'owner-42',
      ownerName: 'Grace Hopper',
      type: 'CHECKING',
      currency: 'USD',
      status: 'ACTIVE',
      balance: '100.00',
      overdraftLimit: '50.00',
      version: 2,
    });

    const accountUrl = `${commandApi()}/api/v1/accounts/${body.accountId}`;
    const dep = await post(`${accountUrl}/deposits`, { amount: '25.5', description: 'salary' });
    expect(dep.status).toBe(201);
    expect(dep.body).toMatchObject({
      type: 'DEPOSIT',
      amount: '25.50',
      currency: 'USD',
      balance: '125.50',
      version: 3,
    });
    expect(dep.headers.get('etag')).toBe('"3"');

    const wd = await post(`${accountUrl}/withdrawals`, { amount: '170.25' });
    expect(wd.status).toBe(201);
    expect(wd.body).toMatchObject({ type: 'WITHDRAWAL', amount: '170.25', balance: '-44.75', version: 4 });

    const tooMuch = await post(`${accountUrl}/withdrawals`, { amount: '5.26' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(tooMuch.body).toMatchObject({ status: 422, code: 'INSUFFICIENT_FUNDS' });

    const read = await get(`${queryApi()}/api/v1/accounts/${body.accountId}?minVersion=4`);
    expect(read.status).toBe(200);
    expect(read.headers.get('x-read-model-version')).toBe('4');
    expect(read.headers.get('etag')).toBe('"4"');
    expect(read.body).toMatchObject({ accountId: body.accountId, balance: '-44.75', version: 4, status: 'ACTIVE' });

    const history = await get(`${queryApi()}/api/v1/accounts/${body.accountId}/transactions`);
    expect(history.status).toBe(200);
    expect(
      history.body.items.map((t: { type: string; amount: string; balanceAfter: string }) => [
        t.type,
        t.amount,
        t.balanceAfter,
      ]),
    ).toEqual([
      ['WITHDRAWAL', '170.25', '-44.75'],
      ['DEPOSIT', '25.50', '125.50'],
      ['DEPOSIT', '100.00', '100.00'],
    ]);
    expect(history.body.items[1]).toMatchObject({ transactionId: dep.body.transactionId, description: 'salary' });
  });

  it('pages through history with a cursor', async () => {
    const body = newAccount({ currency: 'JPY' });
    await post(`${commandApi()}/api/v1/accounts`, body);
    for (const amount of ['100', '200', '300']) {
      expect((await post(`${commandApi()}/api/v1/accounts/${body.accountId}/deposits`, { amount })).status).toBe(201);
    }
    const base = `${queryApi()}/api/v1/accounts/${body.accountId}/transactions`;
    const first = await get(`${base}?limit=2&minVersion=4`);
    expect(first.body.items.map((t: { amount: string }) => t.amount)).toEqual(['300', '200']);
    const second = await get(`${base}?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((t: { amount: string }) => t.amount)).toEqual(['100']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('keeps a three-digit currency exact', async () => {
    const body = newAccount({ currency: 'KWD', initialDeposit: '1.250' });
    const opened = await post(`${commandApi()}/api/v1/accounts`, body);
    expect(opened.body.balance).toBe('1.250');
    const dep = await post(`${commandApi()}/api/v1/accounts/${body.accountId}/deposits`, { amount: '0.001' });
    expect(dep.body.balance).toBe('1.251');
  });

  it('rejects bad input with problem details and changes nothing', async () => {
    const body = newAccount();
    await post(`${commandApi()}/api/v1/accounts`, body);
    const url = `${commandApi()}/api/v1/accounts/${body.accountId}/deposits`;
    for (const amount of ['0.001', '1e3', '-5', ' 5', 12.5]) {
      const res = await post(url, { amount });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.amount' })]);
    }
    const tooBig = await post(url, { amount: '1000000000.01' });
    expect([tooBig.status, tooBig.body.errors?.[0]?.path]).toEqual([400, 'body.amount']);
    const unknownField = await post(url, { amount: '1.00', extra: true });
    expect(unknownField.status).toBe(400);
    const badJson = await post(url, '{"amount": ');
    expect(badJson.status).toBe(400);
    const huge = await post(url, { amount: '1.00', description: 'x'.repeat(70_000) });
    expect(huge.status).toBe(413);

    const read = await get(`${queryApi()}/api/v1/accounts/${body.accountId}?minVersion=1`);
    expect(read.body).toMatchObject({ balance: '0.00', version: 1 });
  });

  it('answers 404 for an account that does not exist, on both sides', async () => {
    const missing = `e2e-missing-${randomUUID()}`;
    const dep = await post(`${commandApi()}/api/v1/accounts/${missing}/deposits`, { amount: '1.00' });
    expect(dep.status).toBe(404);
    expect(dep.body.code).toBe('ACCOUNT_NOT_FOUND');
    const read = await get(`${queryApi()}/api/v1/accounts/${missing}`);
    expect(read.status).toBe(404);
    expect(read.body.code).toBe('ACCOUNT_NOT_FOUND');
  });

  it('refuses to open the same account id twice', async () => {
    const body = newAccount();
    expect((await post(`${commandApi()}/api/v1/accounts`, body)).status).toBe(201);
    const again = await post(`${commandApi()}/api/v1/accounts`, body);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ACCOUNT_ALREADY_EXISTS');
  });

  it('serves health and readiness on every app', async () => {
    const urls = Object.values(appUrls());
    expect(urls).toHaveLength(5);
    for (const url of urls) {
      expect((await get(`${url}/healthz`)).status).toBe(200);
      const ready = await get(`${url}/readyz`);
      expect(ready.status).toBe(200);
    }
  });
});
