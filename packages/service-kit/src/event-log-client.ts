import { type StoredEvent } from '@bank/domain';
import {
  AppendResultSchema,
  AuditReadResultSchema,
  type AuditReadResult,
  BalanceAtResultSchema,
  type BalanceAtResult,
  EVENT_SOURCE_APP_ID,
  IdempotencyRecordSchema,
  ReadStreamResultSchema,
  ReadLogResultSchema,
  type ReadLogResult,
  type IdempotencyRecord,
  type AppendResult,
  type MultiAppendRequest,
  type ReadStreamResult,
} from '@bank/contracts';
import { SidecarError, type DaprSidecar } from './dapr';

/** The event-source app's API, reached through Dapr service invocation. */
export class EventLogClient {
  /** @param appId event-source's Dapr app id (the contract's, unless the launcher isolated this stack). */
  constructor(
    private readonly sidecar: DaprSidecar,
    private readonly appId: string = EVENT_SOURCE_APP_ID,
  ) {}

  /** Appends atomically if the stream is at `expectedVersion`; a conflict is a result, not an error. */
  async append(
    streamId: string,
    expectedVersion: number,
    events: StoredEvent[],
    idempotency?: { keyHash: string; record: IdempotencyRecord },
  ): Promise<AppendResult> {
    try {
      const body = await this.sidecar.invoke(this.appId, `streams/${streamId}/events`, 'POST', {
        expectedVersion,
        events,
        ...(idempotency ? { idempotency } : {}),
      });
      return AppendResultSchema.parse(body);
    } catch (err) {
      if (err instanceof SidecarError && err.status === 409) return AppendResultSchema.parse(err.body);
      throw err;
    }
  }

  /** Appends to several streams in one transaction, all or nothing (see MultiAppendRequestSchema). */
  async appendAll(streams: MultiAppendRequest['streams']): Promise<AppendResult> {
    try {
      return AppendResultSchema.parse(await this.sidecar.invoke(this.appId, 'appends', 'POST', { streams }));
    } catch (err) {
      if (err instanceof SidecarError && err.status === 409) return AppendResultSchema.parse(err.body);
      throw err;
    }
  }

  /** The record of a used Idempotency-Key (by its hash), or undefined if it is unused. */
  async idempotencyRecord(keyHash: string): Promise<IdempotencyRecord | undefined> {
    try {
      return IdempotencyRecordSchema.parse(await this.sidecar.invoke(this.appId, `idempotency/${keyHash}`, 'GET'));
    } catch (err) {
      if (err instanceof SidecarError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** The balance as of an instant, answered from the log; undefined if the account did not exist yet. */
  async balanceAt(streamId: string, timestamp: string): Promise<BalanceAtResult | undefined> {
    try {
      const q = `timestamp=${encodeURIComponent(timestamp)}`;
      return BalanceAtResultSchema.parse(
        await this.sidecar.invoke(this.appId, `streams/${streamId}/balance-at?${q}`, 'GET'),
      );
    } catch (err) {
      if (err instanceof SidecarError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** A page of a stream read from the log with its proofs checked; undefined if the stream has no event. */
  async audit(streamId: string, fromVersion: number, limit: number): Promise<AuditReadResult | undefined> {
    try {
      return AuditReadResultSchema.parse(
        await this.sidecar.invoke(
          this.appId,
          `streams/${streamId}/audit?fromVersion=${fromVersion}&limit=${limit}`,
          'GET',
        ),
      );
    } catch (err) {
      if (err instanceof SidecarError && err.status === 404) return undefined;
      throw err;
    }
  }

  /**
   * The global log in transaction order: the transactions after `afterTx`, at most `limit` of
   * them. A reader at the head may wait up to `waitMs` (≤ 10 000) for the next commit.
   */
  async readLog(afterTx: number, limit = 200, waitMs = 0): Promise<ReadLogResult> {
    const wait = waitMs > 0 ? `&waitMs=${waitMs}` : '';
    const body = await this.sidecar.invoke(this.appId, `log?afterTx=${afterTx}&limit=${limit}${wait}`, 'GET');
    return ReadLogResultSchema.parse(body);
  }

  async read(streamId: string, fromVersion = 1, limit = 1000): Promise<ReadStreamResult> {
    const body = await this.sidecar.invoke(
      this.appId,
      `streams/${streamId}/events?fromVersion=${fromVersion}&limit=${limit}`,
      'GET',
    );
    return ReadStreamResultSchema.parse(body);
  }

  /** Every event of a stream from `fromVersion` on, paging through long streams. */
  async readAll(streamId: string, fromVersion = 1): Promise<StoredEvent[]> {
    const all: StoredEvent[] = [];
    for (let from = fromVersion; ;) {
      const { events, streamVersion } = await this.read(streamId, from);
      all.push(...events);
      const last = events[events.length - 1];
      if (!last || last.version >= streamVersion) return all;
      from = last.version + 1;
    }
  }
}
