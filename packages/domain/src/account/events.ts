import type { Currency, Minor } from '../money';
import type { AccountType } from './commands';

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

export type AccountFrozen = { type: 'AccountFrozen'; data: { reason: string | null } };
export type AccountUnfrozen = { type: 'AccountUnfrozen'; data: Record<string, never> };
export type AccountClosed = { type: 'AccountClosed'; data: Record<string, never> };

export type AccountEvent =
  AccountOpened | MoneyDeposited | MoneyWithdrawn | AccountFrozen | AccountUnfrozen | AccountClosed;
export type AccountEventType = AccountEvent['type'];
