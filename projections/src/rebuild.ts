/**
 * Rebuilds the whole read model from the log into a fresh generation, then switches to it,
 * while the live one keeps serving:
 *   1. take the rebuild lock (one rebuild at a time, across processes) for generation g = live + 1;
 *      drop leftovers of dead rebuilds; create g's indexes (ReadModel.ensureIndexes);
 *   2. from now on the live subscription also writes every event it receives to g; once every
 *      process has recorded that it knows it (Generations.settled; at most `switchSettleMs`,
 *      twice the pointer's cache time), read the log's head H;
 *   3. read the global log in transaction order and run every event up to H through g's
 *      Projector (the same code as the live path; a few accounts at a time, each account's
 *      events of a page as one run);
 *      events after H reach g through the live subscription; the books' totals (books.ts) are
 *      folded from the same pages and stored in g before the switch;
 *   4. switch the live pointer to g;
 *   5. wait until every process has recorded the switch (as in 2), then read the log once more
 *      from H to the head at that moment, so an event that some process wrote only to the old
 *      generation is in g too, and fold the books that far;
 *   6. release the lock; drop the old generation after `dropAfterMs` (readers may still be on it).
 * Live writes and rebuild writes to g go through one Projector (projectors.ts), so one account's
 * runs never overlap, and meet on the version of each account document (a duplicate is
 * skipped, a gap is filled from the log), so their order does not matter.
 */
import type { PublishedEvent } from '@bank/domain';
import type { EventLogClient, Logger } from '@bank/service-kit';
import { AccountFacts, BookTotals } from './books';
import { Rankings } from './ranking';
import type { Generations } from './generations';
import type { LagTracker } from './lag';
import { runsOf, type Projector } from './projector';
import type { Projectors } from './projectors';

export type RebuildPhase = 'preparing' | 'projecting' | 'switching' | 'catching-up' | 'done';

/** What GET /internal/rebuild answers. */
export type RebuildStatus = {
  state: 'idle' | 'running' | 'succeeded' | 'failed';
  phase?: RebuildPhase;
  generation?: number;
  previousGeneration?: number;
  startedAt?: string;
  finishedAt?: string;
  /** Last log transaction projected into the new generation (everything up to it is in). */
  positionTx: number;
  /**
   * How far the rebuild has got, counting the batch under way by the share of its events
   * already applied (an estimate: a batch is all applied only when it ends). For progress bars.
   */
  progressTx: number;
  /** The log's head as last seen. */
  headTx: number;
  events: number;
  eventsPerSecond: number;
  etaSeconds: number | null;
  error?: string;
};

/** Log transactions per read (event-source serves at most 1000). */
const LOG_PAGE_TXS = 500;

export type RebuildOptions = {
  batchTxs: number;
  concurrency: number;
  switchSettleMs: number;
  dropAfterMs: number;
  /**
   * Whether accounts opened in a batch are written all at once (default) rather than one run
   * per account like the others; off only to test the per-account workers.
   */
  bulkNewAccounts?: boolean;
  /** How long applying one account's run is retried before the rebuild fails (default 30 s). */
  applyRetryMs?: number;
};

export class Rebuilder {
  private current: RebuildStatus = idle();
  private running = false;
  private busyMs = 0;
  private projectedTxs = 0;

  constructor(
    private readonly deps: {
      generations: Generations;
      projectors: Projectors;
      eventLog: Pick<EventLogClient, 'readLog'>;
      lag: Pick<LagTracker, 'adopt'>;
      log: Logger;
      options: RebuildOptions;
    },
  ) {}

  status(): RebuildStatus {
    return { ...this.current };
  }

  /** Starts a rebuild in the background, or says why it cannot. */
  async start(): Promise<{ ok: true; status: RebuildStatus } | { ok: false; reason: string }> {
    if (this.running) return { ok: false, reason: this.busy(this.current.generation, this.current.startedAt) };
    this.running = true; // before any await: a second request in the same tick is refused too
    try {
      const lock = await this.deps.generations.acquireLock();
      if ('heldBy' in lock) {
        this.running = false;
        return { ok: false, reason: this.busy(lock.heldBy.generation, lock.heldBy.startedAt, 'another process') };
      }
      this.current = { ...idle(), state: 'running', phase: 'preparing', generation: lock.generation };
      this.current.startedAt = new Date().toISOString();
      void this.run(lock.generation).finally(() => (this.running = false));
      return { ok: true, status: this.status() };
    } catch (err) {
      this.running = false;
      throw err;
    }
  }

  private busy(generation: number | undefined, startedAt: string | undefined, where = 'this process'): string {
    const progress =
      where === 'this process' ? ` (at log transaction ${this.current.positionTx} of ${this.current.headTx})` : '';
    return `a rebuild into generation ${generation} is already running in ${where} since ${startedAt}${progress}; wait for it to finish`;
  }

  private async run(generation: number): Promise<void> {
    const { generations, projectors, log } = this.deps;
    this.busyMs = 0;
    this.projectedTxs = 0;
    let switched = false;
    const heartbeat = setInterval(() => void generations.heartbeat(generation).catch(() => undefined), 5_000);
    try {
      const previous = await generations.live();
      this.current.previousGeneration = previous;
      // Leftovers of rebuilds that died (and old generations whose drop never ran).
      for (const g of await generations.existing()) if (g !== previous) await generations.drop(g);
      await projectors.model(generation).ensureIndexes();
      log.info({ generation, previous }, 'rebuild started');

      // Once every process writes live events to the new generation too, everything after the
      // head read below reaches it that way: the rebuild only has to reach that head.
      const { switchSettleMs } = this.deps.options;
      let waited = await generations.settled((v) => v.building === generation, switchSettleMs);
      this.current.phase = 'projecting';
      // The books are folded from the same log pages, so they come with the generation.
      const books = { totals: BookTotals.empty(), rankings: new Rankings() };
      let position = await this.projectUntil(generation, 0, await this.head(), books);
      await this.deps.lag.adopt(generation, books.totals, books.rankings);

      this.current.phase = 'switching';
      await generations.switchTo(generation);
      switched = true;
      log.info({ generation, positionTx: position }, 'read model switched to the new generation');

      this.current.phase = 'catching-up';
      // Once no process writes to the old generation only, one more pass from H covers what they did.
      waited += await generations.settled((v) => v.live === generation, switchSettleMs);
      log.info({ generation, waitedMs: waited }, 'every writer saw the rebuild and the switch');
      position = await this.projectUntil(generation, position, await this.head(), books);
      await this.deps.lag.adopt(generation, books.totals, books.rankings);

      await generations.releaseLock(generation);
      this.current = { ...this.current, state: 'succeeded', phase: 'done', finishedAt: new Date().toISOString() };
      log.info({ generation, events: this.current.events, eventsPerSecond: this.current.eventsPerSecond }, 'rebuilt');
      this.dropLater(previous);
    } catch (err) {
      log.error({ err, generation, switched }, 'rebuild failed');
      this.current = {
        ...this.current,
        state: 'failed',
        finishedAt: new Date().toISOString(),
        error: `${(err as Error).message}${switched ? ' (after the switch: the new generation is live and the live path fills any gap from the log)' : ''}`,
      };
      if (!switched) {
        await generations.drop(generation).catch(() => undefined);
        projectors.forget(generation);
      }
      await generations.releaseLock(generation).catch(() => undefined);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async head(): Promise<number> {
    const { headTx } = await withRetry(() => this.deps.eventLog.readLog(0, 1));
    this.current.headTx = headTx;
    return headTx;
  }

  /**
   * Projects the log from `afterTx` up to `targetTx` (a fixed target: chasing a moving head
   * could last forever under a write rate above the rebuild's) and folds it into the books'
   * totals and rankings;
   * returns the new position.
   */
  private async projectUntil(
    generation: number,
    afterTx: number,
    targetTx: number,
    books: { totals: BookTotals; rankings: Rankings },
  ): Promise<number> {
    const projector = this.deps.projectors.projector(generation);
    const model = this.deps.projectors.model(generation);
    const facts = new AccountFacts((id) => model.accountFact(id));
    let position = afterTx;
    while (position < targetTx) {
      const batchStart = Date.now();
      const { events, lastTx } = await this.readBatch(position, targetTx);
      if (lastTx <= position) break; // nothing more to read (cannot happen below the head)
      const eventsBefore = this.current.events;
      const txsBefore = this.projectedTxs;
      const from = position;
      let applied = 0;
      // A batch can take a while: progress moves with each account's run, not only at its end.
      const progress = (done: boolean) => {
        const share = done || events.length === 0 ? 1 : applied / events.length;
        const progressTx = from + Math.round((lastTx - from) * share);
        // Rates over the time spent projecting (not the wait for the switch to settle).
        const elapsed = Math.max((this.busyMs + Date.now() - batchStart) / 1000, 0.001);
        const txPerSecond = (txsBefore + progressTx - from) / elapsed;
        const total = eventsBefore + (done ? events.length : applied);
        this.current = {
          ...this.current,
          positionTx: done ? lastTx : from,
          progressTx,
          headTx: targetTx,
          events: total,
          eventsPerSecond: Math.round(total / elapsed),
          etaSeconds: txPerSecond > 0 ? Math.round((targetTx - progressTx) / txPerSecond) : null,
        };
      };
      await this.applyPage(projector, events, (n) => {
        applied += n;
        progress(false);
      });
      await books.totals.fold(events, lastTx, facts);
      await books.rankings.fold(events, lastTx, facts);
      progress(true);
      this.busyMs += Date.now() - batchStart;
      this.projectedTxs += lastTx - from;
      position = lastTx;
    }
    return position;
  }

  /**
   * Up to `batchTxs` log transactions after `afterTx` (at most `targetTx`), read in pages the
   * log serves. A big batch gives each account a longer run, so fewer writes per event.
   */
  private async readBatch(afterTx: number, targetTx: number): Promise<{ events: PublishedEvent[]; lastTx: number }> {
    const end = Math.min(targetTx, afterTx + this.deps.options.batchTxs);
    const events: PublishedEvent[] = [];
    let lastTx = afterTx;
    while (lastTx < end) {
      const from = lastTx;
      const page = await withRetry(() => this.deps.eventLog.readLog(from, Math.min(LOG_PAGE_TXS, end - from)));
      if (page.lastTx <= from) break;
      events.push(...page.events);
      lastTx = page.lastTx;
    }
    return { events, lastTx };
  }

  /**
   * Applies a page: each account's events as one run (one write of its document, see
   * projector.ts), `concurrency` accounts at a time (more only makes a single-writer store such
   * as FerretDB's SQLite wait on its lock). Applying is idempotent, so a transient failure (a
   * busy database) is retried.
   */
  private async applyPage(
    projector: Projector,
    events: PublishedEvent[],
    onRun: (events: number) => void,
  ): Promise<void> {
    const runs = runsOf(events);
    // Accounts opened in this page: all of them at once (one insert per collection).
    const bulk = this.deps.options.bulkNewAccounts ?? true;
    const opened = bulk ? runs.filter((run) => run[0]!.version === 1) : [];
    if (opened.length > 0) {
      await withRetry(() => projector.applyNewAccounts(opened), this.deps.options.applyRetryMs ?? 30_000);
      onRun(opened.reduce((n, run) => n + run.length, 0));
    }
    const streams = runs.filter((run) => !bulk || run[0]!.version !== 1);
    let failed = false;
    const worker = async () => {
      for (let stream = streams.shift(); stream && !failed; stream = streams.shift()) {
        const run = stream;
        try {
          await withRetry(() => projector.applyAll(run), this.deps.options.applyRetryMs ?? 30_000);
        } catch (err) {
          failed = true; // the other workers stop after their current account
          throw err;
        }
        onRun(run.length);
      }
    };
    // Every worker has stopped when this returns, even on failure: nothing of a failed rebuild
    // may still be writing (or reporting progress) once its generation is dropped and forgotten.
    const results = await Promise.allSettled(Array.from({ length: this.deps.options.concurrency }, worker));
    const failure = results.find((r) => r.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private dropLater(generation: number): void {
    const timer = setTimeout(() => {
      this.deps.generations
        .drop(generation)
        .then(() => {
          this.deps.projectors.forget(generation);
          this.deps.log.info({ generation }, 'previous read-model generation dropped');
        })
        .catch((err: unknown) => this.deps.log.warn({ err, generation }, 'could not drop the previous generation'));
    }, this.deps.options.dropAfterMs);
    timer.unref();
  }
}

function idle(): RebuildStatus {
  return { state: 'idle', positionTx: 0, progressTx: 0, headTx: 0, events: 0, eventsPerSecond: 0, etaSeconds: null };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The log may be briefly unreachable (event-source restarting): retry for up to a minute. */
async function withRetry<T>(fn: () => Promise<T>, deadlineMs = 60_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (let pause = 200; ; pause = Math.min(pause * 2, 5_000)) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(pause);
    }
  }
}
