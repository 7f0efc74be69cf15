import type { Currency, Minor } from '../money';
import type { AccountType } from './commands';

/** Current schema version of each account event type. */
export const ACCOUNT_EVENT_SCHEMA_VERSION = 1;

export type AccountOpened = {
  type: 'AccountOpened';
  data: {
    accountId: string;
    ownerId: string;
    ownerName: string;
    accountType: AccountType;
    currency: Currency;
    overdraftLimit: Minor;
  };
};

export type MoneyDeposited = {
  type: 'MoneyDeposited';
  data: { transactionId: string; amount: Minor; description: string | null };
};

export type MoneyWithdrawn = {
  type: 'MoneyWithdrawn';
  data: { transactionId: string; amount: Minor; description: string | null };
};

export type AccountEvent = AccountOpened | MoneyDeposited | MoneyWithdrawn;
export type AccountEventType = AccountEvent['type'];
