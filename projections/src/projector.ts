/**
 * Applies the log's events to the read model exactly once and in stream order, whatever order
 * and however often pub/sub delivers them (docs/architecture.md, "Projections"): an account's
 * stream to its account documents, a transfer's own stream to its transfer document.
 *
 *   - an event at or below the document's version is a duplicate and is skipped;
 *   - an event beyond the next version means a gap: the missing events are read from the log;
 *   - the account document moves only by a write conditional on the version it starts from.
 *
 * Events of one account are applied in runs (group commit): while a run of an account is being
 * written, its newly arriving events wait, and the next run takes all of them at once. A run
 * costs one read and one write of the account document, one append to each history bucket it reaches and
 * one update per day touched, whatever its length. One event alone is a run of one, so a quiet
 * system answers as fast as before; a busy one (catch-up, rebuild) writes far fewer times.
 */
import { isAccountStream, transferIdOfStream, type StoredEvent } from '@bank/domain';
import { type AccountDoc } from '@bank/contracts';
import type { EventLogClient, Logger } from '@bank/service-kit';
import { balanceDrift, project, type Projected } from './account-projection';
import type { FreshAccount, ReadModel } from './read-model';
import { projectTransfer, type ProjectedTransfer } from './transfer-projection';

export type ApplyOutcome = 'applied' | 'duplicate';

type Waiting = { event: StoredEvent; settle: (outcome: ApplyOutcome) => void; fail: (err: unknown) => void };

export class Projector {
  /** Per account: the events waiting for the next run, and whether a run is under way. */
  private readonly streams = new Map<string, { waiting: Waiting[]; running: boolean }>();

  constructor(
    private readonly model: ReadModel,
    private readonly eventLog: Pick<EventLogClient, 'readAll'>,
    private readonly log: Logger,
  ) {}

  /** Applies one event (with whatever else of its account is waiting). */
  apply(event: StoredEvent): Promise<ApplyOutcome> {
    return new Promise((settle, fail) => {
      const key = event.streamId;
      let stream = this.streams.get(key);
      if (!stream) this.streams.set(key, (stream = { waiting: [], running: false }));
      stream.waiting.push({ event, settle, fail });
      if (!stream.running) void this.drain(key, stream);
    });
  }

  /** Applies events of any accounts; each account's go in as one run. */
  async applyAll(events: StoredEvent[]): Promise<void> {
    await Promise.all(events.map((e) => this.apply(e)));
  }

  /**
   * Applies a message of the live subscription: the accounts it opens (a stream from version 1)
   * all at once, one insert per collection (applyNewAccounts), every other stream as one run. A
   * burst of openings (an import) then costs a few writes per message instead of four per account.
   */
  async applyMessage(events: StoredEvent[]): Promise<void> {
    await this.applyNewAccounts(runsOf(events));
  }

  /**
   * Applies whole streams of accounts that may be new to this read model (each starts at
   * version 1: the accounts a message or a rebuild batch opens) with one insert per collection
   * for all of them, instead of one run per account. Any other run, an account this process is
   * already writing, and an account some of whose documents turn out to exist (another writer,
   * or a run that died half-way) go through the per-account path instead, which is idempotent.
   * While the inserts run, the accounts' queues are held, so no other run of theirs overlaps them.
   */
  async applyNewAccounts(runs: StoredEvent[][]): Promise<void> {
    const fresh: FreshAccount[] = [];
    const held: string[] = [];
    const others: StoredEvent[][] = [];
    for (const run of runs) {
      const key = run[0]!.streamId;
      if (this.streams.has(key) || !isAccountStream(key) || !startsAtOpening(run)) {
        others.push(run);
        continue;
      }
      this.streams.set(key, { waiting: [], running: true });
      held.push(key);
      fresh.push(foldNew(run));
    }
    let existed = new Set<string>();
    try {
      for (const { account } of fresh) {
        const drift = balanceDrift(account);
        if (drift !== 0) await this.model.recordDrift(account, drift);
      }
      existed = await this.model.insertNewAccounts(fresh);
    } finally {
      // Release the queues; whatever arrived for these accounts meanwhile runs now.
      for (const key of held) {
        const stream = this.streams.get(key)!;
        stream.running = false;
        if (stream.waiting.length > 0) void this.drain(key, stream);
        else this.streams.delete(key);
      }
    }
    const rest = [...others, ...runs.filter((r) => existed.has(r[0]!.streamId))];
    await Promise.all(rest.map((run) => this.applyAll(run)));
  }

  private async drain(key: string, stream: { waiting: Waiting[]; running: boolean }): Promise<void> {
    stream.running = true;
    while (stream.waiting.length > 0) {
      const batch = stream.waiting.splice(0);
      try {
        const events = batch.map((w) => w.event);
        const version = isAccountStream(key) ? await this.applyRun(events) : await this.applyTransferRun(events);
        for (const w of batch) w.settle(w.event.version <= version.before ? 'duplicate' : 'applied');
      } catch (err) {
        for (const w of batch) w.fail(err);
      }
    }
    stream.running = false;
    this.streams.delete(key);
  }

  /**
   * Brings the account's documents up to the highest version among `events` (one account).
   * Returns the version the account document was at before.
   */
  private async applyRun(events: StoredEvent[]): Promise<{ before: number }> {
    const streamId = events[0]!.streamId;
    const target = Math.max(...events.map((e) => e.version));
    let before: number | undefined;
    for (;;) {
      const { doc: account, legacy, kept } = await this.model.accountForUpdate(streamId);
      if (account && legacy) {
        await this.rebuild(account);
        continue;
      }
      const current = account?.version ?? 0;
      if (kept && target <= current) {
        // A kept copy is good for attempting a write, not for deciding there is none to make.
        this.model.forgetKept(streamId);
        continue;
      }
      // What a kept copy says the run starts from is proven only by the write below.
      if (!kept) before ??= current;
      if (target <= current) return { before: before ?? current };
      const pending = await this.eventsAfter(streamId, current, target, events);
      let doc = account;
      const effects: Omit<Projected, 'account'>[] = [];
      for (const next of pending) {
        const { account: updated, ...sideEffects } = project(doc, next);
        effects.push(sideEffects);
        doc = updated;
      }
      // Everything else first, so a reader that sees the account at a version sees its history too.
      try {
        await this.writeAlongside(streamId, effects, account, doc!);
      } catch (err) {
        if (!kept) throw err;
        // The kept copy disagrees with what is stored (a bucket ends elsewhere): start from the store.
        this.model.forgetKept(streamId);
        continue;
      }
      if (await this.model.advanceAccount(current, doc!)) return { before: before ?? current };
      // Another projector instance moved the document: start over from where it is now.
    }
  }

  /**
   * Brings a transfer's document up to the highest version among `events` (one transfer's
   * stream), as applyRun does for an account. Returns the version it was at before.
   */
  private async applyTransferRun(events: StoredEvent[]): Promise<{ before: number }> {
    const streamId = events[0]!.streamId;
    const target = Math.max(...events.map((e) => e.version));
    let before: number | undefined;
    for (let replaced = false; ;) {
      const { doc, legacy } = await this.model.transferForUpdate(transferIdOfStream(streamId));
      if (legacy) {
        // Written by an earlier version of this app, without the stream version it applied.
        if (replaced) throw new Error(`the transfer document of ${streamId} could not be replaced`);
        replaced = true;
        before ??= 0; // what it had applied is unknown: the events re-projected count as applied
        const all = await this.fillGap(streamId, 0, target);
        await this.model.replaceLegacyTransfer(all.reduce<ProjectedTransfer | undefined>(projectTransfer, undefined)!);
        continue;
      }
      const current = doc?.version ?? 0;
      before ??= current;
      if (target <= current) return { before };
      const pending = await this.eventsAfter(streamId, current, target, events);
      const next = pending.reduce<ProjectedTransfer | undefined>(projectTransfer, doc)!;
      if (await this.model.advanceTransfer(current, next)) return { before };
      // Another projector instance moved the document: start over from where it is now.
    }
  }

  /** Versions current+1 .. target, from what was delivered if it has them all, else from the log. */
  private async eventsAfter(
    streamId: string,
    current: number,
    target: number,
    delivered: StoredEvent[],
  ): Promise<StoredEvent[]> {
    const byVersion = new Map(delivered.map((e) => [e.version, e]));
    const run: StoredEvent[] = [];
    for (let v = current + 1; v <= target; v++) {
      const e = byVersion.get(v);
      if (!e) return this.fillGap(streamId, current, target);
      run.push(e);
    }
    return run;
  }

  /** Re-projects an account from its first event up to the version its document is at. */
  private async rebuild(legacy: AccountDoc): Promise<void> {
    this.log.info(
      { streamId: legacy.accountId, version: legacy.version },
      'document predates the current read model; rebuilding it',
    );
    const events = (await this.eventLog.readAll(legacy.accountId, 1)).filter((e) => e.version <= legacy.version);
    let doc: AccountDoc | undefined;
    const effects: Omit<Projected, 'account'>[] = [];
    for (const e of events) {
      const { account, ...sideEffects } = project(doc, e);
      effects.push(sideEffects);
      doc = account;
    }
    if (!doc) return;
    await this.writeAlongside(legacy.accountId, effects, undefined, doc);
    await this.model.advanceAccount(legacy.version, doc);
  }

  /**
   * The documents a run that takes the account from `before` to `after` writes besides the
   * account document: each write is idempotent.
   */
  private async writeAlongside(
    accountId: string,
    effects: Omit<Projected, 'account'>[],
    before: AccountDoc | undefined,
    after: AccountDoc,
  ): Promise<void> {
    // Different documents, each written once whatever order they land in: side by side, and all
    // settled before a failure is reported (a retried run must not overlap its own writes).
    const drift = balanceDrift(after);
    const writes = await Promise.allSettled([
      this.model.appendHistory(
        accountId,
        effects.flatMap((e) => (e.entry ? [e.entry] : [])),
      ),
      this.model.addToDays(effects.flatMap((e) => (e.daily ? [e.daily] : []))),
      drift !== 0 || (before && balanceDrift(before) !== 0) ? this.model.recordDrift(after, drift) : undefined,
    ]);
    for (const w of writes) if (w.status === 'rejected') throw w.reason;
  }

  private async fillGap(streamId: string, current: number, target: number): Promise<StoredEvent[]> {
    this.log.info({ streamId, have: current, got: target }, 'gap in delivery; reading the log');
    const missing = (await this.eventLog.readAll(streamId, current + 1)).filter((e) => e.version <= target);
    if (missing.length !== target - current) {
      throw new Error(`log of ${streamId} has ${missing.length} events between ${current} and ${target}`);
    }
    return missing;
  }
}

/** Events grouped by stream, each stream's in the order given: one run each. */
export function runsOf<E extends StoredEvent>(events: E[]): E[][] {
  const byStream = new Map<string, E[]>();
  for (const e of events) {
    const run = byStream.get(e.streamId);
    if (run) run.push(e);
    else byStream.set(e.streamId, [e]);
  }
  return [...byStream.values()];
}

/** Versions 1, 2, 3, ... without a gap or a repeat. */
function startsAtOpening(run: StoredEvent[]): boolean {
  return run.every((e, i) => e.version === i + 1);
}

/** Every document a new account's stream projects to, folded in memory. */
function foldNew(run: StoredEvent[]): FreshAccount {
  let account: AccountDoc | undefined;
  const fresh: Omit<FreshAccount, 'account'> = { accountId: run[0]!.streamId, entries: [], days: [] };
  for (const e of run) {
    const next = project(account, e);
    account = next.account;
    if (next.entry) fresh.entries.push(next.entry);
    if (next.daily) fresh.days.push(next.daily);
  }
  return { ...fresh, account: account! };
}
