import { randomUUID } from 'node:crypto';
import { commandApi, get, post, queryApi } from './http';

const open = async (fields: Record<string, unknown>) => {
  const accountId = `q-${randomUUID()}`;
  const res = await post(`${commandApi()}/api/v1/accounts`, {
    accountId,
    ownerName: 'Q',
    type: 'SAVINGS',
    currency: 'USD',
    ...fields,
  });
  expect(res.status).toBe(201);
  return { accountId, version: res.body.version as number };
};
const move = async (accountId: string, kind: 'deposits' | 'withdrawals', amount: string) => {
  const res = await post(`${commandApi()}/api/v1/accounts/${accountId}/${kind}`, { amount });
  expect(res.status).toBe(201);
  return res.body as { version: number; occurredAt: string };
};
const q = (path: string) => get(`${queryApi()}/api/v1${path}`);

describe('accounts list', () => {
  it('filters by owner, status and currency, and pages with a cursor', async () => {
    const owner = `owner-${randomUUID()}`;
    const a = await open({ ownerId: owner, currency: 'EUR' });
    const b = await open({ ownerId: owner, currency: 'USD' });
    const c = await open({ ownerId: owner, currency: 'USD' });
    const frozen = await post(`${commandApi()}/api/v1/accounts/${c.accountId}/freeze`, {});
    await q(`/accounts/${c.accountId}?minVersion=${frozen.body.version}`);
    await q(`/accounts/${b.accountId}?minVersion=1`);
    await q(`/accounts/${a.accountId}?minVersion=1`);

    const all = await q(`/accounts?ownerId=${owner}`);
    expect(all.body.items.map((x: { accountId: string }) => x.accountId)).toEqual(
      [a, b, c].map((x) => x.accountId).sort(),
    );
    expect((await q(`/accounts?ownerId=${owner}&currency=USD`)).body.items).toHaveLength(2);
    expect(
      (await q(`/accounts?ownerId=${owner}&status=FROZEN`)).body.items.map((x: { accountId: string }) => x.accountId),
    ).toEqual([c.accountId]);

    const first = await q(`/accounts?ownerId=${owner}&limit=2`);
    expect(first.body.items).toHaveLength(2);
    const second = await q(`/accounts?ownerId=${owner}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect((await q(`/accounts?ownerId=nobody-${randomUUID()}`)).body).toEqual({ items: [], nextCursor: null });
  });

  it('refuses bad parameters with 400', async () => {
    for (const bad of ['status=OPEN', 'currency=XYZ', 'limit=0', 'limit=501', 'cursor=!!', 'colour=red']) {
      const res = await q(`/accounts?${bad}`);
      expect([bad, res.status, res.body.code]).toEqual([bad, 400, 'VALIDATION_FAILED']);
    }
  });
});

describe('summary', () => {
  it('adds up deposits and withdrawals exactly', async () => {
    const { accountId } = await open({ ownerId: 'sum', initialDeposit: '100.10' });
    await move(accountId, 'deposits', '0.20');
    const last = await move(accountId, 'withdrawals', '50.05');
    const res = await q(`/accounts/${accountId}/summary?minVersion=${last.version}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      accountId,
      currency: 'USD',
      balance: '50.25',
      totalDeposits: '100.30',
      totalWithdrawals: '50.05',
      totalTransfersIn: '0.00',
      totalTransfersOut: '0.00',
      transactionCount: 3,
      lastTransactionAt: last.occurredAt,
    });
    expect((await q(`/accounts/missing-${randomUUID()}/summary`)).status).toBe(404);
  });
});

describe('transaction filters', () => {
  it('combines type, amount range and time range, in both orders', async () => {
    const { accountId } = await open({ ownerId: 'filters' });
    const d1 = await move(accountId, 'deposits', '10.00');
    await move(accountId, 'deposits', '20.00');
    await move(accountId, 'withdrawals', '5.00');
    const d4 = await move(accountId, 'deposits', '30.00');
    const base = `/accounts/${accountId}/transactions?minVersion=${d4.version}`;
    const amounts = async (query: string) =>
      (await q(`${base}&${query}`)).body.items.map((t: { type: string; amount: string }) => `${t.type[0]}${t.amount}`);

    expect(await amounts('type=DEPOSIT')).toEqual(['D30.00', 'D20.00', 'D10.00']);
    expect(await amounts('type=DEPOSIT&order=asc')).toEqual(['D10.00', 'D20.00', 'D30.00']);
    expect(await amounts('minAmount=10&maxAmount=20')).toEqual(['D20.00', 'D10.00']);
    expect(await amounts('type=WITHDRAWAL&maxAmount=5')).toEqual(['W5.00']);
    expect(await amounts(`from=${d4.occurredAt}`)).toEqual(['D30.00']);
    expect(await amounts(`to=${d1.occurredAt}`)).toEqual(['D10.00']);
    expect(await amounts(`from=${d1.occurredAt}&to=${d4.occurredAt}&minAmount=15`)).toEqual(['D30.00', 'D20.00']);
    expect(await amounts('type=TRANSFER_IN')).toEqual([]);

    const page1 = await q(`${base}&type=DEPOSIT&limit=2&order=asc`);
    const page2 = await q(
      `/accounts/${accountId}/transactions?type=DEPOSIT&limit=2&order=asc&cursor=${page1.body.nextCursor}`,
    );
    expect(page2.body.items.map((t: { amount: string }) => t.amount)).toEqual(['30.00']);
    expect(page2.body.nextCursor).toBeNull();
  });

  it('pages through a history longer than one bucket, in both orders and by time', async () => {
    const { accountId } = await open({ ownerId: 'long-history' });
    const moves: Array<{ version: number; occurredAt: string }> = [];
    for (let i = 1; i <= 150; i++) moves.push(await move(accountId, 'deposits', `${i}.00`));
    const last = moves[moves.length - 1]!;
    const pages = async (query: string) => {
      const amounts: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await q(
          `/accounts/${accountId}/transactions?minVersion=${last.version}&${query}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.status).toBe(200);
        amounts.push(...res.body.items.map((t: { amount: string }) => t.amount));
        cursor = res.body.nextCursor;
      } while (cursor);
      return amounts;
    };
    const amount = (i: number) => `${i}.00`;
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => amount(from + k));
    expect(await pages('limit=40')).toEqual(range(1, 150).reverse());
    expect(await pages('limit=70&order=asc')).toEqual(range(1, 150));
    const [from, to] = [moves[59]!.occurredAt, moves[129]!.occurredAt];
    // By instant, not by index: two deposits may share a millisecond.
    const inWindow = moves.flatMap((m, k) => (m.occurredAt >= from && m.occurredAt <= to ? [amount(k + 1)] : []));
    expect(await pages(`from=${from}&to=${to}&limit=25`)).toEqual([...inWindow].reverse());
    expect(await pages(`from=${from}&to=${to}&limit=25&order=asc&minAmount=100`)).toEqual(
      inWindow.filter((a) => Number(a) >= 100),
    );
  });

  it('refuses bad filters with 400', async () => {
    const { accountId } = await open({ ownerId: 'bad-filters' });
    for (const bad of [
      'minAmount=0.001',
      'minAmount=-1',
      'minAmount=5&maxAmount=1',
      'from=yesterday',
      'from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z',
      'type=REFUND',
      'order=up',
      'cursor=eyJ2IjoiYSJ9',
    ]) {
      const res = await q(`/accounts/${accountId}/transactions?minVersion=1&${bad}`);
      expect([bad, res.status, res.body.code]).toEqual([bad, 400, 'VALIDATION_FAILED']);
    }
  });
});

describe('top accounts', () => {
  it('lists the highest balances of one currency, highest first', async () => {
    const rich = await Promise.all(
      ['900000.000', '950000.000', '925000.000'].map((initialDeposit) =>
        open({ ownerId: 'rich', currency: 'KWD', initialDeposit }),
      ),
    );
    for (const r of rich) await q(`/accounts/${r.accountId}?minVersion=2`);
    // The ranking is folded from the log as the read model applies it (about a second behind);
    // until it has the new accounts, the answer may come from a scan or be a moment old.
    const fromRanking = (r: Awaited<ReturnType<typeof q>>) => r.headers.get('x-books-log-position') !== null;
    const deadline = Date.now() + 10_000;
    let res = await q('/reports/top-accounts?currency=KWD&limit=3');
    while ((res.body.items[0]?.balance !== '950000.000' || !fromRanking(res)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      res = await q('/reports/top-accounts?currency=KWD&limit=3');
    }
    expect(res.body.items.map((x: { balance: string }) => x.balance)).toEqual([
      '950000.000',
      '925000.000',
      '900000.000',
    ]);
    expect(res.body.items[0]).toMatchObject({ currency: 'KWD', ownerName: 'Q' });
    // Read from the ranking the projections fold from the log, not from a scan of the accounts.
    expect(Number(res.headers.get('x-books-log-position'))).toBeGreaterThan(0);
    expect((await q('/reports/top-accounts')).status).toBe(400);
  });
});

describe('daily balances', () => {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

  it('reports each day from the opening on, carrying the balance over quiet days', async () => {
    const { accountId } = await open({ ownerId: 'daily', initialDeposit: '100.00' });
    await move(accountId, 'deposits', '25.00');
    const last = await move(accountId, 'withdrawals', '40.50');
    const today = last.occurredAt.slice(0, 10);
    const res = await q(
      `/accounts/${accountId}/daily-balances?from=${day(-3)}&to=${day(1)}&minVersion=${last.version}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        date: today,
        openingBalance: '0.00',
        closingBalance: '84.50',
        credits: '125.00',
        debits: '40.50',
        transactionCount: 3,
      },
      {
        date: day(1),
        openingBalance: '84.50',
        closingBalance: '84.50',
        credits: '0.00',
        debits: '0.00',
        transactionCount: 0,
      },
    ]);
  });

  it('refuses bad ranges with 400', async () => {
    const { accountId } = await open({ ownerId: 'daily-bad' });
    for (const bad of [
      'from=2026-13-01',
      'from=2026-11-02&to=2026-11-01',
      'from=2024-01-01&to=2026-01-01',
      'to=tomorrow',
    ]) {
      const res = await q(`/accounts/${accountId}/daily-balances?minVersion=1&${bad}`);
      expect([bad, res.status, res.body.code]).toEqual([bad, 400, 'VALIDATION_FAILED']);
    }
  });
});

describe('balance at an instant (from the log)', () => {
  it('answers the balance and version as of each moment, and 404 before the opening', async () => {
    const opened = await post(`${commandApi()}/api/v1/accounts`, {
      accountId: `bal-${randomUUID()}`,
      ownerId: 'b',
      ownerName: 'B',
      type: 'CHECKING',
      currency: 'JPY',
      initialDeposit: '1000',
    });
    const id = opened.body.accountId as string;
    const d = await move(id, 'deposits', '500');
    const w = await move(id, 'withdrawals', '300');
    const at = async (timestamp: string) => q(`/accounts/${id}/balance-at?timestamp=${encodeURIComponent(timestamp)}`);

    expect((await at(d.occurredAt)).body).toEqual({
      accountId: id,
      currency: 'JPY',
      balance: '1500',
      version: 3,
      at: d.occurredAt,
    });
    expect((await at(w.occurredAt)).body).toMatchObject({ balance: '1200', version: 4 });
    expect((await at('2999-01-01T00:00:00+02:00')).body).toMatchObject({
      balance: '1200',
      version: 4,
      at: '2998-12-31T22:00:00.000Z',
    });
    const before = await at('2000-01-01T00:00:00Z');
    expect([before.status, before.body.code]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
    expect((await q(`/accounts/${id}/balance-at?timestamp=yesterday`)).status).toBe(400);
    expect((await q(`/accounts/${id}/balance-at`)).status).toBe(400);
  });
});
