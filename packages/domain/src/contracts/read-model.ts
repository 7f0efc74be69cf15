import type { Currency } from '../money';

/**
 * The documents of the MongoDB read model: written by projections, read by query-api.
 * Money fields are integer minor units (stored as BSON int64).
 */
export const READ_MODEL_COLLECTIONS = { accounts: 'accounts', transactions: 'transactions' } as const;

export type AccountDoc = {
  _id: string;
  accountId: string;
  ownerId: string;
  ownerName: string;
  type: 'CHECKING' | 'SAVINGS';
  currency: Currency;
  status: 'ACTIVE' | 'FROZEN' | 'CLOSED';
  balance: number;
  overdraftLimit: number;
  version: number;
  openedAt: string;
  updatedAt: string;
};

export type TransactionDoc = {
  _id: string;
  transactionId: string;
  accountId: string;
  type: 'DEPOSIT' | 'WITHDRAWAL';
  amount: number;
  currency: Currency;
  balanceAfter: number;
  description: string | null;
  occurredAt: string;
  version: number;
};
