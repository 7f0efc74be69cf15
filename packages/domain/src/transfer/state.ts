import type { TransferTerms } from './events';

/**
 * Where a transfer stands, from its own stream:
 *   DEBITED         the money left the source and sits in transit
 *   CREDITED        the destination has it; the source is still to learn that (settle)
 *   CREDIT_REFUSED  the destination refused it; the source is still to get it back (refund)
 *   COMPLETED, FAILED  the end (FAILED: refunded)
 */
export type TransferPhase = 'DEBITED' | 'CREDITED' | 'CREDIT_REFUSED' | 'COMPLETED' | 'FAILED';

export type StartedTransferState = { phase: TransferPhase; terms: TransferTerms; failureCode?: string };
export type TransferState = { phase: 'NONE' } | StartedTransferState;

export const initialTransferState = (): TransferState => ({ phase: 'NONE' });
