import type { Currency, Minor } from '../money';

/** What a transfer is: set once, by its first event, and never changed. */
export type TransferTerms = {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  amount: Minor;
  currency: Currency;
  description: string | null;
};

/**
 * The events of a transfer's own stream (`transfer.{id}`). Each is committed in the same log
 * transaction as the account events of its step, with preconditions on both streams:
 *   TransferStarted           with the source's TransferDebited
 *   TransferCreditRecorded    with the destination's TransferCredited      } one and only one,
 *   TransferCreditRefused     with no account event (the refusal is kept)  } both at version 2
 *   TransferCompleted         with the source's TransferSettled
 *   TransferFailed            with the source's TransferRefunded
 */
export type TransferStarted = { type: 'TransferStarted'; data: TransferTerms };
export type TransferCreditRecorded = { type: 'TransferCreditRecorded'; data: { transactionId: string } };
export type TransferCreditRefused = { type: 'TransferCreditRefused'; data: { failureCode: string; reason: string } };
export type TransferCompleted = { type: 'TransferCompleted'; data: Record<string, never> };
export type TransferFailed = { type: 'TransferFailed'; data: { failureCode: string } };

export type TransferEvent =
  TransferStarted | TransferCreditRecorded | TransferCreditRefused | TransferCompleted | TransferFailed;
export type TransferEventType = TransferEvent['type'];
