/**
 * The account read model as a pure fold: given the current documents and the next event of
 * the account's stream, what the documents become. Storage and ordering live elsewhere.
 */
import { assertNever, toAccountEvent, type AccountDoc, type StoredEvent, type TransactionDoc } from '@bank/domain';

/** What one money movement adds to its UTC day. */
export type DailyMovement = {
  accountId: string;
  date: string;
  balanceBefore: number;
  balanceAfter: number;
  credit: number;
  debit: number;
  version: number;
};

/** Applies the next event (version = account.version + 1) to the account's documents. */
export function project(
  account: AccountDoc | undefined,
  stored: StoredEvent,
): { account: AccountDoc; transaction?: TransactionDoc; daily?: DailyMovement } {
  const event = toAccountEvent(stored);
  const at = stored.occurredAt;
  if (event.type === 'AccountOpened') {
    const d = event.data;
    return {
      account: {
        _id: d.accountId,
        accountId: d.accountId,
        ownerId: d.ownerId,
        ownerName: d.ownerName,
        type: d.accountType,
        currency: d.currency,
        status: 'ACTIVE',
        balance: 0,
        overdraftLimit: d.overdraftLimit,
        version: stored.version,
        openedAt: at,
        updatedAt: at,
        totalDeposits: 0,
        totalWithdrawals: 0,
        totalTransfersIn: 0,
        totalTransfersOut: 0,
        transactionCount: 0,
        firstTransactionAt: null,
        lastTransactionAt: null,
      },
    };
  }
  if (!account) throw new Error(`${stored.type} v${stored.version} for an account that was never opened`);
  const moved = { ...account, version: stored.version, updatedAt: at };
  switch (event.type) {
    case 'AccountFrozen':
      return { account: { ...moved, status: 'FROZEN' } };
    case 'AccountUnfrozen':
      return { account: { ...moved, status: 'ACTIVE' } };
    case 'AccountClosed':
      return { account: { ...moved, status: 'CLOSED' } };
    case 'MoneyDeposited':
    case 'MoneyWithdrawn': {
      const deposit = event.type === 'MoneyDeposited';
      const amount = event.data.amount;
      const balance = account.balance + (deposit ? amount : -amount);
      return {
        account: {
          ...moved,
          balance,
          totalDeposits: account.totalDeposits + (deposit ? amount : 0),
          totalWithdrawals: account.totalWithdrawals + (deposit ? 0 : amount),
          transactionCount: account.transactionCount + 1,
          firstTransactionAt: account.firstTransactionAt ?? at,
          lastTransactionAt: at,
        },
        transaction: {
          _id: event.data.transactionId,
          transactionId: event.data.transactionId,
          accountId: account.accountId,
          type: event.type === 'MoneyDeposited' ? 'DEPOSIT' : 'WITHDRAWAL',
          amount: event.data.amount,
          currency: account.currency,
          balanceAfter: balance,
          description: event.data.description,
          occurredAt: at,
          version: stored.version,
        },
        daily: {
          accountId: account.accountId,
          date: at.slice(0, 10),
          balanceBefore: account.balance,
          balanceAfter: balance,
          credit: deposit ? amount : 0,
          debit: deposit ? 0 : amount,
          version: stored.version,
        },
      };
    }
    default:
      return assertNever(event);
  }
}
