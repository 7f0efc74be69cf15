/**
 * What the BankAccount actor does with one command, without the Dapr plumbing:
 *   1. If-Match is checked against the account's version;
 *   2. the decider decides against the snapshot;
 *   3. the events, and the key's record, are appended in one transaction with an expected
 *      version; only then does the snapshot move forward.
 * A version conflict (the log moved: a stale snapshot, a second activation) is resolved by
 * catching up from the log and deciding again.
 *
 * An Idempotency-Key that was used before answers with its stored result (or 422 if the
 * request differs). The append finds that out by itself (the key's record must be new), so
 * the record is looked up only before answering with a failure: a command on its way to
 * success costs no extra call to the log.
 */
import {
  bankAccount,
  DomainError,
  encodeAccountEvent,
  movementOf,
  toAccountEvent,
  type AccountActorRequest,
  type AccountActorResult,
  type AccountActorSuccess,
  type AccountEvent,
  type AccountState,
  type AppendResult,
  type EventMetadata,
  type IdempotencyRecord,
  type StoredEvent,
} from '@bank/domain';
import { SidecarError, type EventLogClient } from '@bank/service-kit';
import { toCommand } from './to-command';

/** The actor's persisted state: the account as of `version` events. */
export type Snapshot = { version: number; state: AccountState };

export type ExecuteDeps = {
  eventLog: EventLogClient;
  now: () => Date;
  newId: () => string;
  /** Waits between retries of an append whose outcome is unknown. */
  sleep: (ms: number) => Promise<void>;
  /** The W3C traceparent of the call being handled, recorded in its events' metadata. */
  traceparent?: () => string | undefined;
};

/** An event's metadata: the command's correlation id and the trace it was decided in. */
export function eventMetadata(deps: Pick<ExecuteDeps, 'traceparent'>, correlationId: string): EventMetadata {
  const traceparent = deps.traceparent?.();
  return traceparent ? { correlationId, traceparent } : { correlationId };
}

type Outcome = { result: AccountActorResult; snapshot: Snapshot };

const MAX_CONFLICT_RETRIES = 3;
const APPEND_ATTEMPTS = 5;
/**
 * Total time an append may take, retries included. The command API waits longer than this for
 * the actor (ACTOR_CALL_TIMEOUT_MS), so an answer it gives up on is never still in progress.
 */
export const APPEND_BUDGET_MS = 20_000;

export const emptySnapshot = (): Snapshot => ({ version: 0, state: bankAccount.initialState() });

/**
 * Folds events the snapshot has not seen yet; the log is the source of truth. A snapshot ahead
 * of the log (the log was restored from an older backup) is discarded and the account rebuilt.
 */
export async function catchUp(eventLog: EventLogClient, accountId: string, snapshot: Snapshot): Promise<Snapshot> {
  const page = await eventLog.read(accountId, snapshot.version + 1);
  if (page.streamVersion < snapshot.version) {
    return (await eventLog.readAll(accountId, 1)).reduce(applyStored, emptySnapshot());
  }
  const caught = page.events.reduce(applyStored, snapshot);
  if (caught.version >= page.streamVersion) return caught;
  return (await eventLog.readAll(accountId, caught.version + 1)).reduce(applyStored, caught);
}

export async function execute(
  deps: ExecuteDeps,
  accountId: string,
  initial: Snapshot,
  request: AccountActorRequest,
): Promise<Outcome> {
  let snapshot = initial;
  /** A refusal, unless the key was used before: then the first answer, as it was given. */
  const refuse = async (refusal: Outcome): Promise<Outcome> => {
    const key = request.idempotency;
    const record = key && (await deps.eventLog.idempotencyRecord(key.keyHash));
    return record ? { result: replay(record, key.requestHash), snapshot: refusal.snapshot } : refusal;
  };
  for (let attempt = 0; ; attempt++) {
    // Before anything that could tell a stranger about the account (its version, its rules).
    if (isSomeoneElses(request, snapshot)) {
      return fail(snapshot, 'ACCOUNT_NOT_FOUND', `account ${accountId} does not exist`);
    }
    if (request.expectedVersion !== undefined && request.expectedVersion !== snapshot.version) {
      snapshot = await catchUp(deps.eventLog, accountId, snapshot); // the snapshot may be the stale one
      if (isSomeoneElses(request, snapshot)) {
        return fail(snapshot, 'ACCOUNT_NOT_FOUND', `account ${accountId} does not exist`);
      }
      if (request.expectedVersion !== snapshot.version) {
        return refuse(
          fail(
            snapshot,
            'VERSION_CONFLICT',
            `account is at version ${snapshot.version}, not ${request.expectedVersion}`,
          ),
        );
      }
    }

    let stored: StoredEvent[];
    try {
      stored = decide(deps, accountId, snapshot, request);
    } catch (err) {
      if (err instanceof DomainError) return refuse(fail(snapshot, err.code, err.message, err.path));
      throw err;
    }
    const next = stored.reduce(applyStored, snapshot);
    const result = success(next, stored);
    const idempotency = request.idempotency && {
      keyHash: request.idempotency.keyHash,
      record: {
        requestHash: request.idempotency.requestHash,
        streamId: accountId,
        recordedAt: deps.now().toISOString(),
        result,
      },
    };
    if (stored.length === 0 && !idempotency) return { result, snapshot };

    const appended = await appendWithRetry(
      deps,
      () => deps.eventLog.append(accountId, snapshot.version, stored, idempotency),
      { streamId: accountId, events: stored },
    );
    switch (appended.outcome) {
      case 'ok':
        return { result, snapshot: next };
      case 'key-used':
        return { result: replay(appended.record, request.idempotency!.requestHash), snapshot };
      case 'unavailable':
        return fail(
          snapshot,
          'SERVICE_UNAVAILABLE',
          'the event log did not answer; retry with the same Idempotency-Key',
        );
      case 'conflict':
        if (attempt >= MAX_CONFLICT_RETRIES)
          return refuse(fail(snapshot, 'SERVICE_UNAVAILABLE', 'the account is changing too fast; retry'));
        snapshot = await catchUp(deps.eventLog, accountId, snapshot);
    }
  }
}

/** A customer's command (it names its owner) on an account that belongs to another owner. */
function isSomeoneElses(request: AccountActorRequest, snapshot: Snapshot): boolean {
  return (
    request.onlyOwner !== undefined &&
    request.type !== 'OpenAccount' &&
    snapshot.state.status !== 'NONE' &&
    snapshot.state.ownerId !== request.onlyOwner
  );
}

function decide(deps: ExecuteDeps, accountId: string, snapshot: Snapshot, request: AccountActorRequest): StoredEvent[] {
  const command = toCommand(request, accountId, snapshot.state, deps.newId);
  return storedAccountEvents(
    deps,
    accountId,
    snapshot,
    bankAccount.decide(command, snapshot.state),
    request.correlationId,
  );
}

/** Decided account events as the log stores them: ids, versions after the snapshot's, the balance after each. */
export function storedAccountEvents(
  deps: Pick<ExecuteDeps, 'now' | 'newId' | 'traceparent'>,
  accountId: string,
  snapshot: Snapshot,
  events: AccountEvent[],
  correlationId: string,
): StoredEvent[] {
  const occurredAt = deps.now().toISOString();
  let state = snapshot.state;
  return events.map((event, i) => {
    state = bankAccount.evolve(state, event);
    return {
      eventId: deps.newId(),
      streamId: accountId,
      version: snapshot.version + 1 + i,
      ...encodeAccountEvent(event, state.status === 'NONE' ? undefined : state.balance),
      metadata: eventMetadata(deps, correlationId),
      occurredAt,
    };
  });
}

/** The answer for the caller: the account after the command and what each event did. */
function success(after: Snapshot, stored: StoredEvent[]): AccountActorSuccess {
  const state = after.state;
  if (state.status === 'NONE') throw new Error('a successful command left the account unopened');
  let balance = state.balance;
  const appended = stored
    .map(toAccountEvent)
    .map((event, i) => ({ event, stored: stored[i]! }))
    .reverse()
    .map(({ event, stored: s }) => {
      const view = { type: s.type, version: s.version, occurredAt: s.occurredAt, balanceAfter: balance };
      const movement = movementOf(event);
      if (!movement) return view;
      balance -= movement.delta;
      return { ...view, transactionId: movement.transactionId, amount: movement.amount };
    })
    .reverse();
  return { ok: true, version: after.version, account: state, appended };
}

function replay(record: IdempotencyRecord, requestHash: string): AccountActorResult {
  if (record.requestHash !== requestHash) {
    return {
      ok: false,
      error: { code: 'IDEMPOTENCY_KEY_REUSED', message: 'this Idempotency-Key was used with a different request' },
    };
  }
  return { ...(record.result as AccountActorSuccess), replayed: true };
}

function fail(
  snapshot: Snapshot,
  code: Extract<AccountActorResult, { ok: false }>['error']['code'],
  message: string,
  path?: string,
): Outcome {
  return { result: { ok: false, error: { code, message, ...(path ? { path } : {}) } }, snapshot };
}

export type Appended =
  { outcome: 'ok' | 'conflict' | 'unavailable' } | { outcome: 'key-used'; record: IdempotencyRecord };

/**
 * Runs an append, retrying while its outcome is unknown (the log or a sidecar did not answer).
 * `proof` is events of the append (by id) whose presence in the log shows it committed.
 */
export async function appendWithRetry(
  deps: Pick<ExecuteDeps, 'eventLog' | 'sleep'>,
  append: () => Promise<AppendResult>,
  proof: { streamId: string; events: StoredEvent[] },
): Promise<Appended> {
  const deadline = Date.now() + APPEND_BUDGET_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      // Retrying with the same event ids is safe: the log treats it as the same append.
      const result = await append();
      if (result.ok) return { outcome: 'ok' };
      if (result.code === 'IDEMPOTENCY_KEY_EXISTS') return { outcome: 'key-used', record: result.record };
      return { outcome: 'conflict' };
    } catch (err) {
      if (!(err instanceof SidecarError)) throw err; // a bug, not an outage: let it be logged
      const transient = err.status === undefined || err.status >= 500;
      if (!transient || attempt >= APPEND_ATTEMPTS || Date.now() > deadline) {
        // The last attempt may have committed after all: look before saying it did not.
        return (await landed(deps, proof.streamId, proof.events)) ? { outcome: 'ok' } : { outcome: 'unavailable' };
      }
      await deps.sleep(100 * 2 ** attempt);
    }
  }
}

/** Whether these exact events (by id) are in the log; false when the log cannot be read either. */
async function landed(deps: Pick<ExecuteDeps, 'eventLog'>, streamId: string, events: StoredEvent[]): Promise<boolean> {
  const first = events[0];
  if (!first) return false;
  try {
    const { events: found } = await deps.eventLog.read(streamId, first.version, events.length);
    return found.length === events.length && found.every((e, i) => e.eventId === events[i]!.eventId);
  } catch {
    return false;
  }
}

export function applyStored(snapshot: Snapshot, event: StoredEvent): Snapshot {
  if (event.version !== snapshot.version + 1) {
    throw new Error(`event ${event.eventId} has version ${event.version}; expected ${snapshot.version + 1}`);
  }
  return { version: event.version, state: bankAccount.evolve(snapshot.state, toAccountEvent(event)) };
}
