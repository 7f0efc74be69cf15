import type { AccountActorRequest, AccountActorResult, TransferStartRequest } from '@bank/domain';
import pino from 'pino';
import { advance, startTransfer, type TransferDeps } from './process';
import type { TransferRecord } from './record';

type Account = { balance: number; status: 'ACTIVE' | 'FROZEN' | 'CLOSED'; currency: 'EUR' | 'USD' };

/**
 * Stand-ins for the BankAccount actors with the properties the process relies on: a step with
 * an idempotency key that succeeded answers the same again and moves nothing; a refused step
 * consumes no key. `crashAfter` makes a step apply and then the process die (a throw).
 */
class FakeAccounts {
  accounts = new Map<string, Account>();
  done = new Map<string, AccountActorResult>();
  movements: Array<[string, string, number]> = [];
  down = new Set<string>();
  crashAfter = new Set<string>();

  open(id: string, balance: number, currency: 'EUR' | 'USD' = 'EUR') {
    this.accounts.set(id, { balance, status: 'ACTIVE', currency });
  }

  async view(accountId: string): Promise<AccountActorResult> {
    const a = this.accounts.get(accountId);
    if (!a) return { ok: false, error: { code: 'ACCOUNT_NOT_FOUND', message: '' } };
    return { ok: true, version: 1, account: this.viewOf(accountId, a), appended: [] };
  }

  async execute(accountId: string, r: AccountActorRequest): Promise<AccountActorResult> {
    if (this.down.has(r.type)) return { ok: false, error: { code: 'SERVICE_UNAVAILABLE', message: 'down' } };
    const key = r.idempotency!.keyHash;
    const previous = this.done.get(key);
    if (previous) return previous;
    const a = this.accounts.get(accountId);
    type Code = 'ACCOUNT_NOT_FOUND' | 'CURRENCY_MISMATCH' | 'ACCOUNT_FROZEN' | 'ACCOUNT_CLOSED' | 'INSUFFICIENT_FUNDS';
    const refuse = (code: Code): AccountActorResult => ({ ok: false, error: { code, message: code } });
    if (!a) return refuse('ACCOUNT_NOT_FOUND');
    if ('currency' in r && r.currency !== a.currency) return refuse('CURRENCY_MISMATCH');
    if (r.type === 'DebitTransfer' || r.type === 'CreditTransfer') {
      if (a.status === 'CLOSED') return refuse('ACCOUNT_CLOSED');
      if (a.status === 'FROZEN') return refuse('ACCOUNT_FROZEN');
    }
    const delta =
      r.type === 'DebitTransfer'
        ? -r.amountMinor
        : r.type === 'CreditTransfer' || r.type === 'RefundTransfer'
          ? r.amountMinor
          : 0;
    if (a.balance + delta < 0) return refuse('INSUFFICIENT_FUNDS');
    a.balance += delta;
    this.movements.push([accountId, r.type, delta]);
    const result: AccountActorResult = { ok: true, version: 2, account: this.viewOf(accountId, a), appended: [] };
    this.done.set(key, result);
    if (this.crashAfter.delete(r.type)) throw new Error('the process died after the step applied');
    return result;
  }

  private viewOf(accountId: string, a: Account) {
    return { accountId, ownerId: 'o', ownerName: 'n', accountType: 'CHECKING' as const, overdraftLimit: 0, ...a };
  }
}

function setup() {
  const accounts = new FakeAccounts();
  accounts.open('a', 10_000);
  accounts.open('b', 0);
  const saved: Array<TransferRecord | undefined> = [];
  const reminder = { armed: false };
  const deps: TransferDeps = {
    accounts,
    store: {
      save: async (r) => void saved.push(r),
      remove: async () => void saved.push(undefined),
    },
    retries: {
      arm: async () => void (reminder.armed = true),
      disarm: async () => void (reminder.armed = false),
    },
    now: () => new Date('2026-11-22T10:00:00.000Z'),
    log: pino({ level: 'silent' }),
  };
  const last = () => saved[saved.length - 1];
  return { accounts, deps, saved, reminder, last };
}

const request = (fields: Partial<TransferStartRequest> = {}): TransferStartRequest => ({
  fromAccountId: 'a',
  toAccountId: 'b',
  amount: '25.00',
  correlationId: 'c-1',
  ...fields,
});
const FAR = 60_000;

describe('transfer process', () => {
  it('debits, credits and settles, then disarms its reminder', async () => {
    const { accounts, deps, last, reminder, saved } = setup();
    const result = await startTransfer(deps, 't1', request({ description: 'rent' }), undefined, FAR);
    expect(result).toMatchObject({ ok: true, transfer: { transferId: 't1', status: 'COMPLETED', amount: 2_500 } });
    // Two saves: before the first step, and at the end with the answer given.
    expect(saved.map((r) => r?.step)).toEqual(['DEBIT', 'DONE']);
    expect(last()?.firstAnswer).toMatchObject({ status: 'COMPLETED' });
    expect(accounts.movements).toEqual([
      ['a', 'DebitTransfer', -2_500],
      ['b', 'CreditTransfer', 2_500],
      ['a', 'SettleTransfer', 0],
    ]);
    expect(last()).toMatchObject({ status: 'COMPLETED', step: 'DONE', description: 'rent' });
    expect(reminder.armed).toBe(false);
  });

  it('saves its record and arms the reminder before any money moves', async () => {
    const { accounts, deps, saved, reminder } = setup();
    accounts.down.add('DebitTransfer');
    const result = await startTransfer(deps, 't1', request(), undefined, FAR);
    expect(result).toMatchObject({ ok: true, transfer: { status: 'PENDING' } });
    expect(saved[0]).toMatchObject({ step: 'DEBIT', status: 'PENDING' });
    expect(reminder.armed).toBe(true);
    expect(accounts.movements).toEqual([]);
  });

  it('answers a refused debit with its code and leaves no record', async () => {
    const { deps, last, reminder } = setup();
    const result = await startTransfer(deps, 't1', request({ amount: '100.01' }), undefined, FAR);
    expect(result).toEqual({ ok: false, error: { code: 'INSUFFICIENT_FUNDS', message: 'INSUFFICIENT_FUNDS' } });
    expect(last()).toBeUndefined();
    expect(reminder.armed).toBe(false);
  });

  it('checks the destination and the amount before recording anything', async () => {
    const { deps, saved, accounts } = setup();
    const code = async (r: TransferStartRequest) => {
      const res = await startTransfer(deps, 't', r, undefined, FAR);
      return res.ok ? 'ok' : res.error.code;
    };
    expect(await code(request({ toAccountId: 'a' }))).toBe('SAME_ACCOUNT_TRANSFER');
    expect(await code(request({ toAccountId: 'nope' }))).toBe('ACCOUNT_NOT_FOUND');
    expect(await code(request({ amount: '1.001' }))).toBe('VALIDATION_FAILED');
    expect(saved).toEqual([]);
    expect(accounts.movements).toEqual([]);
  });

  it('answers an unknown source or another currency from the refused debit, leaving no trace', async () => {
    const { accounts, deps, last, reminder } = setup();
    accounts.open('usd', 0, 'USD');
    const code = async (r: TransferStartRequest) => {
      const res = await startTransfer(deps, 't', r, undefined, FAR);
      return res.ok ? 'ok' : res.error.code;
    };
    expect(await code(request({ fromAccountId: 'nope' }))).toBe('ACCOUNT_NOT_FOUND');
    expect(await code(request({ toAccountId: 'usd' }))).toBe('CURRENCY_MISMATCH');
    expect(last()).toBeUndefined(); // the record of each was removed
    expect(reminder.armed).toBe(false);
    expect(accounts.movements).toEqual([]);
  });

  it('refunds when the credit is refused, having saved that decision first', async () => {
    const { accounts, deps, saved, last } = setup();
    accounts.accounts.get('b')!.status = 'CLOSED';
    const result = await startTransfer(deps, 't1', request(), undefined, FAR);
    expect(result).toMatchObject({ ok: true, transfer: { status: 'FAILED', failureCode: 'ACCOUNT_CLOSED' } });
    expect(accounts.movements).toEqual([
      ['a', 'DebitTransfer', -2_500],
      ['a', 'RefundTransfer', 2_500],
    ]);
    // The refund decision, then the end with the answer given: no save between idempotent steps.
    expect(saved.map((r) => r?.step)).toEqual(['DEBIT', 'REFUND', 'DONE']);
    expect(last()).toMatchObject({
      status: 'FAILED',
      failureCode: 'ACCOUNT_CLOSED',
      firstAnswer: { status: 'FAILED', failureCode: 'ACCOUNT_CLOSED' },
    });
    expect(accounts.accounts.get('a')!.balance).toBe(10_000);
  });

  it('resumed after any lost answer, moves the money exactly once', async () => {
    for (const step of ['DebitTransfer', 'CreditTransfer', 'SettleTransfer', 'RefundTransfer'] as const) {
      const { accounts, deps, last } = setup();
      if (step === 'RefundTransfer') accounts.accounts.get('b')!.status = 'FROZEN';
      accounts.crashAfter.add(step);
      await expect(startTransfer(deps, 't1', request(), undefined, FAR)).rejects.toThrow('died');
      // The reminder fires: the record as saved is all it has.
      const resumed = await advance(deps, last()!, Date.now() + FAR);
      expect([step, resumed.status]).toEqual([step, step === 'RefundTransfer' ? 'FAILED' : 'COMPLETED']);
      const moved = accounts.movements.filter(([, type]) => type !== 'SettleTransfer');
      expect([step, moved.length]).toEqual([step, 2]);
      expect(accounts.accounts.get('a')!.balance + accounts.accounts.get('b')!.balance).toBe(10_000);
    }
  });

  it('a refused debit found by the reminder ends the transfer FAILED, nothing moved', async () => {
    const { accounts, deps, last } = setup();
    accounts.down.add('DebitTransfer');
    await startTransfer(deps, 't1', request(), undefined, FAR);
    accounts.down.clear();
    accounts.accounts.get('a')!.status = 'FROZEN';
    const resumed = await advance(deps, last()!, Date.now() + FAR);
    expect(resumed).toMatchObject({ status: 'FAILED', failureCode: 'ACCOUNT_FROZEN', step: 'DONE' });
    expect(accounts.movements).toEqual([]);
  });

  it('answers repeats: the same key replays, other details are refused', async () => {
    const { deps, last } = setup();
    const idempotency = { keyHash: 'a'.repeat(64), requestHash: 'b'.repeat(64) };
    const first = await startTransfer(deps, 't1', request({ idempotency }), undefined, FAR);
    const record = last()!;
    expect(await startTransfer(deps, 't1', request({ idempotency }), record, FAR)).toEqual({
      ...first,
      replayed: true,
    });
    const reused = await startTransfer(
      deps,
      't1',
      request({ idempotency: { ...idempotency, requestHash: 'c'.repeat(64) } }),
      record,
      FAR,
    );
    expect(reused).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(await startTransfer(deps, 't1', request({ amount: '25' }), record, FAR)).toMatchObject({
      ok: true,
      replayed: true,
    });
    expect(await startTransfer(deps, 't1', request({ amount: '26' }), record, FAR)).toMatchObject({
      ok: false,
      error: { code: 'TRANSFER_ALREADY_EXISTS' },
    });
  });
});
