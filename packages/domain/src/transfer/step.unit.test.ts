import { bankAccount } from '../account/decider';
import type { AccountEvent } from '../account/events';
import { refusalOf } from '../decider-specification.test';
import { transfer } from './decider';
import type { TransferEvent } from './events';
import { creditRecorded, refused, started, terms } from './fixtures.test';
import { decideTransferStep, type TransferStep } from './step';

const opened = (accountId: string, currency: 'EUR' | 'USD' = 'EUR'): AccountEvent => ({
  type: 'AccountOpened',
  data: { accountId, ownerId: 'o', ownerName: 'Ada', accountType: 'CHECKING', currency, overdraftLimit: 0 },
});
const deposit = (amount: number): AccountEvent => ({
  type: 'MoneyDeposited',
  data: { transactionId: 'd', amount, description: null },
});
const account = (...events: AccountEvent[]) => events.reduce(bankAccount.evolve, bankAccount.initialState());
const transferOf = (...events: TransferEvent[]) => events.reduce(transfer.evolve, transfer.initialState());
const credited = creditRecorded('tx-c');
const debited: AccountEvent = {
  type: 'TransferDebited',
  data: { transferId: 't-1', transactionId: 'tx-d', toAccountId: 'b', amount: 1_000, description: 'rent' },
};
const debit: TransferStep = { step: 'debit', terms };
const credit: TransferStep = { step: 'credit', transferId: 't-1' };
const finish: TransferStep = { step: 'finish', transferId: 't-1' };

const codeOf = refusalOf;

describe('a transfer step, decided by the account it touches', () => {
  it('debit: the source is debited and the transfer starts, in one decision', () => {
    expect(decideTransferStep(debit, 'a', account(opened('a'), deposit(5_000)), transferOf(), 'tx-d')).toEqual({
      account: [debited],
      transfer: [started],
      pinAccount: false,
    });
  });

  it('debit refused by the source leaves nothing to write', () => {
    expect(codeOf(() => decideTransferStep(debit, 'a', account(opened('a')), transferOf(), 'tx'))).toBe(
      'INSUFFICIENT_FUNDS',
    );
    expect(codeOf(() => decideTransferStep(debit, 'a', account(), transferOf(), 'tx'))).toBe('ACCOUNT_NOT_FOUND');
    expect(
      codeOf(() => decideTransferStep(debit, 'a', account(opened('a', 'USD'), deposit(5_000)), transferOf(), 'tx')),
    ).toBe('CURRENCY_MISMATCH');
  });

  it('a debit asked again decides nothing; with other terms it is refused', () => {
    const source = account(opened('a'), deposit(5_000), debited);
    expect(decideTransferStep(debit, 'a', source, transferOf(started), 'tx')).toEqual({
      account: [],
      transfer: [],
      pinAccount: false,
    });
    const other: TransferStep = { step: 'debit', terms: { ...terms, amount: 1 } };
    expect(codeOf(() => decideTransferStep(other, 'a', source, transferOf(started), 'tx'))).toBe(
      'TRANSFER_ALREADY_EXISTS',
    );
  });

  it('a step is only ever decided by the account it is for', () => {
    expect(codeOf(() => decideTransferStep(debit, 'b', account(opened('b'), deposit(5_000)), transferOf(), 'tx'))).toBe(
      'VALIDATION_FAILED',
    );
    expect(codeOf(() => decideTransferStep(credit, 'a', account(opened('a')), transferOf(started), 'tx'))).toBe(
      'VALIDATION_FAILED',
    );
    expect(
      codeOf(() => decideTransferStep(finish, 'b', account(opened('b')), transferOf(started, credited), 'tx')),
    ).toBe('VALIDATION_FAILED');
  });

  it('credit or refusal: the amount and the parties come from the transfer, never from the caller', () => {
    expect(decideTransferStep(credit, 'b', account(opened('b')), transferOf(started), 'tx-c')).toEqual({
      account: [
        {
          type: 'TransferCredited',
          data: { transferId: 't-1', transactionId: 'tx-c', fromAccountId: 'a', amount: 1_000, description: 'rent' },
        },
      ],
      transfer: [credited],
      pinAccount: false,
    });
    const frozen = account(opened('b'), { type: 'AccountFrozen', data: { reason: null } });
    expect(decideTransferStep(credit, 'b', frozen, transferOf(started), 'tx-c')).toEqual({
      account: [],
      transfer: [
        { type: 'TransferCreditRefused', data: { failureCode: 'ACCOUNT_FROZEN', reason: 'account is frozen' } },
      ],
      pinAccount: true,
    });
  });

  it('a credit for a transfer that was never started is refused', () => {
    expect(codeOf(() => decideTransferStep(credit, 'b', account(opened('b')), transferOf(), 'tx'))).toBe(
      'TRANSFER_NOT_FOUND',
    );
  });

  it('a credit after the destination answered decides nothing', () => {
    expect(decideTransferStep(credit, 'b', account(opened('b')), transferOf(started, refused), 'tx').transfer).toEqual(
      [],
    );
    expect(decideTransferStep(credit, 'b', account(opened('b')), transferOf(started, credited), 'tx').transfer).toEqual(
      [],
    );
  });

  it('finish settles a credited transfer and refunds a refused one', () => {
    const source = account(opened('a'), deposit(5_000), debited);
    expect(decideTransferStep(finish, 'a', source, transferOf(started, credited), 'tx-f')).toEqual({
      account: [{ type: 'TransferSettled', data: { transferId: 't-1' } }],
      transfer: [{ type: 'TransferCompleted', data: {} }],
      pinAccount: false,
    });
    expect(decideTransferStep(finish, 'a', source, transferOf(started, refused), 'tx-f')).toEqual({
      account: [
        {
          type: 'TransferRefunded',
          data: {
            transferId: 't-1',
            transactionId: 'tx-f',
            toAccountId: 'b',
            amount: 1_000,
            failureCode: 'ACCOUNT_FROZEN',
          },
        },
      ],
      transfer: [{ type: 'TransferFailed', data: { failureCode: 'ACCOUNT_FROZEN' } }],
      pinAccount: false,
    });
  });

  it('finish before the destination answered is refused', () => {
    const source = account(opened('a'), deposit(5_000), debited);
    expect(codeOf(() => decideTransferStep(finish, 'a', source, transferOf(started), 'tx'))).toBe('VERSION_CONFLICT');
  });
});
