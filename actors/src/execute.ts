/**
 * What the BankAccount actor does with one command, without the Dapr plumbing: decide against
 * the snapshot, append the events with an expected-version check, and only then move the
 * snapshot forward. A version conflict (the log moved, e.g. a stale snapshot) is resolved by
 * catching up from the log and deciding again.
 */
import {
  ACCOUNT_EVENT_SCHEMA_VERSION,
  bankAccount,
  DomainError,
  toAccountEvent,
  type AccountActorRequest,
  type AccountActorResult,
  type AccountState,
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
};

const MAX_CONFLICT_RETRIES = 3;
const APPEND_ATTEMPTS = 5;

export const emptySnapshot = (): Snapshot => ({ version: 0, state: bankAccount.initialState() });

/** Folds events the snapshot has not seen yet; the log is the source of truth. */
export async function catchUp(eventLog: EventLogClient, accountId: string, snapshot: Snapshot): Promise<Snapshot> {
  const events = await eventLog.readAll(accountId, snapshot.version + 1);
  return events.reduce(applyStored, snapshot);
}

export async function execute(
  deps: ExecuteDeps,
  accountId: string,
  initial: Snapshot,
  request: AccountActorRequest,
): Promise<{ result: AccountActorResult; snapshot: Snapshot }> {
  let snapshot = initial;
  for (let attempt = 0; ; attempt++) {
    let stored: StoredEvent[];
    try {
      const command = toCommand(request, accountId, snapshot.state, deps.newId);
      const occurredAt = deps.now().toISOString();
      stored = bankAccount.decide(command, snapshot.state).map((event, i) => ({
        eventId: deps.newId(),
        streamId: accountId,
        version: snapshot.version + 1 + i,
        type: event.type,
        schemaVersion: ACCOUNT_EVENT_SCHEMA_VERSION,
        data: event.data,
        metadata: { correlationId: request.correlationId },
        occurredAt,
      }));
    } catch (err) {
      if (err instanceof DomainError) return { result: failure(err.code, err.message), snapshot };
      throw err;
    }

    const appended = await appendWithRetry(deps, accountId, snapshot.version, stored);
    if (appended === 'unavailable') {
      return {
        result: failure('SERVICE_UNAVAILABLE', 'the event log did not answer; the command may be retried'),
        snapshot,
      };
    }
    if (appended === 'conflict') {
      if (attempt >= MAX_CONFLICT_RETRIES)
        return { result: failure('SERVICE_UNAVAILABLE', 'the account is changing too fast; retry'), snapshot };
      snapshot = await catchUp(deps.eventLog, accountId, snapshot);
      continue;
    }

    const appendedViews: Extract<AccountActorResult, { ok: true }>['appended'] = [];
    for (const event of stored) {
      snapshot = applyStored(snapshot, event);
      const state = snapshot.state;
      appendedViews.push({
        type: event.type,
        version: event.version,
        occurredAt: event.occurredAt,
        data: event.data as Record<string, unknown>,
        balanceAfter: state.status === 'NONE' ? 0 : state.balance,
      });
    }
    const state = snapshot.state;
    if (state.status === 'NONE') throw new Error('an appended command left the account unopened');
    return { result: { ok: true, version: snapshot.version, account: state, appended: appendedViews }, snapshot };
  }
}

async function appendWithRetry(
  deps: ExecuteDeps,
  accountId: string,
  expectedVersion: number,
  events: StoredEvent[],
): Promise<'ok' | 'conflict' | 'unavailable'> {
  for (let attempt = 1; ; attempt++) {
    try {
      // Retrying with the same event ids is safe: the log treats it as the same append.
      const result = await deps.eventLog.append(accountId, expectedVersion, events);
      return result.ok ? 'ok' : 'conflict';
    } catch (err) {
      const transient = err instanceof SidecarError && (err.status === undefined || err.status >= 500);
      if (!transient || attempt >= APPEND_ATTEMPTS) return 'unavailable';
      await deps.sleep(100 * 2 ** attempt);
    }
  }
}

function applyStored(snapshot: Snapshot, event: StoredEvent): Snapshot {
  if (event.version !== snapshot.version + 1) {
    throw new Error(`event ${event.eventId} has version ${event.version}; expected ${snapshot.version + 1}`);
  }
  return { version: event.version, state: bankAccount.evolve(snapshot.state, toAccountEvent(event)) };
}

function failure(
  code: Extract<AccountActorResult, { ok: false }>['error']['code'],
  message: string,
): AccountActorResult {
  return { ok: false, error: { code, message } };
}
