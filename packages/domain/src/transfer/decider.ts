/**
 * The transfer as a pure workflow decider over its own events. It says what may happen next;
 * the log makes it stick (every event is appended at the stream's expected version, so of two
 * decisions taken from the same state, one commits and the other is refused).
 *
 * A command that asks for what already happened decides nothing (a retry is harmless); one
 * that contradicts what happened is refused.
 */
import { assertNever, type Decider } from '../decider';
import { DomainError } from '../errors';
import type { TransferCommand } from './commands';
import type { TransferEvent, TransferTerms } from './events';
import { initialTransferState, type StartedTransferState, type TransferState } from './state';

export function decide(command: TransferCommand, state: TransferState): TransferEvent[] {
  switch (command.type) {
    case 'StartTransfer': {
      if (state.phase === 'NONE') return [{ type: 'TransferStarted', data: command.data }];
      if (!sameTerms(state.terms, command.data)) {
        throw new DomainError(
          'TRANSFER_ALREADY_EXISTS',
          `transfer ${state.terms.transferId} exists with different details`,
        );
      }
      return [];
    }
    case 'RecordCredit': {
      const started = requireStarted(state);
      if (started.phase === 'DEBITED') return [{ type: 'TransferCreditRecorded', data: command.data }];
      if (started.phase === 'CREDITED' || started.phase === 'COMPLETED') return [];
      throw new DomainError('TRANSFER_ALREADY_EXISTS', 'the destination already refused this transfer');
    }
    case 'RecordCreditRefused': {
      const started = requireStarted(state);
      if (started.phase === 'DEBITED') return [{ type: 'TransferCreditRefused', data: command.data }];
      if (started.phase === 'CREDIT_REFUSED' || started.phase === 'FAILED') return [];
      throw new DomainError('TRANSFER_ALREADY_EXISTS', 'the destination already took this transfer');
    }
    case 'FinishTransfer': {
      const started = requireStarted(state);
      switch (started.phase) {
        case 'CREDITED':
          return [{ type: 'TransferCompleted', data: {} }];
        case 'CREDIT_REFUSED':
          return [{ type: 'TransferFailed', data: { failureCode: started.failureCode ?? 'SERVICE_UNAVAILABLE' } }];
        case 'COMPLETED':
        case 'FAILED':
          return [];
        case 'DEBITED':
          throw new DomainError('VERSION_CONFLICT', 'the destination has not answered yet');
        default:
          return assertNever(started.phase);
      }
    }
    default:
      return assertNever(command);
  }
}

export function evolve(state: TransferState, event: TransferEvent): TransferState {
  switch (event.type) {
    case 'TransferStarted':
      return { phase: 'DEBITED', terms: event.data };
    case 'TransferCreditRecorded':
      return { ...requireStarted(state), phase: 'CREDITED' };
    case 'TransferCreditRefused':
      return { ...requireStarted(state), phase: 'CREDIT_REFUSED', failureCode: event.data.failureCode };
    case 'TransferCompleted':
      return { ...requireStarted(state), phase: 'COMPLETED' };
    case 'TransferFailed':
      return { ...requireStarted(state), phase: 'FAILED', failureCode: event.data.failureCode };
    default:
      return assertNever(event);
  }
}

export const transfer: Decider<TransferCommand, TransferEvent, TransferState> = {
  decide,
  evolve,
  initialState: initialTransferState,
};

function requireStarted(state: TransferState): StartedTransferState {
  if (state.phase === 'NONE') throw new DomainError('TRANSFER_NOT_FOUND', 'no such transfer');
  return state;
}

function sameTerms(a: TransferTerms, b: TransferTerms): boolean {
  return (
    a.transferId === b.transferId &&
    a.fromAccountId === b.fromAccountId &&
    a.toAccountId === b.toAccountId &&
    a.amount === b.amount &&
    a.currency === b.currency &&
    a.description === b.description
  );
}
