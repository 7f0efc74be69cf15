import type { Currency, Minor } from '../money';

export type AccountType = 'CHECKING' | 'SAVINGS';

/** What the caller asks for. Ids and the clock arrive on the command, never inside the decider. */
export type OpenAccount = {
  type: 'OpenAccount';
  data: {
    accountId: string;
    ownerId: string;
    ownerName: string;
    accountType: AccountType;
    currency: Currency;
    initialDeposit: Minor;
    overdraftLimit: Minor;
    /** Used for the deposit event when initialDeposit is non-zero. */
    initialTransactionId: string;
  };
};

export type DepositMoney = {
  type: 'DepositMoney';
  data: { transactionId: string; amount: Minor; description: string | null };
};

export type WithdrawMoney = {
  type: 'WithdrawMoney';
  data: { transactionId: string; amount: Minor; description: string | null };
};

export type FreezeAccount = { type: 'FreezeAccount'; data: { reason: string | null } };
export type UnfreezeAccount = { type: 'UnfreezeAccount'; data: Record<string, never> };
export type CloseAccount = { type: 'CloseAccount'; data: Record<string, never> };

export type AccountCommand =
  OpenAccount | DepositMoney | WithdrawMoney | FreezeAccount | UnfreezeAccount | CloseAccount;
