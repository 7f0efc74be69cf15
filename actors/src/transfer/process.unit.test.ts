import {
  bankAccount,
  decideTransferStep,
  DomainError,
  progressOf,
  transfer,
  type AccountEvent,
  type AccountState,
  type TransferEvent,
  type TransferState,
} from '@bank/domain';
import {
  type AccountActorResult,
  type TransferStartRequest,
  type TransferStepRequest,
  type TransferStepResult,
} from '@bank/contracts';
import pino from 'pino';
import { resume, startTransfer, type TransferDeps } from './process';
import type { TransferRecord } from './record';

/**
 * A stand-in for the BankAccount actors and the log with the properties the process relies on:
 * each step is decided by the real domain (`decideTransferStep`) against the account and the
 * transfer's stream, and applied to both at once or not at all. `down` makes a step answer
 * SERVICE_UNAVAILABLE without applying; `lostAnswer` applies it and then answers
 * SERVICE_UNAVAILABLE (the caller cannot tell the two apart).
 */
class FakeBank {
  accounts = new Map<string, AccountState>();
  streams = new Map<string, { state: TransferState; events: TransferEvent[] }>();
  movements: Array<[string, string]> = [];
  down = new Set<string>();
  lostAnswer = new Set<string>();

  open(id: string, balance: number, currency: 'EUR' | 'USD' = 'EUR') {
    const events: AccountEvent[] = [
      {
        type: 'AccountOpened',
        data: { accountId: id, ownerId: 'o', ownerName: 'n', accountType: 'CHECKING', currency, overdraftLimit: 0 },
      },
      { type: 'MoneyDeposited', data: { transactionId: `d-${id}`, amount: balance, description: null } },
    ];
    this.accounts.set(id, events.reduce(bankAccount.evolve, bankAccount.initialState()));
  }

  apply(id: string, event: AccountEvent) {
    this.accounts.set(id, bankAccount.evolve(this.accounts.get(id)!, event));
  }

  balance(id: string): number {
    const a = this.accounts.get(id)!;
    return a.status === 'NONE' ? 0 : a.balance;
  }

  async view(accountId: string): Promise<AccountActorResult> {
    const a = this.accounts.get(accountId);
    if (!a || a.status === 'NONE') return { ok: false, error: { code: 'ACCOUNT_NOT_FOUND', message: '' } };
    return { ok: true, version: 1, account: a, appended: [] };
  }

  async step(accountId: string, r: TransferStepRequest): Promise<TransferStepResult> {
    if (this.down.has(r.step)) return { ok: false, error: { code: 'SERVICE_UNAVAILABLE', message: 'down' } };
    const stream = this.streams.get(r.transferId) ?? { state: transfer.initialState(), events: [] };
    const step =
      r.step === 'debit'
        ? {
            step: 'debit' as const,
            terms: {
              transferId: r.transferId,
              fromAccountId: accountId,
              toAccountId: r.toAccountId,
              amount: r.amountMinor,
              currency: r.currency,
              description: r.description,
            },
          }
        : { step: r.step, transferId: r.transferId };
    const account = this.accounts.get(accountId) ?? bankAccount.initialState();
    let decision;
    try {
      decision = decideTransferStep(step, accountId, account, stream.state, `tx-${r.step}`);
    } catch (err) {
      if (err instanceof DomainError) return { ok: false, error: { code: err.code, message: err.code } };
      throw err;
    }
    for (const e of decision.account) {
      this.apply(accountId, e);
      this.movements.push([accountId, e.type]);
    }
    const next = {
      state: decision.transfer.reduce(transfer.evolve, stream.state),
      events: [...stream.events, ...decision.transfer],
    };
    this.streams.set(r.transferId, next);
    if (this.lostAnswer.delete(r.step)) {
      return { ok: false, error: { code: 'SERVICE_UNAVAILABLE', message: 'the answer was lost' } };
    }
    return { ok: true, transfer: this.progress(r.transferId)! };
  }

  progress(transferId: string) {
    const stream = this.streams.get(transferId);
    if (!stream) return undefined;
    return progressOf({
      version: stream.events.length,
      state: stream.state,
      createdAt: '2026-11-22T10:00:00.000Z',
      ...(stream.state.phase === 'COMPLETED' || stream.state.phase === 'FAILED'
        ? { completedAt: '2026-11-22T10:00:01.000Z' }
        : {}),
    });
  }
}

function setup() {
  const bank = new FakeBank();
  bank.open('a', 10_000);
  bank.open('b', 0);
  const saved: TransferRecord[] = [];
  const reminder = { armed: false, armedBeforeFirstStep: false };
  const deps: TransferDeps = {
    accounts: {
      view: (id) => bank.view(id),
      step: async (id, r) => {
        if (r.step === 'debit') reminder.armedBeforeFirstStep = reminder.armed;
        return bank.step(id, r);
      },
    },
    stream: { read: async () => bank.progress('t1') },
    store: {
      save: async (r) => void saved.push(r),
    },
    retries: {
      arm: async () => void (reminder.armed = true),
      disarm: async () => void (reminder.armed = false),
    },
    now: () => new Date('2026-11-22T10:00:00.000Z'),
    log: pino({ level: 'silent' }),
  };
  const last = () => saved[saved.length - 1];
  const streamTypes = () => bank.streams.get('t1')?.events.map((e) => e.type);
  return { bank, deps, saved, reminder, last, streamTypes };
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
  it('debits, credits and settles as the log calls for, saves one record, disarms its reminder', async () => {
    const { bank, deps, last, reminder, saved, streamTypes } = setup();
    const result = await startTransfer(deps, 't1', request({ description: 'rent' }), undefined, FAR);
    expect(result).toMatchObject({ ok: true, transfer: { transferId: 't1', status: 'COMPLETED', amount: 2_500 } });
    expect(saved).toHaveLength(1); // one save, at the end, with the answer given
    expect(last()).toMatchObject({ status: 'COMPLETED', description: 'rent', firstAnswer: { status: 'COMPLETED' } });
    expect(bank.movements).toEqual([
      ['a', 'TransferDebited'],
      ['b', 'TransferCredited'],
      ['a', 'TransferSettled'],
    ]);
    expect(streamTypes()).toEqual(['TransferStarted', 'TransferCreditRecorded', 'TransferCompleted']);
    expect(reminder).toEqual({ armed: false, armedBeforeFirstStep: true });
  });

  it('answers a refused debit with its code, leaving nothing: no record, no stream, no reminder', async () => {
    const { deps, saved, reminder, streamTypes } = setup();
    const result = await startTransfer(deps, 't1', request({ amount: '100.01' }), undefined, FAR);
    expect(result).toEqual({ ok: false, error: { code: 'INSUFFICIENT_FUNDS', message: 'INSUFFICIENT_FUNDS' } });
    expect(saved).toEqual([]);
    expect(streamTypes()).toBeUndefined();
    expect(reminder.armed).toBe(false);
  });

  it('checks the destination and the amount before anything', async () => {
    const { deps, saved, bank, reminder } = setup();
    const code = async (r: TransferStartRequest) => {
      const res = await startTransfer(deps, 't', r, undefined, FAR);
      return res.ok ? 'ok' : res.error.code;
    };
    expect(await code(request({ toAccountId: 'a' }))).toBe('SAME_ACCOUNT_TRANSFER');
    expect(await code(request({ toAccountId: 'nope' }))).toBe('ACCOUNT_NOT_FOUND');
    expect(await code(request({ amount: '1.001' }))).toBe('VALIDATION_FAILED');
    expect(saved).toEqual([]);
    expect(bank.movements).toEqual([]);
    expect(reminder.armed).toBe(false);
  });

  it('answers an unknown source or another currency from the refused debit', async () => {
    const { bank, deps } = setup();
    bank.open('usd', 0, 'USD');
    const code = async (r: TransferStartRequest) => {
      const res = await startTransfer(deps, 't', r, undefined, FAR);
      return res.ok ? 'ok' : res.error.code;
    };
    expect(await code(request({ fromAccountId: 'nope' }))).toBe('ACCOUNT_NOT_FOUND');
    expect(await code(request({ toAccountId: 'usd' }))).toBe('CURRENCY_MISMATCH');
    expect(bank.movements).toEqual([]);
  });

  it('a credit the destination refuses is recorded in the log, then refunded', async () => {
    const { bank, deps, last, streamTypes } = setup();
    bank.apply('b', { type: 'AccountFrozen', data: { reason: null } });
    const result = await startTransfer(deps, 't1', request(), undefined, FAR);
    expect(result).toMatchObject({ ok: true, transfer: { status: 'FAILED', failureCode: 'ACCOUNT_FROZEN' } });
    expect(streamTypes()).toEqual(['TransferStarted', 'TransferCreditRefused', 'TransferFailed']);
    expect(bank.movements).toEqual([
      ['a', 'TransferDebited'],
      ['a', 'TransferRefunded'],
    ]);
    expect(last()).toMatchObject({
      status: 'FAILED',
      firstAnswer: { status: 'FAILED', failureCode: 'ACCOUNT_FROZEN' },
    });
    expect(bank.balance('a')).toBe(10_000);
  });

  it('once refused, never credited: a later resume after the destination is unfrozen still refunds', async () => {
    const { bank, deps, streamTypes } = setup();
    bank.apply('b', { type: 'AccountFrozen', data: { reason: null } });
    bank.down.add('finish');
    await startTransfer(deps, 't1', request(), undefined, FAR);
    expect(streamTypes()).toEqual(['TransferStarted', 'TransferCreditRefused']);
    bank.apply('b', { type: 'AccountUnfrozen', data: {} });
    bank.down.clear();
    const { record } = await resume(deps, undefined, Date.now() + FAR);
    expect(record).toMatchObject({ status: 'FAILED', failureCode: 'ACCOUNT_FROZEN' });
    expect(bank.balance('b')).toBe(0);
    expect(bank.balance('a')).toBe(10_000);
  });

  it('resumed after any lost answer, with or without its record, moves the money exactly once', async () => {
    for (const lost of ['debit', 'credit', 'finish'] as const) {
      for (const refused of [false, true]) {
        for (const keepRecord of [true, false]) {
          const { bank, deps, last } = setup();
          if (refused) bank.apply('b', { type: 'AccountFrozen', data: { reason: null } });
          bank.lostAnswer.add(lost);
          const first = await startTransfer(deps, 't1', request(), undefined, FAR);
          // A debit whose answer was lost is not known to be in the log: 503, and no record.
          expect(first).toMatchObject(
            lost === 'debit'
              ? { ok: false, error: { code: 'SERVICE_UNAVAILABLE' } }
              : { ok: true, transfer: { status: 'PENDING' } },
          );
          const { record, ended } = await resume(deps, keepRecord ? last() : undefined, Date.now() + FAR);
          const label = { lost, refused, keepRecord };
          expect({ ...label, status: record?.status, ended }).toEqual({
            ...label,
            status: refused ? 'FAILED' : 'COMPLETED',
            ended: true,
          });
          expect({ ...label, moved: bank.movements.length }).toEqual({ ...label, moved: refused ? 2 : 3 });
          expect(bank.balance('a') + bank.balance('b')).toBe(10_000);
          expect(bank.balance('b')).toBe(refused ? 0 : 2_500);
        }
      }
    }
  });

  it('a debit that could not be made is answered 503 and leaves no record; the armed reminder then finds nothing', async () => {
    const { bank, deps, saved, reminder } = setup();
    bank.down.add('debit');
    const first = await startTransfer(deps, 't1', request(), undefined, FAR);
    expect(first).toMatchObject({ ok: false, error: { code: 'SERVICE_UNAVAILABLE' } });
    // A transfer exists only once its debit is in the log: nothing else may claim it exists.
    expect(saved).toEqual([]);
    expect(reminder.armed).toBe(true);
    bank.down.clear();
    expect(await resume(deps, undefined, Date.now() + FAR)).toEqual({ record: undefined, ended: true });
    expect(bank.movements).toEqual([]);
    // A retry with the same request starts it then.
    expect(await startTransfer(deps, 't1', request(), undefined, FAR)).toMatchObject({
      ok: true,
      transfer: { status: 'COMPLETED' },
    });
  });

  it('a debit whose answer was lost is answered 503; a retry of the same request joins it, moving the money once', async () => {
    const { bank, deps, saved } = setup();
    bank.lostAnswer.add('debit');
    expect(await startTransfer(deps, 't1', request(), undefined, FAR)).toMatchObject({
      ok: false,
      error: { code: 'SERVICE_UNAVAILABLE' },
    });
    expect(saved).toEqual([]);
    bank.lostAnswer.clear();
    expect(await startTransfer(deps, 't1', request(), undefined, FAR)).toMatchObject({
      ok: true,
      transfer: { status: 'COMPLETED' },
    });
    expect(bank.movements.length).toBe(3);
    expect(bank.balance('b')).toBe(2_500);
  });

  it('a record accepted before its debit (written before 2026-12-06) still gets its debit from the reminder', async () => {
    const { bank, deps } = setup();
    const old: TransferRecord = {
      transferId: 't1',
      fromAccountId: 'a',
      toAccountId: 'b',
      amount: 2_500,
      currency: 'EUR',
      status: 'PENDING',
      description: null,
      createdAt: '2026-11-22T10:00:00.000Z',
      correlationId: 'c-1',
      started: false,
    };
    const { record, ended } = await resume(deps, old, Date.now() + FAR);
    expect({ status: record?.status, ended }).toEqual({ status: 'COMPLETED', ended: true });
    expect(bank.balance('b')).toBe(2_500);
  });

  it('a reminder with no record and nothing in the log has nothing to do', async () => {
    const { deps, bank } = setup();
    expect(await resume(deps, undefined, Date.now() + FAR)).toEqual({ record: undefined, ended: true });
    expect(bank.movements).toEqual([]);
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

  it('a record rebuilt from the log answers a repeat of the same request as the same transfer', async () => {
    const { bank, deps, last } = setup();
    bank.lostAnswer.add('credit');
    await startTransfer(deps, 't1', request({ amount: '25.5' }), undefined, FAR);
    await resume(deps, undefined, Date.now() + FAR); // the record was lost; the reminder rebuilds it
    const rebuilt = last()!;
    expect(rebuilt).toMatchObject({ status: 'COMPLETED', amount: 2_550 });
    expect(await startTransfer(deps, 't1', request({ amount: '25.50' }), rebuilt, FAR)).toMatchObject({
      ok: true,
      replayed: true,
      transfer: { status: 'COMPLETED' },
    });
    expect(await startTransfer(deps, 't1', request({ amount: '25.51' }), rebuilt, FAR)).toMatchObject({
      ok: false,
      error: { code: 'TRANSFER_ALREADY_EXISTS' },
    });
  });

  it('with its record lost, a repeat with other details is refused by the log', async () => {
    const { deps } = setup();
    await startTransfer(deps, 't1', request(), undefined, FAR);
    expect(await startTransfer(deps, 't1', request({ amount: '26' }), undefined, FAR)).toMatchObject({
      ok: false,
      error: { code: 'TRANSFER_ALREADY_EXISTS' },
    });
    expect(await startTransfer(deps, 't1', request(), undefined, FAR)).toMatchObject({
      ok: true,
      transfer: { status: 'COMPLETED' },
    });
  });
});
