/**
 * The half of a command that is the same for every event-sourced aggregate (an account today):
 *   1. the expected version (If-Match) is checked against the stream's version;
 *   2. the aggregate's decider decides against the snapshot;
 *   3. the events, and the Idempotency-Key's record, are appended in one transaction at the
 *      expected version; only then does the snapshot move forward.
 * A version conflict (the log moved: a stale snapshot, a second activation) is resolved by
 * catching up from the log and deciding again. An append whose outcome is unknown is retried
 * with the same event ids, and looked for in the log before it is called failed.
 *
 * An Idempotency-Key that was used before answers with its stored result (or 422 if the request
 * differs). The append finds that out by itself (the key's record must be new), so the record is
 * looked up only before answering with a failure: a command on its way to success costs no extra
 * call to the log.
 *
 * What is the aggregate's own (its decider, how its events are stored, its guards and its
 * answer) comes in as an `Aggregate` and a `CommandSpec`: a new aggregate is a decider, a codec
 * and a few lines (see execute.ts for the account).
 */
import { DomainError, type ErrorCode, type EventMetadata, type StoredEvent } from '@bank/domain';
import { type AppendResult, type IdempotencyRecord } from '@bank/contracts';
import { SidecarError, type EventLogClient } from '@bank/service-kit';

/** An aggregate as the handler needs it: its fold, and how its events are stored in the log. */
export type Aggregate<State, Event> = {
  /** What callers call one (in messages: "the account is at version 3"). */
  name: string;
  initialState(): State;
  evolve(state: State, event: Event): State;
  /** An event as the log stores it, given the state it leads to (the account records its balance after). */
  encode(event: Event, after: State): Pick<StoredEvent, 'type' | 'schemaVersion' | 'data'>;
  /** A stored event read back (older schema versions upcast). */
  decode(stored: StoredEvent): Event;
};

/** The aggregate as of `version` events of its stream (the actor keeps it between calls). */
export type Snapshot<State> = { version: number; state: State };

export type HandlerDeps = {
  eventLog: EventLogClient;
  now: () => Date;
  newId: () => string;
  /** Waits between retries of an append whose outcome is unknown. */
  sleep: (ms: number) => Promise<void>;
  /** The W3C traceparent of the call being handled, recorded in its events' metadata. */
  traceparent?: () => string | undefined;
};

export type Refusal = { ok: false; error: { code: ErrorCode; message: string; path?: string } };
type Success = { ok: true; replayed?: boolean };

/** One command on one stream: what only the aggregate knows. */
export type CommandSpec<State, Event, Result extends Success> = {
  correlationId: string;
  /** The version the caller saw (If-Match); undefined: any. */
  expectedVersion?: number;
  idempotency?: { keyHash: string; requestHash: string };
  /** A refusal that comes before anything else, even the version check (e.g. someone else's account). */
  guard?: (snapshot: Snapshot<State>) => Refusal | undefined;
  /** The decider's answer for this command (a DomainError refuses it). */
  decide: (state: State) => Event[];
  /** The caller's answer once the events are in the log. */
  answer: (before: Snapshot<State>, stored: StoredEvent[], after: Snapshot<State>) => Result;
};

export type Handled<State, Result> = { result: Result | Refusal; snapshot: Snapshot<State> };

const MAX_CONFLICT_RETRIES = 3;
const APPEND_ATTEMPTS = 5;
/**
 * Total time an append may take, retries included. The command API waits longer than this for
 * the actor (ACTOR_CALL_TIMEOUT_MS), so an answer it gives up on is never still in progress.
 */
export const APPEND_BUDGET_MS = 20_000;

export async function handleCommand<State, Event, Result extends Success>(
  deps: HandlerDeps,
  aggregate: Aggregate<State, Event>,
  streamId: string,
  initial: Snapshot<State>,
  command: CommandSpec<State, Event, Result>,
): Promise<Handled<State, Result>> {
  let snapshot = initial;
  const refused = (code: ErrorCode, message: string, path?: string): Handled<State, Result> => ({
    result: { ok: false, error: { code, message, ...(path ? { path } : {}) } },
    snapshot,
  });
  /** A refusal, unless the key was used before: then the first answer, as it was given. */
  const refuse = async (refusal: Handled<State, Result>): Promise<Handled<State, Result>> => {
    const key = command.idempotency;
    const record = key && (await deps.eventLog.idempotencyRecord(key.keyHash));
    return record ? { result: replay<Result>(record, key.requestHash), snapshot: refusal.snapshot } : refusal;
  };
  const guarded = () => {
    const refusal = command.guard?.(snapshot);
    return refusal && { result: refusal, snapshot };
  };

  for (let attempt = 0; ; attempt++) {
    const early = guarded();
    if (early) return early;
    if (command.expectedVersion !== undefined && command.expectedVersion !== snapshot.version) {
      snapshot = await catchUp(aggregate, deps.eventLog, streamId, snapshot); // the snapshot may be the stale one
      const late = guarded();
      if (late) return late;
      if (command.expectedVersion !== snapshot.version) {
        return refuse(
          refused(
            'VERSION_CONFLICT',
            `${aggregate.name} is at version ${snapshot.version}, not ${command.expectedVersion}`,
          ),
        );
      }
    }

    let stored: StoredEvent[];
    try {
      stored = toStored(aggregate, deps, streamId, snapshot, command.decide(snapshot.state), command.correlationId);
    } catch (err) {
      if (err instanceof DomainError) return refuse(refused(err.code, err.message, err.path));
      throw err;
    }
    const next = stored.reduce(applyStored(aggregate), snapshot);
    const result = command.answer(snapshot, stored, next);
    const idempotency = command.idempotency && {
      keyHash: command.idempotency.keyHash,
      record: {
        requestHash: command.idempotency.requestHash,
        streamId,
        recordedAt: deps.now().toISOString(),
        result,
      },
    };
    if (stored.length === 0 && !idempotency) return { result, snapshot };

    const appended = await appendWithRetry(
      deps,
      () => deps.eventLog.append(streamId, snapshot.version, stored, idempotency),
      { streamId, events: stored },
    );
    switch (appended.outcome) {
      case 'ok':
        return { result, snapshot: next };
      case 'key-used':
        return { result: replay<Result>(appended.record, command.idempotency!.requestHash), snapshot };
      case 'unavailable':
        return refused('SERVICE_UNAVAILABLE', 'the event log did not answer; retry with the same Idempotency-Key');
      case 'conflict':
        if (attempt >= MAX_CONFLICT_RETRIES) {
          return refuse(refused('SERVICE_UNAVAILABLE', `the ${aggregate.name} is changing too fast; retry`));
        }
        snapshot = await catchUp(aggregate, deps.eventLog, streamId, snapshot);
    }
  }
}

function replay<Result extends Success>(record: IdempotencyRecord, requestHash: string): Result | Refusal {
  if (record.requestHash !== requestHash) {
    return {
      ok: false,
      error: { code: 'IDEMPOTENCY_KEY_REUSED', message: 'this Idempotency-Key was used with a different request' },
    };
  }
  return { ...(record.result as Result), replayed: true };
}

export const emptySnapshot = <State>(aggregate: Aggregate<State, unknown>): Snapshot<State> => ({
  version: 0,
  state: aggregate.initialState(),
});

/** Folds one stored event, which must be the stream's next. */
export function applyStored<State, Event>(
  aggregate: Aggregate<State, Event>,
): (snapshot: Snapshot<State>, event: StoredEvent) => Snapshot<State> {
  return (snapshot, event) => {
    if (event.version !== snapshot.version + 1) {
      throw new Error(`event ${event.eventId} has version ${event.version}; expected ${snapshot.version + 1}`);
    }
    return { version: event.version, state: aggregate.evolve(snapshot.state, aggregate.decode(event)) };
  };
}

/**
 * Folds events the snapshot has not seen yet; the log is the source of truth. A snapshot ahead
 * of the log (the log was restored from an older backup) is discarded and the stream replayed.
 */
export async function catchUp<State, Event>(
  aggregate: Aggregate<State, Event>,
  eventLog: Pick<EventLogClient, 'read' | 'readAll'>,
  streamId: string,
  snapshot: Snapshot<State>,
): Promise<Snapshot<State>> {
  const apply = applyStored(aggregate);
  const page = await eventLog.read(streamId, snapshot.version + 1);
  if (page.streamVersion < snapshot.version) {
    return (await eventLog.readAll(streamId, 1)).reduce(apply, emptySnapshot(aggregate));
  }
  const caught = page.events.reduce(apply, snapshot);
  if (caught.version >= page.streamVersion) return caught;
  return (await eventLog.readAll(streamId, caught.version + 1)).reduce(apply, caught);
}

/** Decided events as the log stores them: ids, versions after the snapshot's, metadata. */
export function toStored<State, Event>(
  aggregate: Aggregate<State, Event>,
  deps: Pick<HandlerDeps, 'now' | 'newId' | 'traceparent'>,
  streamId: string,
  snapshot: Snapshot<State>,
  events: Event[],
  correlationId: string,
): StoredEvent[] {
  const occurredAt = deps.now().toISOString();
  let state = snapshot.state;
  return events.map((event, i) => {
    state = aggregate.evolve(state, event);
    return {
      eventId: deps.newId(),
      streamId,
      version: snapshot.version + 1 + i,
      ...aggregate.encode(event, state),
      metadata: eventMetadata(deps, correlationId),
      occurredAt,
    };
  });
}

/** An event's metadata: the command's correlation id and the trace it was decided in. */
export function eventMetadata(deps: Pick<HandlerDeps, 'traceparent'>, correlationId: string): EventMetadata {
  const traceparent = deps.traceparent?.();
  return traceparent ? { correlationId, traceparent } : { correlationId };
}

export type Appended =
  { outcome: 'ok' | 'conflict' | 'unavailable' } | { outcome: 'key-used'; record: IdempotencyRecord };

/**
 * Runs an append, retrying while its outcome is unknown (the log or a sidecar did not answer).
 * `proof` is events of the append (by id) whose presence in the log shows it committed.
 */
export async function appendWithRetry(
  deps: Pick<HandlerDeps, 'eventLog' | 'sleep'>,
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
async function landed(deps: Pick<HandlerDeps, 'eventLog'>, streamId: string, events: StoredEvent[]): Promise<boolean> {
  const first = events[0];
  if (!first) return false;
  try {
    const { events: found } = await deps.eventLog.read(streamId, first.version, events.length);
    return found.length === events.length && found.every((e, i) => e.eventId === events[i]!.eventId);
  } catch {
    return false;
  }
}
