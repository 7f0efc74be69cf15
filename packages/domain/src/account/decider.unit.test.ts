import type { AccountCommand } from './commands';
import type { AccountEvent } from './events';
import { given } from './given.test';

const opened: AccountEvent = {
  type: 'AccountOpened',
  data: {
    accountId: 'acc-1',
    ownerId: 'owner-1',
    ownerName: 'Ada Lovelace',
    accountType: 'CHECKING',
    currency: 'USD',
    overdraftLimit: 5_000,
  },
};
const open = (initialDeposit: number): AccountCommand => ({
  type: 'OpenAccount',
  data: { ...opened.data, initialDeposit, initialTransactionId: 'tx-0' } as Extract<
    AccountCommand,
    { type: 'OpenAccount' }
  >['data'],
});
const deposit = (amount: number): AccountCommand => ({
  type: 'DepositMoney',
  data: { transactionId: 'tx-1', amount, description: null },
});
const withdraw = (amount: number): AccountCommand => ({
  type: 'WithdrawMoney',
  data: { transactionId: 'tx-2', amount, description: null },
});
const deposited = (amount: number): AccountEvent => ({
  type: 'MoneyDeposited',
  data: { transactionId: 'tx-d', amount, description: null },
});

describe('BankAccount decider', () => {
  describe('OpenAccount', () => {
    it('opens an account with no deposit event when the initial deposit is zero', () => {
      given().when(open(0)).then([opened]);
    });

    it('records a non-zero initial deposit as its own deposit event', () => {
      given()
        .when(open(10_000))
        .then([
          opened,
          { type: 'MoneyDeposited', data: { transactionId: 'tx-0', amount: 10_000, description: 'Initial deposit' } },
        ]);
    });

    it('refuses to open an account twice', () => {
      given(opened).when(open(0)).thenThrows('ACCOUNT_ALREADY_EXISTS');
    });

    it('refuses a negative initial deposit', () => {
      given().when(open(-1)).thenThrows('VALIDATION_FAILED');
    });
  });

  describe('DepositMoney', () => {
    it('deposits into an open account', () => {
      given(opened)
        .when(deposit(2_500))
        .then([{ type: 'MoneyDeposited', data: { transactionId: 'tx-1', amount: 2_500, description: null } }]);
    });

    it('refuses an account that does not exist', () => {
      given().when(deposit(1)).thenThrows('ACCOUNT_NOT_FOUND');
    });

    it.each([0, -100])('refuses a non-positive amount (%d)', (amount) => {
      given(opened).when(deposit(amount)).thenThrows('VALIDATION_FAILED');
    });

    it('refuses more than 1 000 000 000 major units in one operation', () => {
      given(opened).when(deposit(100_000_000_001)).thenThrows('VALIDATION_FAILED');
      expect(given(opened).when(deposit(100_000_000_000)).decided()).toHaveLength(1);
    });
  });

  describe('WithdrawMoney', () => {
    it('withdraws down to minus the overdraft limit', () => {
      given(opened, deposited(1_000))
        .when(withdraw(6_000))
        .then([{ type: 'MoneyWithdrawn', data: { transactionId: 'tx-2', amount: 6_000, description: null } }]);
    });

    it('refuses to go one minor unit beyond the overdraft limit', () => {
      given(opened, deposited(1_000)).when(withdraw(6_001)).thenThrows('INSUFFICIENT_FUNDS');
    });

    it('refuses an account that does not exist', () => {
      given().when(withdraw(1)).thenThrows('ACCOUNT_NOT_FOUND');
    });
  });

  it('folds events into the balance exactly', () => {
    const { state } = given(opened, deposited(1_001), deposited(2_002));
    expect(state).toMatchObject({ status: 'ACTIVE', balance: 3_003, overdraftLimit: 5_000 });
  });
});

describe('BankAccount decider: freeze, unfreeze, close', () => {
  const frozen: AccountEvent = { type: 'AccountFrozen', data: { reason: 'fraud check' } };
  const unfrozen: AccountEvent = { type: 'AccountUnfrozen', data: {} };
  const closed: AccountEvent = { type: 'AccountClosed', data: {} };
  const freeze: AccountCommand = { type: 'FreezeAccount', data: { reason: 'fraud check' } };
  const unfreeze: AccountCommand = { type: 'UnfreezeAccount', data: {} };
  const close: AccountCommand = { type: 'CloseAccount', data: {} };
  const withdrawn = (amount: number): AccountEvent => ({
    type: 'MoneyWithdrawn',
    data: { transactionId: 'tx-w', amount, description: null },
  });

  it('freezes an active account', () => {
    given(opened).when(freeze).then([frozen]);
  });

  it('freezing a frozen account changes nothing', () => {
    given(opened, frozen).when(freeze).then([]);
  });

  it('rejects deposits and withdrawals on a frozen account', () => {
    given(opened, frozen).when(deposit(100)).thenThrows('ACCOUNT_FROZEN');
    given(opened, deposited(500), frozen).when(withdraw(100)).thenThrows('ACCOUNT_FROZEN');
  });

  it('unfreezes a frozen account, after which money moves again', () => {
    given(opened, frozen).when(unfreeze).then([unfrozen]);
    expect(given(opened, frozen, unfrozen).when(deposit(100)).decided()).toHaveLength(1);
  });

  it('unfreezing an active account changes nothing', () => {
    given(opened).when(unfreeze).then([]);
  });

  it('closes an account whose balance is zero', () => {
    given(opened, deposited(500), withdrawn(500)).when(close).then([closed]);
  });

  it.each([
    ['positive', [deposited(1)]],
    ['negative (overdrawn)', [withdrawn(1)]],
  ])('refuses to close with a %s balance', (_, history) => {
    given(opened, ...history)
      .when(close)
      .thenThrows('ACCOUNT_BALANCE_NOT_ZERO');
  });

  it('refuses to close a frozen account', () => {
    given(opened, frozen).when(close).thenThrows('ACCOUNT_FROZEN');
  });

  it.each([
    ['deposit', deposit(1)],
    ['withdraw', withdraw(1)],
    ['freeze', freeze],
    ['unfreeze', unfreeze],
    ['close', close],
  ])('rejects %s on a closed account', (_, command) => {
    given(opened, closed).when(command).thenThrows('ACCOUNT_CLOSED');
  });

  it.each([
    ['freeze', freeze],
    ['unfreeze', unfreeze],
    ['close', close],
  ])('rejects %s on an account that does not exist', (_, command) => {
    given().when(command).thenThrows('ACCOUNT_NOT_FOUND');
  });
});
