import type { TransferProgress, TransferStatus, TransferView } from '../contracts/transfer';
import { ERROR_STATUS, type ErrorCode } from '../errors';
import type { StoredEvent } from '../envelope';
import { decodeTransferEvent } from './codec';
import { transfer } from './decider';
import { initialTransferState, type TransferState } from './state';

/** A transfer's stream folded: its state, the version read, and when it started and ended. */
export type TransferStream = { version: number; state: TransferState; createdAt?: string; completedAt?: string };

export const emptyTransferStream = (): TransferStream => ({ version: 0, state: initialTransferState() });

/** Folds more of a transfer's stream (in version order) into what is known of it. */
export function foldTransferStream(known: TransferStream, events: StoredEvent[]): TransferStream {
  return events.reduce<TransferStream>((s, stored) => {
    if (stored.version !== s.version + 1) {
      throw new Error(`transfer event ${stored.eventId} has version ${stored.version}; expected ${s.version + 1}`);
    }
    const event = decodeTransferEvent(stored);
    const state = transfer.evolve(s.state, event);
    return {
      version: stored.version,
      state,
      createdAt: event.type === 'TransferStarted' ? stored.occurredAt : s.createdAt,
      completedAt:
        event.type === 'TransferCompleted' || event.type === 'TransferFailed' ? stored.occurredAt : s.completedAt,
    };
  }, known);
}

/** The transfer as callers see it; undefined when its stream is empty. */
export function progressOf(stream: TransferStream): TransferProgress | undefined {
  const { state } = stream;
  if (state.phase === 'NONE') return undefined;
  return {
    ...state.terms,
    phase: state.phase,
    ...(state.failureCode ? { failureCode: state.failureCode } : {}),
    version: stream.version,
    createdAt: stream.createdAt ?? '',
    ...(stream.completedAt ? { completedAt: stream.completedAt } : {}),
  };
}

/** Where a transfer stands for callers: PENDING until its stream ends it. */
export function transferStatusOf(progress: TransferProgress): TransferStatus {
  if (progress.phase === 'COMPLETED') return 'COMPLETED';
  if (progress.phase === 'FAILED') return 'FAILED';
  return 'PENDING';
}

/** A failed transfer's code as the contract names it (an unknown one reads as SERVICE_UNAVAILABLE). */
export function transferFailureCodeOf(code: string | undefined): ErrorCode {
  return code !== undefined && code in ERROR_STATUS ? (code as ErrorCode) : 'SERVICE_UNAVAILABLE';
}

/** The transfer as the contract shows it, from its own stream alone. */
export function transferViewOf(progress: TransferProgress): TransferView {
  const status = transferStatusOf(progress);
  return {
    transferId: progress.transferId,
    fromAccountId: progress.fromAccountId,
    toAccountId: progress.toAccountId,
    amount: progress.amount,
    currency: progress.currency,
    status,
    ...(status === 'FAILED' ? { failureCode: transferFailureCodeOf(progress.failureCode) } : {}),
    description: progress.description,
    createdAt: progress.createdAt,
    ...(progress.completedAt && status !== 'PENDING' ? { completedAt: progress.completedAt } : {}),
  };
}
