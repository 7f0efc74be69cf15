import type { StoredEvent } from '../envelope';
import { decodeTransferEvent } from './codec';
import { transfer } from './decider';
import { initialTransferState, type TransferPhase, type TransferState } from './state';
import type { TransferTerms } from './events';

/** A transfer as its own stream in the log says it is (money in minor units). */
export type TransferProgress = TransferTerms & {
  phase: TransferPhase;
  failureCode?: string;
  /** The version of the transfer's stream this was read at. */
  version: number;
  createdAt: string;
  completedAt?: string;
};

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
