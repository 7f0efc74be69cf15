/**
 * A transfer step, run by the BankAccount actor it touches (see `decideTransferStep` in the
 * domain): the account's events and the transfer's own event are decided together and committed
 * in one log transaction, at the expected version of both streams. So of two attempts at a
 * step from the same state (a second activation, a retry, a stale Transfer actor), one commits
 * and the other finds the log moved, reads it and decides again: the debit happens once, and
 * only one of credit or refusal, and so of settle or refund, can ever commit.
 *
 * The transfer is read from its stream in the log, never taken from the caller; the answer is
 * where the transfer stands afterwards, whoever moved it there.
 */
import {
  decideTransferStep,
  decodeTransferEvent,
  DomainError,
  emptyTransferStream,
  encodeTransferEvent,
  foldTransferStream,
  initialTransferState,
  progressOf,
  transfer,
  transferStreamId,
  type TransferEvent,
  type TransferState,
  type TransferStep,
  type TransferStream,
} from '@bank/domain';
import { type TransferStepRequest, type TransferStepResult } from '@bank/contracts';
import type { EventLogClient } from '@bank/service-kit';
import { applyStored, appendWithRetry, toStored, type Aggregate } from './command-handler';
import { accountAggregate, catchUp, storedAccountEvents, type ExecuteDeps, type Snapshot } from './execute';

/** A transfer's own stream as the command handler's helpers see it (its fold is the transfer decider's). */
const transferAggregate: Aggregate<TransferState, TransferEvent> = {
  name: 'transfer',
  initialState: initialTransferState,
  evolve: transfer.evolve,
  encode: (event) => encodeTransferEvent(event),
  decode: decodeTransferEvent,
};

const MAX_CONFLICT_RETRIES = 5;

export async function executeTransferStep(
  deps: ExecuteDeps,
  accountId: string,
  initial: Snapshot,
  request: TransferStepRequest,
): Promise<{ result: TransferStepResult; snapshot: Snapshot }> {
  const streamId = transferStreamId(request.transferId);
  let snapshot = initial;
  // A debit starts the stream: assume it empty (its precondition says if it is not).
  let stream = request.step === 'debit' ? emptyTransferStream() : await readTransfer(deps.eventLog, streamId);
  const refuse = (code: TransferStepRefusal, message: string, path?: string) => ({
    result: { ok: false as const, error: { code, message, ...(path ? { path } : {}) } },
    snapshot,
  });

  for (let attempt = 0; ; attempt++) {
    let decision;
    try {
      decision = decideTransferStep(stepOf(accountId, request), accountId, snapshot.state, stream.state, deps.newId());
    } catch (err) {
      if (err instanceof DomainError) return refuse(err.code, err.message, err.path);
      throw err;
    }
    if (decision.transfer.length === 0) return answer(stream, snapshot); // already done: say where it is

    const accountEvents = storedAccountEvents(deps, accountId, snapshot, decision.account, request.correlationId);
    const transferEvents = toStored(
      transferAggregate,
      deps,
      streamId,
      stream,
      decision.transfer,
      request.correlationId,
    );
    const account = { streamId: accountId, expectedVersion: snapshot.version, events: accountEvents };
    const own = { streamId, expectedVersion: stream.version, events: transferEvents };
    const parts = accountEvents.length > 0 || decision.pinAccount ? [account, own] : [own];
    const appended = await appendWithRetry(deps, () => deps.eventLog.appendAll(parts), own);
    switch (appended.outcome) {
      case 'ok':
        snapshot = accountEvents.reduce(applyStored(accountAggregate), snapshot);
        return answer(foldTransferStream(stream, transferEvents), snapshot);
      case 'unavailable':
        return refuse('SERVICE_UNAVAILABLE', 'the event log did not answer; the step may be retried');
      case 'key-used':
        throw new Error('a transfer step carries no idempotency key');
      case 'conflict':
        if (attempt >= MAX_CONFLICT_RETRIES)
          return refuse('SERVICE_UNAVAILABLE', 'the transfer is changing too fast; retry');
        // Someone else moved the account or the transfer: read both and decide again.
        snapshot = await catchUp(deps.eventLog, accountId, snapshot);
        stream = await readTransfer(deps.eventLog, streamId);
    }
  }
}

type TransferStepRefusal = Extract<TransferStepResult, { ok: false }>['error']['code'];

function answer(stream: TransferStream, snapshot: Snapshot): { result: TransferStepResult; snapshot: Snapshot } {
  const transfer = progressOf(stream);
  if (!transfer) throw new Error('a transfer step left no transfer');
  return { result: { ok: true, transfer }, snapshot };
}

function stepOf(accountId: string, request: TransferStepRequest): TransferStep {
  if (request.step !== 'debit') return { step: request.step, transferId: request.transferId };
  return {
    step: 'debit',
    terms: {
      transferId: request.transferId,
      fromAccountId: accountId,
      toAccountId: request.toAccountId,
      amount: request.amountMinor,
      currency: request.currency,
      description: request.description,
    },
  };
}

/** A transfer's stream, read from the log and folded. */
export async function readTransfer(
  eventLog: Pick<EventLogClient, 'readAll'>,
  streamId: string,
): Promise<TransferStream> {
  return foldTransferStream(emptyTransferStream(), await eventLog.readAll(streamId, 1));
}
