/**
 * How far the live read model is behind the log (docs/read-model.md):
 *   - appliedTx: the highest log transaction T such that every event of every transaction <= T
 *     is in the live read model (the contiguous applied position). An event counts as applied
 *     when its account document is at its version or beyond.
 *   - headTx: the log's last committed transaction, from event-source.
 *   - events behind: the events in transactions (appliedTx, headTx];
 *   - milliseconds behind: the age of the oldest of those events (now - its occurredAt), 0 when
 *     there is none.
 * A probe every `pollMs` advances appliedTx by reading the log after it, and folds the movements
 * it passes into the books' totals (books.ts) and the rankings of accounts by balance
 * (ranking.ts): the totals document of the live generation holds
 * the position, so a restart resumes where it was instead of re-reading the log, and each log
 * transaction is posted exactly once (the write is conditional on the position it starts from).
 * The trial balance is therefore as of appliedTx: consistent with the account documents up to it.
 *
 * Pub/sub is not trusted to deliver everything: when the oldest event not in the read model is
 * older than `healAfterMs`, its delivery was lost (a wiped broker, a dropped message) or is stuck,
 * and the probe applies the log after appliedTx itself (idempotent, like a redelivery). So the read
 * model converges on the log whatever happened to the messages.
 */
import type { PublishedEvent } from '@bank/domain';
import { TOP_ACCOUNTS_KEPT } from '@bank/contracts';
import type { EventLogClient, Logger } from '@bank/service-kit';
import { AccountFacts, BookTotals } from './books';
import type { Generations } from './generations';
import type { Projectors } from './projectors';
import { Rankings } from './ranking';
import type { ReadModel } from './read-model';

export type LagSnapshot = {
  generation: number;
  headTx: number;
  appliedTx: number;
  behindTxs: number;
  behindEvents: number;
  /** False when the log after appliedTx was longer than one probe reads: behindEvents counts the rest as one event per transaction. */
  behindEventsExact: boolean;
  behindMs: number;
  oldestUnappliedAt: string | null;
  measuredAt: string | null;
  /** Why the last probe failed, if it did (the figures are then those of the probe before). */
  error?: string;
};

const KNOWN_LIMIT = 100_000;
/** While the log is applied, the books are saved at least every this many transactions of one probe. */
const SAVE_EVERY_TXS = 5_000;

export class LagTracker {
  private generation: number | undefined;
  private appliedTx = 0;
  /** The live generation's books, as stored (undefined: none stored yet). */
  private books: BookTotals | undefined;
  /** The live generation's rankings of accounts by balance, as stored. */
  private rankings = new Rankings();
  private facts: AccountFacts | undefined;
  /** Versions this process saw applied to the live generation: spares the probe a read per event. */
  private known = new Map<string, number>();
  private last: LagSnapshot = {
    generation: 0,
    headTx: 0,
    appliedTx: 0,
    behindTxs: 0,
    behindEvents: 0,
    behindEventsExact: true,
    behindMs: 0,
    oldestUnappliedAt: null,
    measuredAt: null,
  };
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<LagSnapshot> | undefined;

  constructor(
    private readonly deps: {
      generations: Pick<Generations, 'live'>;
      projectors: Pick<Projectors, 'model'>;
      eventLog: Pick<EventLogClient, 'readLog'>;
      log: Logger;
      pollMs?: number;
      maxScanTxs?: number;
      /** How many accounts each ranking keeps (TOP_ACCOUNTS_KEPT; fewer in tests). */
      rankingKeep?: number;
      /** Applies events read from the log to the live generation (see the heading). */
      heal?: { afterMs: number; apply: (generation: number, events: PublishedEvent[]) => Promise<void> };
    },
  ) {}

  start(): void {
    const tick = () => {
      void this.probe().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.deps.pollMs ?? 1_000).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  snapshot(): LagSnapshot {
    return { ...this.last };
  }

  /** The live subscription applied (or skipped as a duplicate) this event in `generation`. */
  noteApplied(generation: number, streamId: string, version: number): void {
    if (generation !== this.generation) return;
    if (this.known.size > KNOWN_LIMIT) this.known.clear();
    if ((this.known.get(streamId) ?? 0) < version) this.known.set(streamId, version);
  }

  /**
   * A rebuild applied the log up to `books.tx` to `generation` and folded its books and rankings
   * that far: they become that generation's, unless its own are further already.
   */
  async adopt(generation: number, books: BookTotals, rankings: Rankings): Promise<void> {
    const model = this.deps.projectors.model(generation);
    await model.saveRankings(rankings.toDocs());
    await model.adoptBooksTotals(books.toDoc());
    if (this.generation === generation) this.generation = undefined; // re-read at the next probe
  }

  /** Measures now (one probe at a time; a caller during a probe gets that probe's result). */
  probe(): Promise<LagSnapshot> {
    this.probing ??= this.measure()
      .catch((err: unknown) => {
        this.deps.log.warn({ err }, 'could not measure projection lag');
        this.last = { ...this.last, error: (err as Error).message };
        return this.last;
      })
      .finally(() => (this.probing = undefined));
    return this.probing;
  }

  private async measure(): Promise<LagSnapshot> {
    const generation = await this.deps.generations.live();
    const model = this.deps.projectors.model(generation);
    if (generation !== this.generation) await this.load(generation, model);
    const maxScanTxs = this.deps.maxScanTxs ?? 500;
    // The rankings can be behind the totals (written first, the totals not): read from the lower.
    const startTx = Math.min(this.appliedTx, this.rankings.tx);
    let cursor = startTx;
    let applied = startTx;
    let contiguous = true;
    let behindEvents = 0;
    let behindFromTx = 0;
    let oldest: string | null = null;
    let headTx = startTx;
    /** Applied events not folded into the books yet, in log order. */
    let unposted: PublishedEvent[] = [];
    for (;;) {
      const page = await this.deps.eventLog.readLog(cursor, 500);
      headTx = page.headTx;
      for (const event of page.events) {
        if (contiguous) {
          if (await this.isApplied(model, event.streamId, event.version)) {
            unposted.push(event);
            continue;
          }
          contiguous = false;
          applied = event.logTx - 1;
          behindFromTx = applied;
          oldest = event.occurredAt;
        }
        behindEvents++;
      }
      const moved = page.lastTx > cursor;
      cursor = page.lastTx;
      if (contiguous) applied = cursor;
      if (contiguous && applied - this.appliedTx >= SAVE_EVERY_TXS) {
        if (!(await this.post(model, unposted, applied))) break;
        unposted = [];
      }
      // Everything applied is walked (the books need it); what is behind is counted up to a bound.
      if (!moved || cursor >= headTx || (!contiguous && cursor - behindFromTx >= maxScanTxs)) break;
    }
    if ((await this.post(model, unposted, applied)) && this.generation !== undefined) await this.refillRankings(model);
    const heal = this.deps.heal;
    if (heal && oldest && Date.now() - Date.parse(oldest) > heal.afterMs) {
      await this.healFrom(generation, applied, heal.apply);
    }
    const exact = cursor >= headTx;
    if (!exact) behindEvents += headTx - cursor;
    this.last = {
      generation,
      headTx,
      appliedTx: this.appliedTx,
      behindTxs: Math.max(0, headTx - this.appliedTx),
      behindEvents,
      behindEventsExact: exact,
      behindMs: oldest ? Math.max(0, Date.now() - Date.parse(oldest)) : 0,
      oldestUnappliedAt: oldest,
      measuredAt: new Date().toISOString(),
    };
    return this.last;
  }

  /** The live generation's position and books, as stored (a read model without them starts at the log's start). */
  private async load(generation: number, model: ReadModel): Promise<void> {
    const [stored, rankings] = await Promise.all([model.booksTotals(), model.rankings()]);
    this.generation = generation;
    this.books = stored ? BookTotals.fromDoc(stored) : undefined;
    this.rankings = Rankings.fromDocs(rankings, this.deps.rankingKeep);
    this.appliedTx = this.books?.tx ?? 0;
    this.facts = new AccountFacts((id) => model.accountFact(id));
    this.known.clear();
  }

  /**
   * Folds `events` (applied, in log order, everything after the probe's start up to `throughTx`)
   * into the rankings and the books and stores them: the rankings each only forward, the totals
   * conditional on the position they start from. If another process moved the totals meanwhile,
   * its figures win and the next probe goes on from there (false).
   */
  private async post(model: ReadModel, events: PublishedEvent[], throughTx: number): Promise<boolean> {
    if (this.generation === undefined) return false; // lost a race earlier in this probe
    if (this.books && throughTx <= this.books.tx && throughTx <= this.rankings.tx) return true;
    const next = this.books?.copy() ?? BookTotals.empty();
    await next.fold(events, throughTx, this.facts!);
    const rankings = this.rankings.copy();
    await rankings.fold(events, throughTx, this.facts!);
    await model.saveRankings(rankings.toDocs());
    this.rankings = rankings;
    if (await model.advanceBooksTotals(this.books?.tx, next.toDoc())) {
      this.books = next;
      this.appliedTx = next.tx;
      return true;
    }
    this.generation = undefined; // re-read at the next probe
    return false;
  }

  /**
   * Refills each ranking that can no longer tell half the accounts it keeps (see
   * `Ranking.needsRefill`) from the account documents: one scan of the currency's accounts,
   * sorted by balance, so that top-account reports are one read again. The documents are at the
   * rankings' position or further (everything up to appliedTx is applied): until the fold passes
   * the documents' versions, a refilled ranking may show an account's balance of a little later.
   */
  private async refillRankings(model: ReadModel): Promise<void> {
    for (const [currency, ranking] of this.rankings.needingRefill()) {
      ranking.refill(await model.highestBalances(currency, (this.deps.rankingKeep ?? TOP_ACCOUNTS_KEPT) + 1));
      await model.saveRankings([ranking.toDoc(currency)]);
      this.deps.log.info(
        { currency, tx: ranking.tx },
        'ranking of accounts by balance refilled from the account documents',
      );
    }
  }

  /** Applies one page of the log after `afterTx` to the live generation, from the log itself. */
  private async healFrom(
    generation: number,
    afterTx: number,
    apply: (generation: number, events: PublishedEvent[]) => Promise<void>,
  ): Promise<void> {
    const page = await this.deps.eventLog.readLog(afterTx, 200);
    const events = page.events;
    await apply(generation, events);
    for (const e of events) this.noteApplied(generation, e.streamId, e.version);
    this.deps.log.warn(
      { fromTx: afterTx + 1, toTx: page.lastTx, events: events.length },
      'events long undelivered by pub/sub: applied them from the log',
    );
  }

  private async isApplied(
    model: { streamVersion(id: string): Promise<number> },
    streamId: string,
    version: number,
  ): Promise<boolean> {
    if ((this.known.get(streamId) ?? 0) >= version) return true;
    const stored = await model.streamVersion(streamId);
    if (stored > 0) this.known.set(streamId, stored);
    return stored >= version;
  }
}
