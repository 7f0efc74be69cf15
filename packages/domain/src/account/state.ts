import type { Currency, Minor } from '../money';
import type { AccountType } from './commands';

export type AccountStatus = 'ACTIVE' | 'FROZEN' | 'CLOSED';

export type OpenAccountState = {
  status: AccountStatus;
  accountId: string;
  ownerId: string;
  ownerName: string;
  accountType: AccountType;
  currency: Currency;
  balance: Minor;
  overdraftLimit: Minor;
};

/** An account is either not opened yet or open with its figures. */
export type AccountState = { status: 'NONE' } | OpenAccountState;

export const initialAccountState = (): AccountState => ({ status: 'NONE' });
