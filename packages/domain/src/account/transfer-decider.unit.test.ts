import type { AccountCommand, TransferLeg } from './commands';
import type { AccountEvent } from './events';
import { given } from './given.test';

const opened: AccountEvent = {
  type: 'AccountOpened',
  data: {
    accountId: 'acc-1',
    ownerId: 'o',
    ownerName: 'Ada',
    accountType: 'CHECKING',
    currency: 'EUR',
    overdraftLimit: 1_000,
  },
};
const deposited: AccountEvent = {
  type: 'MoneyDeposited',
  data: { transactionId: 'tx-d', amount: 5_000, description: null },
};
const leg = (transferId: string, amount: number, currency: 'EUR' | 'USD' = 'EUR'): TransferLeg => ({
  transferId,
  transactionId: `tx-${transferId}`,
  counterpartyAccountId: 'acc-2',
  amount,
  currency,
});
const debit = (id: string, amount: number, currency?: 'EUR' | 'USD'): AccountCommand => ({
  type: 'DebitTransfer',
  data: { ...leg(id, amount, currency), description: null },
});
const credit = (id: string, amount: number, currency?: 'EUR' | 'USD'): AccountCommand => ({
  type: 'CreditTransfer',
  data: { ...leg(id, amount, currency), description: null },
});
const refund = (id: string, amount: number): AccountCommand => ({
  type: 'RefundTransfer',
  data: { ...leg(id, amount), failureCode: 'ACCOUNT_CLOSED' },
});
const debited = (id: string, amount: number): AccountEvent => ({
  type: 'TransferDebited',
  data: { transferId: id, transactionId: `tx-${id}`, toAccountId: 'acc-2', amount, description: null },
});
const frozen: AccountEvent = { type: 'AccountFrozen', data: { reason: null } };
const closed: AccountEvent = { type: 'AccountClosed', data: {} };

describe('BankAccount decider: transfer steps', () => {
  it('debits within balance plus overdraft, into transit', () => {
    given(opened, deposited)
      .when(debit('t1', 6_000))
      .then([debited('t1', 6_000)]);
    given(opened, deposited).when(debit('t1', 6_001)).thenThrows('INSUFFICIENT_FUNDS');
    const after = given(opened, deposited, debited('t1', 6_000)).state;
    expect(after).toMatchObject({ balance: -1_000, transfersInFlight: ['t1'] });
  });

  it('refuses debits and credits on frozen, closed, missing and other-currency accounts', () => {
    given(opened, deposited, frozen).when(debit('t', 1)).thenThrows('ACCOUNT_FROZEN');
    given(opened, frozen).when(credit('t', 1)).thenThrows('ACCOUNT_FROZEN');
    given(opened, closed).when(credit('t', 1)).thenThrows('ACCOUNT_CLOSED');
    given().when(credit('t', 1)).thenThrows('ACCOUNT_NOT_FOUND');
    given(opened, deposited)
      .when(debit('t', 1, 'USD'))
      .thenThrows('CURRENCY_MISMATCH');
    given(opened)
      .when(credit('t', 1, 'USD'))
      .thenThrows('CURRENCY_MISMATCH');
    given(opened, deposited).when(debit('t', 0)).thenThrows('VALIDATION_FAILED');
  });

  it('credits the destination', () => {
    given(opened)
      .when(credit('t1', 700))
      .then([
        {
          type: 'TransferCredited',
          data: { transferId: 't1', transactionId: 'tx-t1', fromAccountId: 'acc-2', amount: 700, description: null },
        },
      ]);
  });

  it('refunds only a transfer in flight, even on a frozen account, and then forgets it', () => {
    const inFlight = [opened, deposited, debited('t1', 2_000)];
    const refunded = given(...inFlight, frozen)
      .when(refund('t1', 2_000))
      .decided();
    expect(refunded).toEqual([
      {
        type: 'TransferRefunded',
        data: {
          transferId: 't1',
          transactionId: 'tx-t1',
          toAccountId: 'acc-2',
          amount: 2_000,
          failureCode: 'ACCOUNT_CLOSED',
        },
      },
    ]);
    expect(given(...inFlight, ...refunded).state).toMatchObject({ balance: 5_000, transfersInFlight: [] });
    given(opened, deposited).when(refund('t1', 2_000)).thenThrows('TRANSFER_NOT_FOUND');
  });

  it('settles a transfer in flight once, and settling again changes nothing', () => {
    const inFlight = [opened, deposited, debited('t1', 2_000)];
    const settle: AccountCommand = { type: 'SettleTransfer', data: { transferId: 't1' } };
    const events = given(...inFlight)
      .when(settle)
      .decided();
    expect(events).toEqual([{ type: 'TransferSettled', data: { transferId: 't1' } }]);
    expect(given(...inFlight, ...events).state).toMatchObject({ balance: 3_000, transfersInFlight: [] });
    given(...inFlight, ...events)
      .when(settle)
      .then([]);
  });

  it('does not close an account while a transfer from it is in flight', () => {
    const drained: AccountEvent = {
      type: 'MoneyWithdrawn',
      data: { transactionId: 'tx-w', amount: 3_000, description: null },
    };
    const close: AccountCommand = { type: 'CloseAccount', data: {} };
    const inFlight = [opened, deposited, debited('t1', 2_000), drained];
    expect(given(...inFlight).state).toMatchObject({ balance: 0 });
    given(...inFlight)
      .when(close)
      .thenThrows('ACCOUNT_BALANCE_NOT_ZERO');
    const settledEvent: AccountEvent = { type: 'TransferSettled', data: { transferId: 't1' } };
    given(...inFlight, settledEvent)
      .when(close)
      .then([closed]);
  });
});
