/**
 * The event log on ImmuDB's key-value store. One key per event:
 *   e/{streamId}/{version, 16 digits} -> the stored event as JSON
 * An append is one ImmuDB transaction (ExecAll) whose preconditions make it conditional on
 * the stream's version: the previous version must exist and none of the new ones may.
 * The transaction id is the event's position in the global log.
 */
import { StoredEventSchema, type AppendResult, type PublishedEvent, type StoredEvent } from '@bank/domain';
import { PreconditionFailed, type ImmuClient, type Precondition } from './immudb/client';

const EVENT_PREFIX = 'e/';
const PAGE = 500;

export const eventKey = (streamId: string, version: number) =>
  Buffer.from(`${EVENT_PREFIX}${streamId}/${String(version).padStart(16, '0')}`);
const streamPrefix = (streamId: string) => Buffer.from(`${EVENT_PREFIX}${streamId}/`);

export class EventStore {
  constructor(private readonly db: ImmuClient) {}

  /**
   * Appends `events` (versions expectedVersion+1 ...) atomically. A retry of an append that
   * already happened (same event ids) succeeds as a duplicate instead of failing: appends are
   * idempotent by event id.
   */
  async append(streamId: string, expectedVersion: number, events: StoredEvent[]): Promise<AppendResult> {
    events.forEach((e, i) => {
      if (e.streamId !== streamId || e.version !== expectedVersion + 1 + i) {
        throw new Error(
          `event ${e.eventId} has stream/version ${e.streamId}/${e.version}, expected ${streamId}/${expectedVersion + 1 + i}`,
        );
      }
    });
    const preconditions: Precondition[] = events.map((e) => ({
      keyMustNotExist: { key: eventKey(streamId, e.version) },
    }));
    if (expectedVersion > 0) preconditions.push({ keyMustExist: { key: eventKey(streamId, expectedVersion) } });
    const kvs = events.map((e) => ({ key: eventKey(streamId, e.version), value: Buffer.from(JSON.stringify(e)) }));
    try {
      const header = await this.db.execAll(kvs, preconditions);
      return { ok: true, version: expectedVersion + events.length, logTx: header.id, duplicate: false };
    } catch (err) {
      if (!(err instanceof PreconditionFailed)) throw err;
      return this.explainConflict(streamId, expectedVersion, events);
    }
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

  /** The global log, in order, from the transaction after `afterTx`. */
  async readLog(afterTx: number, limit: number): Promise<{ events: PublishedEvent[]; lastTx: number }> {
    const txs = await this.db.txScan(afterTx + 1, limit);
    const events: PublishedEvent[] = [];
    for (const tx of txs) {
      let index = 0;
      for (const entry of tx.kvEntries) {
        if (!entry.key.toString().startsWith(EVENT_PREFIX)) continue;
        events.push({ ...parseEvent(entry.value), logTx: tx.header.id, logIndex: index++ });
      }
    }
    return { events, lastTx: txs.length > 0 ? txs[txs.length - 1]!.header.id : afterTx };
  }

  private async explainConflict(
    streamId: string,
    expectedVersion: number,
    events: StoredEvent[],
  ): Promise<AppendResult> {
    const first = events[0]!;
    const { events: existing } = await this.read(streamId, first.version, events.length);
    if (existing.length === events.length && existing.every((e, i) => e.eventId === events[i]!.eventId)) {
      const version = expectedVersion + events.length;
      return { ok: true, version, logTx: await this.txOf(streamId, version), duplicate: true };
    }
    return { ok: false, code: 'VERSION_CONFLICT', currentVersion: await this.version(streamId) };
  }

  private async txOf(streamId: string, version: number): Promise<number> {
    const [entry] = await this.db.scan(streamPrefix(streamId), { seekKey: eventKey(streamId, version), limit: 1 });
    return entry?.tx ?? 0;
  }
}

function parseEvent(value: Buffer): StoredEvent {
  return StoredEventSchema.parse(JSON.parse(value.toString('utf8')));
}
