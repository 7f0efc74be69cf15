/**
 * The event log on ImmuDB's key-value store. One key per event:
 *   e/{streamId}/{version, 16 digits} -> the stored event as JSON
 * An append is conditional on the stream's version: the previous version must exist and none
 * of the new ones may. Appends that arrive while a commit is in flight share the next ImmuDB
 * transaction (./group-commit.ts), each with its own preconditions, all or nothing.
 * An Idempotency-Key's record is written in the same transaction, under
 *   i/{sha256 of the key} -> { requestHash, result, ... }
 * with a precondition that the key is new, so a key is consumed exactly when its effect happens.
 * The transaction id (and the event's index in it) is its position in the global log.
 */
import {
  bankAccount,
  recordedBalanceAfter,
  toAccountEvent,
  StoredEventSchema,
  type PublishedEvent,
  type StoredEvent,
} from '@bank/domain';
import { IdempotencyRecordSchema, type AppendResult, type IdempotencyRecord } from '@bank/contracts';
import { GroupCommit, type GroupLimits } from './group-commit';
import { PreconditionFailed, type ImmuClient, type KV, type Precondition } from './immudb/client';
import type { EventLogMetrics } from './metrics';

const EVENT_PREFIX = 'e/';
const IDEMPOTENCY_PREFIX = 'i/';
/** The relay's checkpoint: a copy of its cursor kept in the log itself (see relay.ts). */
const RELAY_CHECKPOINT_KEY = Buffer.from('r/relay-checkpoint');
const PAGE = 500;
/**
 * Transactions per TxScan of the global log: at most 1 000 entries each (group commit's bound),
 * so one scan stays within the client's 64 MiB message limit.
 */
const LOG_SCAN_CHUNK_TXS = 16;

/** Whole transactions are added to a log page until it holds this many events. */
const MAX_LOG_PAGE_EVENTS = 2000;

export const eventKey = (streamId: string, version: number) =>
  Buffer.from(`${EVENT_PREFIX}${streamId}/${String(version).padStart(16, '0')}`);
export const streamPrefix = (streamId: string) => Buffer.from(`${EVENT_PREFIX}${streamId}/`);
const idempotencyKey = (keyHash: string) => Buffer.from(`${IDEMPOTENCY_PREFIX}${keyHash}`);

export type IdempotencyWrite = { keyHash: string; record: IdempotencyRecord };
export type StreamAppend = { streamId: string; expectedVersion: number; events: StoredEvent[] };

async function everyAsync<T>(items: T[], test: (item: T) => Promise<boolean>): Promise<boolean> {
  for (const item of items) if (!(await test(item))) return false;
  return true;
}

export class EventStore {
  private readonly writer: GroupCommit;

  constructor(
    private readonly db: ImmuClient,
    groupLimits?: GroupLimits,
    private readonly metrics?: EventLogMetrics,
  ) {
    this.writer = new GroupCommit((kvs, preconditions) => db.set(kvs, preconditions), groupLimits, metrics?.commit);
  }

  /** How the appends of this process were grouped into transactions. */
  commitStats() {
    return this.writer.stats();
  }

  /**
   * Appends `events` (versions expectedVersion+1 ...) atomically. A retry of an append that
   * already happened (same event ids) succeeds as a duplicate instead of failing: appends are
   * idempotent by event id. With `idempotency`, the key's record is written atomically too.
   */
  append(
    streamId: string,
    expectedVersion: number,
    events: StoredEvent[],
    idempotency?: IdempotencyWrite,
  ): Promise<AppendResult> {
    return this.appendAll([{ streamId, expectedVersion, events }], idempotency);
  }

  /**
   * Appends to several streams in one transaction, all or nothing, each at its expected
   * version (a transfer step: the account's events and the transfer's own). A stream given with
   * no events is pinned: the transaction commits only if that stream is still at its expected
   * version. The answer's `version` is the first stream's.
   */
  async appendAll(parts: StreamAppend[], idempotency?: IdempotencyWrite): Promise<AppendResult> {
    if (!this.metrics) return this.conditionalAppend(parts, idempotency);
    try {
      const result = await this.conditionalAppend(parts, idempotency);
      this.metrics.append(result);
      return result;
    } catch (err) {
      this.metrics.append('error');
      throw err;
    }
  }

  private async conditionalAppend(parts: StreamAppend[], idempotency?: IdempotencyWrite): Promise<AppendResult> {
    const kvs: KV[] = [];
    const preconditions: Precondition[] = [];
    const exclusive: string[] = [];
    for (const { streamId, expectedVersion, events } of parts) {
      events.forEach((e, i) => {
        if (e.streamId !== streamId || e.version !== expectedVersion + 1 + i) {
          throw new Error(
            `event ${e.eventId} has stream/version ${e.streamId}/${e.version}, expected ${streamId}/${expectedVersion + 1 + i}`,
          );
        }
      });
      if (exclusive.includes(`stream:${streamId}`)) throw new Error(`stream ${streamId} appears twice in one append`);
      exclusive.push(`stream:${streamId}`);
      for (const e of events) {
        kvs.push({ key: eventKey(streamId, e.version), value: Buffer.from(JSON.stringify(e)) });
        preconditions.push({ keyMustNotExist: { key: eventKey(streamId, e.version) } });
      }
      if (expectedVersion > 0) preconditions.push({ keyMustExist: { key: eventKey(streamId, expectedVersion) } });
      // A stream with no events here (a keyed command that changed nothing, a refused credit)
      // still pins the version its decision was taken at.
      if (events.length === 0)
        preconditions.push({ keyMustNotExist: { key: eventKey(streamId, expectedVersion + 1) } });
    }
    if (idempotency) {
      const key = idempotencyKey(idempotency.keyHash);
      kvs.push({ key, value: Buffer.from(JSON.stringify(idempotency.record)) });
      preconditions.push({ keyMustNotExist: { key } });
      exclusive.push(`key:${idempotency.keyHash}`);
    }
    // ImmuDB refuses an empty transaction; in a group it would pass unnoticed, so refuse it here.
    if (kvs.length === 0) throw new Error('an append writes at least one event or an idempotency record');
    const first = parts[0]!;
    try {
      const header = await this.writer.submit({ kvs, preconditions, exclusive });
      return { ok: true, version: first.expectedVersion + first.events.length, logTx: header.id, duplicate: false };
    } catch (err) {
      if (!(err instanceof PreconditionFailed)) throw err;
      return this.explainConflict(parts, idempotency?.keyHash);
    }
  }

  /** The record an Idempotency-Key left, if it was used. */
  async idempotencyRecord(keyHash: string): Promise<IdempotencyRecord | undefined> {
    const [entry] = await this.db.scan(idempotencyKey(keyHash), { limit: 1 });
    if (!entry || entry.key.toString() !== idempotencyKey(keyHash).toString()) return undefined;
    return IdempotencyRecordSchema.parse(JSON.parse(entry.value.toString('utf8')));
  }

  /** Events of one stream from `fromVersion` (inclusive), oldest first. */
  async read(
    streamId: string,
    fromVersion = 1,
    limit = 1000,
  ): Promise<{ events: StoredEvent[]; streamVersion: number }> {
    const events: StoredEvent[] = [];
    let seek = eventKey(streamId, Math.max(1, fromVersion));
    while (events.length < limit) {
      const page = await this.db.scan(streamPrefix(streamId), {
        seekKey: seek,
        limit: Math.min(PAGE, limit - events.length),
      });
      events.push(...page.map((entry) => parseEvent(entry.value)));
      if (page.length < PAGE) break;
      seek = eventKey(streamId, events[events.length - 1]!.version + 1);
    }
    const streamVersion =
      events.length > 0 && events.length < limit ? events[events.length - 1]!.version : await this.version(streamId);
    return { events, streamVersion };
  }

  /** The version of the last event of a stream, 0 when it has none. */
  async version(streamId: string): Promise<number> {
    const [last] = await this.db.scan(streamPrefix(streamId), { limit: 1, desc: true });
    return last ? parseEvent(last.value).version : 0;
  }

  /**
   * The balance of an account as of an instant, from the log: the last event at or before `at`
   * is found by binary search over versions (O(log n) point reads), and its balance is the one
   * the nearest money movement recorded (events from v3 on carry it). Streams written before v3
   * fall back to replaying from the first event.
   */
  async balanceAt(
    streamId: string,
    at: string,
  ): Promise<{ version: number; balance: number; currency: string } | undefined> {
    const head = await this.version(streamId);
    const opened = head > 0 ? await this.eventAt(streamId, 1) : undefined;
    if (!opened || opened.occurredAt > at) return undefined;
    const currency = String((opened.data as { currency?: unknown }).currency);
    let lo = 1;
    let hi = head;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if ((await this.eventAt(streamId, mid)).occurredAt <= at) lo = mid;
      else hi = mid - 1;
    }
    const recent = await this.db.scan(streamPrefix(streamId), {
      seekKey: eventKey(streamId, lo),
      limit: 50,
      desc: true,
    });
    for (const entry of recent) {
      const event = parseEvent(entry.value);
      if (event.type === 'AccountOpened') return { version: lo, balance: 0, currency };
      const recorded = recordedBalanceAfter(event);
      if (recorded !== undefined) return { version: lo, balance: recorded, currency };
      if (event.type === 'MoneyDeposited' || event.type === 'MoneyWithdrawn') break; // an old event: replay
    }
    const { events } = await this.read(streamId, 1, lo);
    const state = events.reduce((s, e) => bankAccount.evolve(s, toAccountEvent(e)), bankAccount.initialState());
    return { version: lo, balance: state.status === 'NONE' ? 0 : state.balance, currency };
  }

  private async eventAt(streamId: string, version: number): Promise<StoredEvent> {
    const [entry] = await this.db.scan(streamPrefix(streamId), { seekKey: eventKey(streamId, version), limit: 1 });
    const event = entry ? parseEvent(entry.value) : undefined;
    if (!event || event.version !== version) throw new Error(`${streamId} has no event at version ${version}`);
    return event;
  }

  /**
   * The global log, in order, from the transaction after `afterTx`: at most `limit`
   * transactions, and no more whole transactions once `maxEvents` events are in the page (a
   * group-committed transaction holds many appends; a page must stay small enough for one
   * service-invocation response).
   */
  async readLog(
    afterTx: number,
    limit: number,
    maxEvents = MAX_LOG_PAGE_EVENTS,
  ): Promise<{ events: PublishedEvent[]; lastTx: number }> {
    const events: PublishedEvent[] = [];
    let lastTx = afterTx;
    // In chunks: `limit` transactions of a busy log (group commits of up to 1 000 entries) can
    // be far more than one gRPC message may carry, and a page that cannot be read stops the relay.
    for (let scanned = 0; scanned < limit && events.length < maxEvents;) {
      const want = Math.min(LOG_SCAN_CHUNK_TXS, limit - scanned);
      const txs = await this.db.txScan(lastTx + 1, want);
      for (const tx of txs) {
        if (events.length >= maxEvents) break;
        let index = 0;
        for (const entry of tx.kvEntries) {
          if (!entry.key.toString().startsWith(EVENT_PREFIX)) continue;
          events.push({ ...parseEvent(entry.value), logTx: tx.header.id, logIndex: index++ });
        }
        lastTx = tx.header.id;
      }
      scanned += txs.length;
      if (txs.length < want) break; // the head
    }
    return { events, lastTx };
  }

  /** The last relay checkpoint written (0 when none). */
  async relayCheckpoint(): Promise<number> {
    const [entry] = await this.db.scan(RELAY_CHECKPOINT_KEY, { limit: 1 });
    if (!entry || !entry.key.equals(RELAY_CHECKPOINT_KEY)) return 0;
    const tx = (JSON.parse(entry.value.toString('utf8')) as { tx?: unknown }).tx;
    return typeof tx === 'number' && Number.isSafeInteger(tx) && tx >= 0 ? tx : 0;
  }

  /** Records that every event up to transaction `tx` was published; returns the record's own transaction. */
  async saveRelayCheckpoint(tx: number): Promise<number> {
    const header = await this.writer.submit({
      kvs: [{ key: RELAY_CHECKPOINT_KEY, value: Buffer.from(JSON.stringify({ tx })) }],
      preconditions: [],
      exclusive: ['relay-checkpoint'],
    });
    return header.id;
  }

  /** The log's last committed transaction (0 for an empty database). */
  async headTx(): Promise<number> {
    return (await this.db.currentState()).txId;
  }

  /** Why an append's preconditions failed: a retry of itself, a used key, or a moved stream. */
  private async explainConflict(parts: StreamAppend[], keyHash: string | undefined): Promise<AppendResult> {
    const written = parts.filter((p) => p.events.length > 0);
    if (written.length > 0 && (await everyAsync(written, (p) => this.holds(p)))) {
      const first = parts[0]!;
      const version = first.expectedVersion + first.events.length;
      return {
        ok: true,
        version,
        logTx: await this.txOf(written[0]!.streamId, written[0]!.events[0]!.version),
        duplicate: true,
      };
    }
    const record = keyHash ? await this.idempotencyRecord(keyHash) : undefined;
    if (record) return { ok: false, code: 'IDEMPOTENCY_KEY_EXISTS', record };
    for (const part of parts) {
      const currentVersion = await this.version(part.streamId);
      if (currentVersion !== part.expectedVersion) {
        return {
          ok: false,
          code: 'VERSION_CONFLICT',
          currentVersion,
          ...(parts.length > 1 ? { streamId: part.streamId } : {}),
        };
      }
    }
    // Every stream is where it was expected: a concurrent writer moved one and failed since, or
    // the events' ids differ from a retry's. Either way the caller reads and decides again.
    const first = parts[0]!;
    return { ok: false, code: 'VERSION_CONFLICT', currentVersion: await this.version(first.streamId) };
  }

  /** Whether these exact events (same ids) are in their stream. */
  private async holds(part: StreamAppend): Promise<boolean> {
    const { events: existing } = await this.read(part.streamId, part.events[0]!.version, part.events.length);
    return existing.length === part.events.length && existing.every((e, i) => e.eventId === part.events[i]!.eventId);
  }

  private async txOf(streamId: string, version: number): Promise<number> {
    const [entry] = await this.db.scan(streamPrefix(streamId), { seekKey: eventKey(streamId, version), limit: 1 });
    return entry?.tx ?? 0;
  }
}

function parseEvent(value: Buffer): StoredEvent {
  return StoredEventSchema.parse(JSON.parse(value.toString('utf8')));
}
