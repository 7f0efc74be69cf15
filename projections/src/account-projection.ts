/**
 * The account read model as a pure fold: given the current documents and the next event of
 * the account's stream, what the documents become. Storage and ordering live elsewhere.
 */
import {
  assertNever,
  movementOf,
  postingsOf,
  recordedBalanceAfter,
  toAccountEvent,
  type AccountEvent,
  type StoredEvent,
} from '@bank/domain';
import { type AccountDoc, monthAfter, monthOf, READ_MODEL_LAYOUT, type HistoryEntry } from '@bank/contracts';

/** What one money movement adds to its UTC day. */
export type DailyMovement = {
  accountId: string;
  date: string;
  /**
   * The first month (YYYY-MM) that may have no daily-balances document yet: the month after the
   * account's previous movement's, or its opening's month before its first movement.
   */
  firstQuietMonth: string;
  balanceBefore: number;
  balanceAfter: number;
  credit: number;
  debit: number;
  version: number;
};

export type Projected = {
  account: AccountDoc;
  /** A movement's line in the account's history. */
  entry?: HistoryEntry;
  daily?: DailyMovement;
};

/**
 * How far the account's recorded balance is from what its movements posted to it: zero while
 * they agree. The balance is the one each movement recorded (the actor's), the postings are the
 * movements' amounts, so a balance that went wrong in the actor shows here and in the trial balance.
 */
export function balanceDrift(account: AccountDoc): number {
  return account.balance + account.clearingPostings + account.transitPostings;
}

/** Applies the next event (version = account.version + 1) to the account's documents. */
export function project(account: AccountDoc | undefined, stored: StoredEvent): Projected {
  const event = toAccountEvent(stored);
  const at = stored.occurredAt;
  if (event.type === 'AccountOpened') {
    const d = event.data;
    return {
      account: {
        _id: d.accountId,
        layout: READ_MODEL_LAYOUT,
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
        clearingPostings: 0,
        transitPostings: 0,
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
    case 'TransferSettled':
      // The transfer's own document follows its own stream (transfer-projection.ts).
      return { account: moved };
    case 'MoneyDeposited':
    case 'MoneyWithdrawn':
    case 'TransferDebited':
    case 'TransferCredited':
    case 'TransferRefunded':
      return projectMovement(moved, account, stored, event);
    default:
      return assertNever(event);
  }
}

type MovementEvent = Extract<
  AccountEvent,
  { type: 'MoneyDeposited' | 'MoneyWithdrawn' | 'TransferDebited' | 'TransferCredited' | 'TransferRefunded' }
>;

/** A money movement: the balance, the summary totals, the books, history, the day. */
function projectMovement(moved: AccountDoc, before: AccountDoc, stored: StoredEvent, event: MovementEvent): Projected {
  const at = stored.occurredAt;
  const { transactionId, amount, delta } = movementOf(event)!;
  // The balance the account recorded, so the trial balance checks it against the postings.
  const balance = recordedBalanceAfter(stored) ?? before.balance + delta;
  const postings = postingsOf(event)!;
  const totals = {
    totalDeposits: before.totalDeposits,
    totalWithdrawals: before.totalWithdrawals,
    totalTransfersIn: before.totalTransfersIn,
    totalTransfersOut: before.totalTransfersOut,
    clearingPostings: before.clearingPostings + postings.clearing,
    transitPostings: before.transitPostings + postings.transit,
  };
  let counterparty: { transferId: string; counterpartyAccountId: string } | undefined;
  const type = TRANSACTION_TYPE[event.type];
  switch (event.type) {
    case 'MoneyDeposited':
      totals.totalDeposits += amount;
      break;
    case 'MoneyWithdrawn':
      totals.totalWithdrawals += amount;
      break;
    case 'TransferDebited':
      totals.totalTransfersOut += amount;
      counterparty = { transferId: event.data.transferId, counterpartyAccountId: event.data.toAccountId };
      break;
    case 'TransferCredited':
      totals.totalTransfersIn += amount;
      counterparty = { transferId: event.data.transferId, counterpartyAccountId: event.data.fromAccountId };
      break;
    case 'TransferRefunded':
      // Net of refunds, so deposits - withdrawals + transfers in - transfers out is the balance.
      totals.totalTransfersOut -= amount;
      counterparty = { transferId: event.data.transferId, counterpartyAccountId: event.data.toAccountId };
      break;
    default:
      return assertNever(event);
  }
  return {
    account: {
      ...moved,
      ...totals,
      balance,
      transactionCount: before.transactionCount + 1,
      firstTransactionAt: before.firstTransactionAt ?? at,
      lastTransactionAt: at,
    },
    entry: {
      seq: before.transactionCount + 1,
      transactionId,
      type,
      amount,
      balanceAfter: balance,
      description: 'description' in event.data ? event.data.description : null,
      occurredAt: at,
      version: stored.version,
      ...counterparty,
    },
    daily: {
      accountId: before.accountId,
      date: at.slice(0, 10),
      firstQuietMonth: before.lastTransactionAt
        ? monthAfter(monthOf(before.lastTransactionAt))
        : monthOf(before.openedAt),
      balanceBefore: before.balance,
      balanceAfter: balance,
      credit: delta > 0 ? amount : 0,
      debit: delta < 0 ? amount : 0,
      version: stored.version,
    },
  };
}

const TRANSACTION_TYPE: Record<MovementEvent['type'], HistoryEntry['type']> = {
  MoneyDeposited: 'DEPOSIT',
  MoneyWithdrawn: 'WITHDRAWAL',
  TransferDebited: 'TRANSFER_OUT',
  TransferCredited: 'TRANSFER_IN',
  TransferRefunded: 'TRANSFER_REFUND',
};
