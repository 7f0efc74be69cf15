/**
 * The tail of the global log, shared by every live-stream connection of this process: one
 * reader follows the log's head through event-source (a long poll that answers as soon as a
 * transaction commits) and keeps the latest events in a bounded buffer. A connection reads the
 * events after its own position: from the buffer when it is that recent, else straight from the
 * log, page by page, until it has caught up. A connection therefore holds no queue of its own;
 * one that resumes from long ago costs log reads, not memory.
 *
 * Positions are the events' global log positions (logPosition in @bank/domain); "after p" means
 * every event whose position is greater than p, in log order, none skipped, none repeated.
 */
import { LOG_POSITION_FACTOR, logPosition, logTxOf, type PublishedEvent } from '@bank/domain';
import { type ReadLogResult } from '@bank/contracts';
import type { Logger } from '@bank/service-kit';

export type LogReader = (afterTx: number, limit: number, waitMs: number) => Promise<ReadLogResult>;

/** The position just after every event of transaction `tx`. */
export const endOfTx = (tx: number): number => tx * LOG_POSITION_FACTOR + (LOG_POSITION_FACTOR - 1);

export type TailOptions = {
  /** Events kept in memory for connections that are nearly up to date. */
  capacity: number;
  /** How long one read at the head waits for a commit (event-source allows up to 10 000 ms). */
  waitMs: number;
  /** Transactions per read. */
  pageTxs: number;
};
export const DEFAULT_TAIL_OPTIONS: TailOptions = { capacity: 10_000, waitMs: 9_000, pageTxs: 200 };

/** What a connection gets: the events after its position (possibly none), and its new position. */
export type Batch = { events: PublishedEvent[]; after: number };

export class LogTail {
  private readonly opts: TailOptions;
  /** The latest events, in log order. */
  private buffer: PublishedEvent[] = [];
  /** The buffer holds every event after this position, up to the end of `readTx`. */
  private coveredAfter = 0;
  /** Every transaction up to this one has been read (undefined until the first read). */
  private readTx: number | undefined;
  private following: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private users = 0;
  private readonly waiters = new Set<() => void>();
  private failing = false;

  constructor(
    private readonly read: LogReader,
    private readonly log: Logger,
    opts: Partial<TailOptions> = {},
  ) {
    this.opts = { ...DEFAULT_TAIL_OPTIONS, ...opts };
  }

  /**
   * A connection starts using the tail: follows the log from its current head if nobody was.
   * Resolves with the head position (after every event committed so far); rejects when the log
   * cannot be reached. Call `release()` when the connection ends.
   */
  async acquire(): Promise<number> {
    this.users++;
    try {
      if (this.readTx === undefined) await (this.starting ??= this.start());
      return endOfTx(this.readTx!);
    } catch (err) {
      this.release();
      throw err;
    }
  }

  release(): void {
    this.users = Math.max(0, this.users - 1);
  }

  /** Connections using the tail now. */
  get connections(): number {
    return this.users;
  }

  /**
   * The events after position `after` (those of the log, whatever a reader is allowed to see),
   * waiting for the next commit when there are none yet. Resolves with no events when `signal`
   * aborts. Rejects when the log cannot be read for a position older than the buffer.
   */
  async eventsAfter(after: number, signal: AbortSignal): Promise<Batch> {
    for (;;) {
      if (signal.aborted) return { events: [], after };
      if (this.readTx === undefined) {
        await this.acquireAgain();
        continue;
      }
      if (after < this.coveredAfter) return this.readFromLog(after);
      const head = endOfTx(this.readTx);
      if (after < head) {
        const events = this.buffer.slice(firstAfter(this.buffer, after));
        return { events, after: head };
      }
      await this.nextCommit(signal);
    }
  }

  /** After the tail stopped for want of users and a user came back: start again from the head. */
  private async acquireAgain(): Promise<void> {
    await (this.starting ??= this.start());
  }

  private async start(): Promise<void> {
    try {
      const { headTx } = await this.read(0, 1, 0);
      this.readTx = headTx;
      this.coveredAfter = endOfTx(headTx);
      this.buffer = [];
      this.following = this.follow();
    } finally {
      this.starting = undefined;
    }
  }

  /** Reads the log as it grows while anyone uses the tail; then forgets it (a later user starts at the head). */
  private async follow(): Promise<void> {
    let backoff = 200;
    while (this.users > 0) {
      try {
        const page = await this.read(this.readTx!, this.opts.pageTxs, this.opts.waitMs);
        this.append(page);
        if (this.failing) this.log.info({ readTx: this.readTx }, 'live stream: the log answers again');
        this.failing = false;
        backoff = 200;
      } catch (err) {
        if (!this.failing) this.log.warn({ err }, 'live stream: the log did not answer; retrying');
        this.failing = true;
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
    this.readTx = undefined;
    this.buffer = [];
    this.following = undefined;
    this.wakeAll();
  }

  private append(page: ReadLogResult): void {
    if (page.lastTx <= this.readTx!) return;
    this.buffer.push(...page.events);
    const excess = this.buffer.length - this.opts.capacity;
    if (excess > 0) {
      this.coveredAfter = logPosition(this.buffer[excess - 1]!);
      this.buffer = this.buffer.slice(excess);
    }
    this.readTx = page.lastTx;
    this.wakeAll();
  }

  /** A connection behind the buffer reads the log itself: one page, filtered to what is after its position. */
  private async readFromLog(after: number): Promise<Batch> {
    // The transaction of `after` is read again unless `after` is past all of it.
    const tx = logTxOf(after);
    const afterTx = after === endOfTx(tx) ? tx : Math.max(0, tx - 1);
    const page = await this.read(afterTx, this.opts.pageTxs, 0);
    return {
      events: page.events.filter((e) => logPosition(e) > after),
      after: Math.max(after, endOfTx(page.lastTx)),
    };
  }

  private nextCommit(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.waiters;
      const wake = () => {
        waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Waits until the follower has stopped (tests, shutdown). */
  async stopped(): Promise<void> {
    await this.following;
  }
}

/** The index of the first event after `position` in a log-ordered array (binary search). */
export function firstAfter(events: PublishedEvent[], position: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (logPosition(events[mid]!) <= position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
