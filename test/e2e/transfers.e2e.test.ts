import { randomUUID } from 'node:crypto';
import { appUrl, commandApi, get, post, queryApi, sidecarUrl, type Reply, sleep, trialBalanceAtHead } from './http';

async function openAccount(fields: Record<string, unknown> = {}): Promise<string> {
  const accountId = `tr-${randomUUID()}`;
  const res = await post(`${commandApi()}/api/v1/accounts`, {
    accountId,
    ownerId: 'o-tr',
    ownerName: 'Grace',
    type: 'CHECKING',
    currency: 'EUR',
    ...fields,
  });
  expect(res.status).toBe(201);
  return accountId;
}

const transfer = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  post(`${commandApi()}/api/v1/transfers`, body, headers);

/** Polls the query API until the transfer has ended. */
async function ended(transferId: string): Promise<Reply['body']> {
  for (let i = 0; i < 150; i++) {
    const res = await get(`${queryApi()}/api/v1/transfers/${transferId}`);
    if (res.status === 200 && res.body.status !== 'PENDING') return res.body;
    await sleep(100);
  }
  throw new Error(`transfer ${transferId} did not end`);
}

/** The account's stream straight from the event log. */
async function logOf(
  accountId: string,
): Promise<Array<{ type: string; version: number; data: Record<string, unknown> }>> {
  return (await get(`${appUrl('event-source')}/streams/${accountId}/events`)).body.events;
}

/** The account as the read model has it once it caught up with the log. */
async function settled(accountId: string): Promise<Reply['body']> {
  const version = (await logOf(accountId)).length;
  const res = await get(`${queryApi()}/api/v1/accounts/${accountId}?minVersion=${version}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function history(accountId: string) {
  const version = (await logOf(accountId)).length;
  const res = await get(`${queryApi()}/api/v1/accounts/${accountId}/transactions?order=asc&minVersion=${version}`);
  return res.body.items as Array<Record<string, unknown>>;
}

async function trialBalance(currency = 'EUR') {
  return (await trialBalanceAtHead(currency)).body;
}

describe('transfers', () => {
  it('moves money once, shows both sides in history, and keeps the books balanced', async () => {
    const from = await openAccount({ initialDeposit: '100.00' });
    const to = await openAccount();
    const transferId = `t-${randomUUID()}`;
    const res = await transfer({
      transferId,
      fromAccountId: from,
      toAccountId: to,
      amount: '30.5',
      description: 'rent',
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/api/v1/transfers/${transferId}`);
    expect(res.body).toMatchObject({
      transferId,
      fromAccountId: from,
      toAccountId: to,
      amount: '30.50',
      currency: 'EUR',
    });
    expect(['PENDING', 'COMPLETED']).toContain(res.body.status);
    expect(Date.parse(res.body.createdAt)).not.toBeNaN();

    const done = await ended(transferId);
    expect(done).toMatchObject({ transferId, status: 'COMPLETED', amount: '30.50', description: 'rent' });
    expect(done.failureCode).toBeUndefined();
    expect(Date.parse(done.completedAt)).toBeGreaterThanOrEqual(Date.parse(done.createdAt));

    expect((await settled(from)).balance).toBe('69.50');
    expect((await settled(to)).balance).toBe('30.50');
    const out = (await history(from)).filter((t) => t.type !== 'DEPOSIT');
    expect(out).toEqual([
      expect.objectContaining({
        type: 'TRANSFER_OUT',
        amount: '30.50',
        balanceAfter: '69.50',
        transferId,
        counterpartyAccountId: to,
      }),
    ]);
    expect(await history(to)).toEqual([
      expect.objectContaining({
        type: 'TRANSFER_IN',
        amount: '30.50',
        balanceAfter: '30.50',
        transferId,
        counterpartyAccountId: from,
      }),
    ]);
    const summary = (await get(`${queryApi()}/api/v1/accounts/${from}/summary`)).body;
    expect(summary).toMatchObject({ totalDeposits: '100.00', totalTransfersOut: '30.50', totalTransfersIn: '0.00' });
    expect((await get(`${queryApi()}/api/v1/accounts/${to}/summary`)).body.totalTransfersIn).toBe('30.50');

    // The source's stream: debited, then settled once the destination was credited.
    expect((await logOf(from)).map((e) => e.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
      'TransferDebited',
      'TransferSettled',
    ]);
    const tb = await trialBalance();
    expect(tb).toMatchObject({ currency: 'EUR', total: '0.00', balanced: true });
  });

  it('refuses what it can check up front, with the contract codes, and moves nothing', async () => {
    const from = await openAccount({ initialDeposit: '10.00', overdraftLimit: '5.00' });
    const to = await openAccount();
    const usd = await openAccount({ currency: 'USD' });
    const frozen = await openAccount({ initialDeposit: '10.00' });
    expect((await post(`${commandApi()}/api/v1/accounts/${frozen}/freeze`, {})).status).toBe(200);
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ fromAccountId: from, toAccountId: to, amount: '15.01' }, 422, 'INSUFFICIENT_FUNDS'],
      [{ fromAccountId: from, toAccountId: from, amount: '1' }, 422, 'SAME_ACCOUNT_TRANSFER'],
      [{ fromAccountId: from, toAccountId: usd, amount: '1' }, 422, 'CURRENCY_MISMATCH'],
      [{ fromAccountId: from, toAccountId: 'no-such-account', amount: '1' }, 404, 'ACCOUNT_NOT_FOUND'],
      [{ fromAccountId: 'no-such-account', toAccountId: to, amount: '1' }, 404, 'ACCOUNT_NOT_FOUND'],
      [{ fromAccountId: frozen, toAccountId: to, amount: '1' }, 422, 'ACCOUNT_FROZEN'],
      [{ fromAccountId: from, toAccountId: to, amount: '1.001' }, 400, 'VALIDATION_FAILED'],
      [{ fromAccountId: from, toAccountId: to, amount: '0' }, 400, 'VALIDATION_FAILED'],
      [{ fromAccountId: from, toAccountId: to, amount: 1 }, 400, 'VALIDATION_FAILED'],
      [{ fromAccountId: from, toAccountId: to, amount: '1', extra: true }, 400, 'VALIDATION_FAILED'],
      [{ fromAccountId: from, toAccountId: to, amount: '1', transferId: 'bad id!' }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of cases) {
      const transferId = `t-${randomUUID()}`;
      const res = await transfer({ transferId, ...body });
      expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), status, code]);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      if (status !== 400) expect((await get(`${queryApi()}/api/v1/transfers/${transferId}`)).status).toBe(404);
    }
    expect((await logOf(from)).map((e) => e.type)).toEqual(['AccountOpened', 'MoneyDeposited']);
    // A refused transfer leaves no trace: its id can be used again once the money is there.
    const transferId = `t-${randomUUID()}`;
    expect((await transfer({ transferId, fromAccountId: from, toAccountId: to, amount: '15.01' })).status).toBe(422);
    await post(`${commandApi()}/api/v1/accounts/${from}/deposits`, { amount: '1' });
    expect((await transfer({ transferId, fromAccountId: from, toAccountId: to, amount: '15.01' })).status).toBe(202);
    expect((await ended(transferId)).status).toBe('COMPLETED');
    expect((await settled(from)).balance).toBe('-4.01');
    expect((await get(`${queryApi()}/api/v1/transfers/no-such-transfer`)).body.code).toBe('TRANSFER_NOT_FOUND');
  });

  it.each([
    ['closed', 'ACCOUNT_CLOSED'],
    ['frozen', 'ACCOUNT_FROZEN'],
  ])('returns the money when the destination is %s at the credit, and ends FAILED', async (state, code) => {
    const from = await openAccount({ initialDeposit: '50.00' });
    const to = await openAccount();
    expect(
      (await post(`${commandApi()}/api/v1/accounts/${to}/${state === 'closed' ? 'close' : 'freeze'}`, {})).status,
    ).toBe(200);
    const transferId = `t-${randomUUID()}`;
    const res = await transfer({ transferId, fromAccountId: from, toAccountId: to, amount: '20' });
    expect(res.status).toBe(202);
    const done = await ended(transferId);
    expect(done).toMatchObject({ status: 'FAILED', failureCode: code, amount: '20.00' });
    expect((await settled(from)).balance).toBe('50.00');
    expect((await settled(to)).balance).toBe('0.00');
    expect((await history(from)).map((t) => [t.type, t.amount, t.balanceAfter, t.transferId ?? null])).toEqual([
      ['DEPOSIT', '50.00', '50.00', null],
      ['TRANSFER_OUT', '20.00', '30.00', transferId],
      ['TRANSFER_REFUND', '20.00', '50.00', transferId],
    ]);
    expect(await history(to)).toEqual([]);
    expect(await trialBalance()).toMatchObject({ total: '0.00', balanced: true });
  });

  it('is idempotent by transferId and by Idempotency-Key', async () => {
    const from = await openAccount({ initialDeposit: '100.00' });
    const to = await openAccount();
    const transferId = `t-${randomUUID()}`;
    const body = { transferId, fromAccountId: from, toAccountId: to, amount: '10' };
    const first = await transfer(body);
    expect(first.status).toBe(202);
    const again = await transfer({ ...body, amount: '10.00' }); // the same amount, written otherwise
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.transferId).toBe(transferId);
    const other = await transfer({ ...body, amount: '11' });
    expect([other.status, other.body.code]).toEqual([409, 'TRANSFER_ALREADY_EXISTS']);

    const key = `k-${randomUUID()}`;
    const keyed = { fromAccountId: from, toAccountId: to, amount: '5' };
    const [a, b] = await Promise.all([
      transfer(keyed, { 'Idempotency-Key': key }),
      transfer(keyed, { 'Idempotency-Key': key }),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.transferId).toBe(b.body.transferId);
    const replay = await transfer(keyed, { 'Idempotency-Key': key });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(a.headers.get('idempotent-replayed') ? b.body : a.body);
    const reused = await transfer({ ...keyed, amount: '6' }, { 'Idempotency-Key': key });
    expect([reused.status, reused.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);

    await ended(transferId);
    await ended(a.body.transferId);
    expect((await settled(from)).balance).toBe('85.00');
    expect((await settled(to)).balance).toBe('15.00');
    const debits = (await logOf(from)).filter((e) => e.type === 'TransferDebited');
    expect(debits.map((e) => e.data.transferId).sort()).toEqual([transferId, a.body.transferId].sort());
  });

  it('runs concurrent transfers in both directions between two accounts without losing money', async () => {
    const a = await openAccount({ initialDeposit: '100.00' });
    const b = await openAccount({ initialDeposit: '100.00' });
    const ids = Array.from({ length: 30 }, (_, i) => ({
      transferId: `t-${randomUUID()}`,
      fromAccountId: i % 2 ? a : b,
      toAccountId: i % 2 ? b : a,
      amount: `${1 + (i % 5)}.25`,
    }));
    const answers = await Promise.all(ids.map((t) => transfer(t)));
    expect(answers.map((r) => r.status)).toEqual(ids.map(() => 202));
    const results = await Promise.all(ids.map((t) => ended(t.transferId)));
    expect(results.map((r) => r.status)).toEqual(ids.map(() => 'COMPLETED'));
    const net = ids.reduce((sum, t, i) => sum + (i % 2 ? -1 : 1) * Math.round(Number(t.amount) * 100), 0);
    const [ab, bb] = [await settled(a), await settled(b)];
    expect(Math.round(Number(ab.balance) * 100)).toBe(10_000 + net);
    expect(Math.round(Number(bb.balance) * 100)).toBe(10_000 - net);
    expect(await trialBalance()).toMatchObject({ total: '0.00', balanced: true, accounts: { transit: '0.00' } });
  });

  describe('decided by the log', () => {
    /** A step asked of a BankAccount actor directly through the actors app's sidecar, as its Transfer actor would. */
    const step = async (accountId: string, body: Record<string, unknown>) => {
      const url = `${sidecarUrl('actors')}/v1.0/actors/BankAccount/${accountId}/method/transferStep`;
      return (await post(url, { correlationId: 'e2e-step', ...body })).body;
    };
    const streamOf = async (transferId: string) =>
      (await get(`${appUrl('event-source')}/streams/transfer.${transferId}/events`)).body.events as Array<{
        type: string;
        version: number;
      }>;
    const cents = async (accountId: string) => Math.round(Number((await settled(accountId)).balance) * 100);
    /**
     * A transfer debited as a Transfer actor would debit it, which then died before saving
     * anything or arming its reminder: only the log has it.
     */
    const debitedOnly = async (amountMinor: number) => {
      const [from, to] = [await openAccount({ initialDeposit: '10.00' }), await openAccount()];
      const transferId = `t-${randomUUID()}`;
      const debit = { step: 'debit', transferId, toAccountId: to, amountMinor, currency: 'EUR', description: null };
      expect(await step(from, debit)).toMatchObject({ ok: true, transfer: { phase: 'DEBITED' } });
      return { from, to, transferId, debit };
    };

    it("keeps the transfer's own stream in the log, one event per step, verifiable like an account's", async () => {
      const [from, to] = [await openAccount({ initialDeposit: '10.00' }), await openAccount()];
      const ok = await transfer({ transferId: `t-${randomUUID()}`, fromAccountId: from, toAccountId: to, amount: '4' });
      await ended(ok.body.transferId);
      expect((await streamOf(ok.body.transferId)).map((e) => e.type)).toEqual([
        'TransferStarted',
        'TransferCreditRecorded',
        'TransferCompleted',
      ]);
      const closed = await openAccount();
      expect((await post(`${commandApi()}/api/v1/accounts/${closed}/close`, {})).status).toBe(200);
      const refused = await transfer({ fromAccountId: from, toAccountId: closed, amount: '1' });
      expect(await ended(refused.body.transferId)).toMatchObject({ status: 'FAILED', failureCode: 'ACCOUNT_CLOSED' });
      expect((await streamOf(refused.body.transferId)).map((e) => e.type)).toEqual([
        'TransferStarted',
        'TransferCreditRefused',
        'TransferFailed',
      ]);
      // The public audit trail of the transfer: its steps, verified like an account's.
      const audit = await get(`${queryApi()}/api/v1/transfers/${refused.body.transferId}/events`);
      expect(audit.status).toBe(200);
      expect(audit.body.items.map((e: { type: string }) => e.type)).toEqual([
        'TransferStarted',
        'TransferCreditRefused',
        'TransferFailed',
      ]);
      expect(audit.body.verification).toMatchObject({ verified: true, entriesVerified: 3 });
      const none = await get(`${queryApi()}/api/v1/transfers/t-${randomUUID()}/events`);
      expect([none.status, none.body.code]).toEqual([404, 'TRANSFER_NOT_FOUND']);
    });

    it('a step asked again, or with no transfer behind it, moves nothing', async () => {
      const [from, to] = [await openAccount({ initialDeposit: '10.00' }), await openAccount()];
      const transferId = `t-${randomUUID()}`;
      await transfer({ transferId, fromAccountId: from, toAccountId: to, amount: '4' });
      expect(await ended(transferId)).toMatchObject({ status: 'COMPLETED' });
      // the same steps again, as a stale activation or a forger would ask for them
      expect(await step(to, { step: 'credit', transferId })).toMatchObject({
        ok: true,
        transfer: { phase: 'COMPLETED' },
      });
      expect(await step(from, { step: 'finish', transferId })).toMatchObject({
        ok: true,
        transfer: { phase: 'COMPLETED' },
      });
      // a credit for a transfer that never started, and a step sent to the wrong account
      expect(await step(to, { step: 'credit', transferId: `t-${randomUUID()}` })).toMatchObject({
        ok: false,
        error: { code: 'TRANSFER_NOT_FOUND' },
      });
      expect(await step(from, { step: 'credit', transferId })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
      // terms on a later step are not even read: the request is refused
      expect(await step(to, { step: 'credit', transferId, amountMinor: 100_000 })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
      expect([await cents(from), await cents(to)]).toEqual([600, 400]);
      expect((await streamOf(transferId)).length).toBe(3);
    });

    it('a transfer the log shows started is finished from the log, with no record of it anywhere else', async () => {
      const { from, to, transferId, debit } = await debitedOnly(300);
      expect(await step(from, debit)).toMatchObject({ ok: true, transfer: { phase: 'DEBITED', version: 1 } });
      // The client's retry reaches a Transfer actor with no record: the log says where it is.
      const retry = await transfer({ transferId, fromAccountId: from, toAccountId: to, amount: '3.00' });
      expect([retry.status, retry.body.status]).toEqual([202, 'COMPLETED']);
      const other = await transfer({
        transferId: `${transferId}`,
        fromAccountId: from,
        toAccountId: to,
        amount: '3.01',
      });
      expect([other.status, other.body.code]).toEqual([409, 'TRANSFER_ALREADY_EXISTS']);
      expect([await cents(from), await cents(to)]).toEqual([700, 300]);
      expect(await trialBalance()).toMatchObject({ balanced: true });
    });
    it('a transfer with no record and no reminder anywhere is found unfinished and finished, with no client retry', async () => {
      // Only the log (and the read model projected from it) knows of this transfer.
      const { from, to, transferId } = await debitedOnly(250);
      expect(await ended(transferId)).toMatchObject({ status: 'COMPLETED' }); // the projections' sweep resumed it
      expect((await streamOf(transferId)).map((e) => e.type)).toEqual([
        'TransferStarted',
        'TransferCreditRecorded',
        'TransferCompleted',
      ]);
      expect([await cents(from), await cents(to)]).toEqual([750, 250]);
      const metrics = await fetch(`${appUrl('projections')}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(/^bank_transfers_stuck(?:\{[^}]*\})? \d+$/m);
    });
  });

  it('asks for a supported currency on the trial balance', async () => {
    const res = await get(`${queryApi()}/api/v1/ledger/trial-balance?currency=XXX`);
    expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await get(`${queryApi()}/api/v1/ledger/trial-balance`)).status).toBe(400);
  });
});
