import type { Currency, Minor } from '../money';
import type { AccountType } from './commands';

export const ACCOUNT_STATUSES = ['ACTIVE', 'FROZEN', 'CLOSED'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export type OpenAccountState = {
  status: AccountStatus;
  accountId: string;
  ownerId: string;
  ownerName: string;
  accountType: AccountType;
  currency: Currency;
  balance: Minor;
  overdraftLimit: Minor;
  /**
   * Transfers debited from this account and not yet settled or refunded. The account cannot be
   * closed while any is in flight, so a refund always has an open account to return to.
   * (Snapshots taken before transfers existed lack it: read it through `transfersInFlight()`.)
   */
  transfersInFlight?: string[];
};

/** An account is either not opened yet or open with its figures. */
export type AccountState = { status: 'NONE' } | OpenAccountState;

export const initialAccountState = (): AccountState => ({ status: 'NONE' });

export const transfersInFlight = (state: OpenAccountState): string[] => state.transfersInFlight ?? [];
