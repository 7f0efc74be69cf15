import type { Currency, Minor } from '../money';

export const ACCOUNT_TYPES = ['CHECKING', 'SAVINGS'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

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

/**
 * The steps of a transfer as they reach each account (the Transfer process sends them): the
 * source is debited into transit, the destination credited from it, and then the source either
 * learns the transfer settled or gets its money back.
 */
export type TransferLeg = {
  transferId: string;
  transactionId: string;
  counterpartyAccountId: string;
  amount: Minor;
  currency: Currency;
};
export type DebitTransfer = { type: 'DebitTransfer'; data: TransferLeg & { description: string | null } };
export type CreditTransfer = { type: 'CreditTransfer'; data: TransferLeg & { description: string | null } };
export type RefundTransfer = { type: 'RefundTransfer'; data: TransferLeg & { failureCode: string } };
export type SettleTransfer = { type: 'SettleTransfer'; data: { transferId: string } };

export type AccountCommand =
  | OpenAccount
  | DepositMoney
  | WithdrawMoney
  | FreezeAccount
  | UnfreezeAccount
  | CloseAccount
  | DebitTransfer
  | CreditTransfer
  | RefundTransfer
  | SettleTransfer;
