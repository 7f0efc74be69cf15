/**
 * Publishes the log to Dapr pub/sub in log order. The cursor (last published ImmuDB
 * transaction) is durable in the Dapr state store and moves only after a publish succeeded,
 * so a crash between append and publish delays delivery but never loses it.
 *
 * What one read of the log returns goes out as one message (AccountEventsMessage), not one per
 * event, and the durable cursor is written at most every CURSOR_SAVE_MS: under load that is
 * one publish and a fraction of a state write per batch instead of one publish per event and
 * a write per batch. A restart republishes what the durable cursor had not yet recorded; the
 * projections skip events they have applied (docs/architecture.md, "Projections").
 *
 * The state store can be lost (a wiped Redis). So that a relay that starts without its cursor does
 * not publish the whole log again, a copy of the cursor is also kept in the log database itself
 * at most every CHECKPOINT_MS (one small ImmuDB transaction a minute while events flow, none when
 * idle): the relay starts from the later of the two. What it then republishes is at most that
 * minute; whatever pub/sub lost with the store, the projections apply from the log themselves.
 */
import { ACCOUNT_EVENTS_TOPIC, MAX_EVENTS_PER_MESSAGE, PUBSUB_NAME, type AccountEventsMessage } from '@bank/contracts';
import type { DaprSidecar, Logger } from '@bank/service-kit';
import type { EventStore } from './event-store';
import type { EventLogMetrics } from './metrics';
import { DEFAULT_DATABASE } from './log-database';

const STATE_STORE = 'statestore';
/** One cursor per log database: a cursor into one log means nothing in another. */
const cursorKeyOf = (database: string) =>
  database === DEFAULT_DATABASE ? 'event-source-relay-cursor' : `event-source-relay-cursor/${database}`;
const BATCH_TXS = 200;
const IDLE_POLL_MS = 500;
const CURSOR_SAVE_MS = 250;
const MAX_BACKOFF_MS = 5_000;

export class Relay {
  /** Last transaction published. */
  private cursor = 0;
  /** Last transaction recorded in the state store, and when. */
  private savedCursor = 0;
  private savedAt = 0;
  /** Last transaction recorded in the log's checkpoint, and when; the checkpoint's own transaction. */
  private checkpointed = 0;
  private checkpointTx = 0;
  private checkpointedAt = Date.now();
  /** Where this relay started publishing from. */
  private startedFrom = 0;
  private wake: (() => void) | undefined;
  private running = false;
  private stopped: Promise<void> | undefined;
  /** Highest log transaction known to exist, for lag reporting. */
  private headTx = 0;
  private readonly cursorKey: string;

  constructor(
    private readonly store: EventStore,
    private readonly sidecar: DaprSidecar,
    private readonly log: Logger,
    database: string,
    /** How often the cursor is also written to the log database (see the heading). */
    private readonly checkpointMs = 60_000,
    private readonly metrics?: EventLogMetrics,
  ) {
    this.cursorKey = cursorKeyOf(database);
  }

  async start(): Promise<void> {
    const saved = await this.sidecar.getState<{ tx: number }>(STATE_STORE, this.cursorKey);
    const checkpoint = await this.store.relayCheckpoint();
    this.cursor = Math.max(saved?.tx ?? 0, checkpoint);
    this.savedCursor = saved?.tx ?? 0;
    this.checkpointed = checkpoint;
    if (saved === undefined && checkpoint > 0) {
      this.log.warn(
        { checkpoint },
        'relay cursor missing from the state store: resuming from the checkpoint kept in the log',
      );
    }
    this.startedFrom = this.cursor;
    this.log.info({ cursor: this.cursor }, 'relay starting');
    this.running = true;
    this.stopped = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.stopped;
    await this.saveCursor(true).catch((err: unknown) => this.log.warn({ err }, 'relay cursor not saved at stop'));
  }

  /** Tells the relay that `tx` was just committed, so it publishes without waiting for the poll. */
  notify(tx: number): void {
    this.headTx = Math.max(this.headTx, tx);
    this.wake?.();
  }

  status(): { cursorTx: number; headTx: number; startedFromTx: number } {
    return { cursorTx: this.cursor, headTx: Math.max(this.headTx, this.cursor), startedFromTx: this.startedFrom };
  }

  private async loop(): Promise<void> {
    let backoff = 100;
    while (this.running) {
      try {
        const published = await this.publishBatch();
        backoff = 100;
        if (published === 0) await this.sleep(IDLE_POLL_MS);
      } catch (err) {
        this.log.warn({ err, cursor: this.cursor }, 'relay could not publish; retrying');
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** Publishes the next transactions after the cursor; returns how many it moved past. */
  private async publishBatch(): Promise<number> {
    const before = this.cursor;
    const { events, lastTx } = await this.store.readLog(before, BATCH_TXS);
    for (let i = 0; i < events.length; i += MAX_EVENTS_PER_MESSAGE) {
      const message: AccountEventsMessage = { events: events.slice(i, i + MAX_EVENTS_PER_MESSAGE) };
      await this.sidecar.publish(PUBSUB_NAME, ACCOUNT_EVENTS_TOPIC, message);
      this.metrics?.published(message.events.length);
    }
    this.cursor = lastTx;
    await this.saveCursor(false);
    return lastTx - before;
  }

  /** Records the cursor durably if it moved, unless it was recorded less than CURSOR_SAVE_MS ago (`force` aside). */
  private async saveCursor(force: boolean): Promise<void> {
    if (this.cursor === this.savedCursor) return;
    if (!force && Date.now() - this.savedAt < CURSOR_SAVE_MS) return; // the next loop turn saves it
    const tx = this.cursor;
    await this.sidecar.saveState(STATE_STORE, this.cursorKey, { tx });
    this.savedCursor = tx;
    this.savedAt = Date.now();
    // Not when all that is new is the last checkpoint itself: an idle log stays unwritten.
    const moved = tx !== this.checkpointed && tx !== this.checkpointTx;
    if (moved && (force || Date.now() - this.checkpointedAt >= this.checkpointMs)) {
      this.checkpointTx = await this.store.saveRelayCheckpoint(tx);
      this.checkpointed = tx;
      this.checkpointedAt = Date.now();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
