/**
 * A transfer's read-model document as a pure fold over its own stream (`transfer.{id}`), like
 * the account's (account-projection.ts): given the document and the stream's next event, what
 * the document becomes. Its `version` is the stream version it has applied, so the projector
 * applies each event once and in order, exactly as for accounts.
 *
 *   TransferStarted                                  PENDING, with the terms
 *   TransferCreditRecorded, TransferCreditRefused    still PENDING (the outcome comes next)
 *   TransferCompleted                                COMPLETED
 *   TransferFailed                                   FAILED, with its failure code
 */
import { assertNever, decodeTransferEvent, type StoredEvent } from '@bank/domain';
import { type TransferDoc } from '@bank/contracts';

/** A transfer document as this projection writes it: always with the version it has applied. */
export type ProjectedTransfer = TransferDoc & { version: number };

/** Applies the next event (version = doc.version + 1) of the transfer's stream. */
export function projectTransfer(doc: ProjectedTransfer | undefined, stored: StoredEvent): ProjectedTransfer {
  const event = decodeTransferEvent(stored);
  if (event.type === 'TransferStarted') {
    const t = event.data;
    return {
      _id: t.transferId,
      transferId: t.transferId,
      fromAccountId: t.fromAccountId,
      toAccountId: t.toAccountId,
      amount: t.amount,
      currency: t.currency,
      status: 'PENDING',
      description: t.description,
      createdAt: stored.occurredAt,
      version: stored.version,
    };
  }
  if (!doc) throw new Error(`${stored.type} v${stored.version} for a transfer that never started`);
  const moved = { ...doc, version: stored.version };
  switch (event.type) {
    case 'TransferCreditRecorded':
    case 'TransferCreditRefused':
      return moved;
    case 'TransferCompleted':
      return { ...moved, status: 'COMPLETED', completedAt: stored.occurredAt };
    case 'TransferFailed':
      // New fields in name order, as an update appends them (read-model.ts): a document folded in
      // one go and one written event by event are the same, field for field.
      return { ...moved, status: 'FAILED', completedAt: stored.occurredAt, failureCode: event.data.failureCode };
    default:
      return assertNever(event);
  }
}
