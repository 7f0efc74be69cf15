import { assertNever, type Decider } from '../decider';
import { DomainError } from '../errors';
import { addMinor, maxOperationMinor, MoneyOverflowError, subtractMinor, type Minor } from '../money';
import type { AccountCommand } from './commands';
import type { AccountEvent } from './events';
import { initialAccountState, transfersInFlight, type AccountState, type OpenAccountState } from './state';

export function decide(command: AccountCommand, state: AccountState): AccountEvent[] {
  switch (command.type) {
    case 'OpenAccount': {
      if (state.status !== 'NONE') {
        throw new DomainError('ACCOUNT_ALREADY_EXISTS', `account ${state.accountId} already exists`);
      }
      const { initialDeposit, initialTransactionId, ...opened } = command.data;
      assertAmount(initialDeposit, opened.currency, 'body.initialDeposit', { allowZero: true });
      assertAmount(opened.overdraftLimit, opened.currency, 'body.overdraftLimit', { allowZero: true });
      const events: AccountEvent[] = [{ type: 'AccountOpened', data: opened }];
      if (initialDeposit > 0) {
        events.push({
          type: 'MoneyDeposited',
          data: { transactionId: initialTransactionId, amount: initialDeposit, description: 'Initial deposit' },
        });
      }
      return events;
    }
    case 'DepositMoney': {
      const account = requireMovable(state);
      assertAmount(command.data.amount, account.currency, 'body.amount');
      checked(() => addMinor(account.balance, command.data.amount));
      return [{ type: 'MoneyDeposited', data: command.data }];
    }
    case 'WithdrawMoney': {
      const account = requireMovable(state);
      assertAmount(command.data.amount, account.currency, 'body.amount');
      const after = checked(() => subtractMinor(account.balance, command.data.amount));
      if (after < -account.overdraftLimit) {
        throw new DomainError('INSUFFICIENT_FUNDS', `withdrawal would take the balance below the overdraft limit`);
      }
      return [{ type: 'MoneyWithdrawn', data: command.data }];
    }
    case 'FreezeAccount': {
      const account = requireNotClosed(state);
      // Freezing a frozen account changes nothing: the outcome the caller wants already holds.
      return account.status === 'FROZEN' ? [] : [{ type: 'AccountFrozen', data: command.data }];
    }
    case 'UnfreezeAccount': {
      const account = requireNotClosed(state);
      return account.status === 'ACTIVE' ? [] : [{ type: 'AccountUnfrozen', data: {} }];
    }
    case 'CloseAccount': {
      const account = requireMovable(state);
      if (account.balance !== 0) {
        throw new DomainError('ACCOUNT_BALANCE_NOT_ZERO', 'only an account with a zero balance can be closed');
      }
      if (transfersInFlight(account).length > 0) {
        throw new DomainError(
          'ACCOUNT_BALANCE_NOT_ZERO',
          'a transfer from this account is still in flight; its money may come back',
        );
      }
      return [{ type: 'AccountClosed', data: {} }];
    }
    case 'DebitTransfer': {
      const { currency, counterpartyAccountId, ...leg } = command.data;
      const account = requireMovable(state);
      requireCurrency(account, currency);
      assertAmount(leg.amount, account.currency, 'body.amount');
      const after = checked(() => subtractMinor(account.balance, leg.amount));
      if (after < -account.overdraftLimit) {
        throw new DomainError('INSUFFICIENT_FUNDS', 'transfer would take the balance below the overdraft limit');
      }
      return [{ type: 'TransferDebited', data: { ...leg, toAccountId: counterpartyAccountId } }];
    }
    case 'CreditTransfer': {
      const { currency, counterpartyAccountId, ...leg } = command.data;
      const account = requireMovable(state);
      requireCurrency(account, currency);
      assertAmount(leg.amount, account.currency, 'body.amount');
      checked(() => addMinor(account.balance, leg.amount));
      return [{ type: 'TransferCredited', data: { ...leg, fromAccountId: counterpartyAccountId } }];
    }
    case 'RefundTransfer': {
      // A refund returns money that already left this account, so it is taken even when the
      // account has been frozen since; it cannot be closed (the transfer is in flight).
      const { currency, counterpartyAccountId, ...leg } = command.data;
      const account = requireOpened(state);
      requireCurrency(account, currency);
      if (!transfersInFlight(account).includes(leg.transferId)) {
        throw new DomainError('TRANSFER_NOT_FOUND', `transfer ${leg.transferId} is not in flight from this account`);
      }
      return [{ type: 'TransferRefunded', data: { ...leg, toAccountId: counterpartyAccountId } }];
    }
    case 'SettleTransfer': {
      const account = requireOpened(state);
      const pending = transfersInFlight(account).includes(command.data.transferId);
      return pending ? [{ type: 'TransferSettled', data: command.data }] : [];
    }
    default:
      return assertNever(command);
  }
}

export function evolve(state: AccountState, event: AccountEvent): AccountState {
  switch (event.type) {
    case 'AccountOpened':
      return { status: 'ACTIVE', ...event.data, balance: 0, transfersInFlight: [] };
    case 'MoneyDeposited': {
      const account = requireOpened(state);
      return { ...account, balance: addMinor(account.balance, event.data.amount) };
    }
    case 'MoneyWithdrawn': {
      const account = requireOpened(state);
      return { ...account, balance: subtractMinor(account.balance, event.data.amount) };
    }
    case 'AccountFrozen':
      return { ...requireOpened(state), status: 'FROZEN' };
    case 'AccountUnfrozen':
      return { ...requireOpened(state), status: 'ACTIVE' };
    case 'AccountClosed':
      return { ...requireOpened(state), status: 'CLOSED' };
    case 'TransferDebited': {
      const account = requireOpened(state);
      return {
        ...account,
        balance: subtractMinor(account.balance, event.data.amount),
        transfersInFlight: [...transfersInFlight(account), event.data.transferId],
      };
    }
    case 'TransferCredited': {
      const account = requireOpened(state);
      return { ...account, balance: addMinor(account.balance, event.data.amount) };
    }
    case 'TransferRefunded': {
      const account = requireOpened(state);
      return {
        ...account,
        balance: addMinor(account.balance, event.data.amount),
        transfersInFlight: transfersInFlight(account).filter((id) => id !== event.data.transferId),
      };
    }
    case 'TransferSettled': {
      const account = requireOpened(state);
      return {
        ...account,
        transfersInFlight: transfersInFlight(account).filter((id) => id !== event.data.transferId),
      };
    }
    default:
      return assertNever(event);
  }
}

export const bankAccount: Decider<AccountCommand, AccountEvent, AccountState> = {
  decide,
  evolve,
  initialState: initialAccountState,
};

function requireOpened(state: AccountState): OpenAccountState {
  if (state.status === 'NONE') throw new DomainError('ACCOUNT_NOT_FOUND', 'account does not exist');
  return state;
}

function requireNotClosed(state: AccountState): OpenAccountState {
  const account = requireOpened(state);
  if (account.status === 'CLOSED') throw new DomainError('ACCOUNT_CLOSED', 'account is closed');
  return account;
}

/** Money can move only on an open account that is not frozen. */
function requireMovable(state: AccountState): OpenAccountState {
  const account = requireNotClosed(state);
  if (account.status === 'FROZEN') throw new DomainError('ACCOUNT_FROZEN', 'account is frozen');
  return account;
}

function requireCurrency(account: OpenAccountState, currency: OpenAccountState['currency']): void {
  if (account.currency !== currency) {
    throw new DomainError(
      'CURRENCY_MISMATCH',
      `account ${account.accountId} holds ${account.currency}, not ${currency}`,
    );
  }
}

function assertAmount(
  amount: Minor,
  currency: OpenAccountState['currency'],
  path: string,
  opts = { allowZero: false },
): void {
  const tooSmall = opts.allowZero ? amount < 0 : amount <= 0;
  if (!Number.isSafeInteger(amount) || tooSmall || amount > maxOperationMinor(currency)) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `must be ${opts.allowZero ? 'at least 0' : 'more than 0'} and at most 1000000000 ${currency}`,
      path,
    );
  }
}

/** Balance arithmetic beyond the exact range is refused, never rounded. */
function checked(compute: () => Minor): Minor {
  try {
    return compute();
  } catch (err) {
    if (err instanceof MoneyOverflowError) {
      throw new DomainError('VALIDATION_FAILED', 'the balance would exceed what an account can hold', 'body.amount');
    }
    throw err;
  }
}
