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

/** Money that left for a transfer: it sits in the transit account until credited or refunded. */
export type TransferDebited = {
  type: 'TransferDebited';
  data: {
    transferId: string;
    transactionId: string;
    toAccountId: string;
    amount: Minor;
    description: string | null;
  };
};
export type TransferCredited = {
  type: 'TransferCredited';
  data: {
    transferId: string;
    transactionId: string;
    fromAccountId: string;
    amount: Minor;
    description: string | null;
  };
};
/** The destination could not be credited: the money came back from transit. */
export type TransferRefunded = {
  type: 'TransferRefunded';
  data: { transferId: string; transactionId: string; toAccountId: string; amount: Minor; failureCode: string };
};
/** The destination was credited: the source no longer has this transfer in flight. No money moves. */
export type TransferSettled = { type: 'TransferSettled'; data: { transferId: string } };

export type AccountEvent =
  | AccountOpened
  | MoneyDeposited
  | MoneyWithdrawn
  | AccountFrozen
  | AccountUnfrozen
  | AccountClosed
  | TransferDebited
  | TransferCredited
  | TransferRefunded
  | TransferSettled;
export type AccountEventType = AccountEvent['type'];

/** What a money movement does to the balance (signed minor units); undefined for other events. */
export function movementOf(event: AccountEvent): { transactionId: string; amount: Minor; delta: Minor } | undefined {
  switch (event.type) {
    case 'MoneyDeposited':
    case 'TransferCredited':
    case 'TransferRefunded':
      return { transactionId: event.data.transactionId, amount: event.data.amount, delta: event.data.amount };
    case 'MoneyWithdrawn':
    case 'TransferDebited':
      return { transactionId: event.data.transactionId, amount: event.data.amount, delta: -event.data.amount };
    default:
      return undefined;
  }
}

/**
 * The double-entry postings of a money movement (signed minor units, summing to zero): what it
 * posts to the customer's account, to the external clearing account of its currency (the other
 * side of deposits and withdrawals) and to the transit account (the other side of transfers in
 * flight). Undefined for events that move no money.
 */
export function postingsOf(event: AccountEvent): { customer: Minor; clearing: Minor; transit: Minor } | undefined {
  const movement = movementOf(event);
  if (!movement) return undefined;
  const customer = movement.delta;
  const againstClearing = event.type === 'MoneyDeposited' || event.type === 'MoneyWithdrawn';
  return { customer, clearing: againstClearing ? -customer : 0, transit: againstClearing ? 0 : -customer };
}
