/**
 * Group commit: appends that arrive while a commit is in flight go together into the next
 * ImmuDB transaction, with all their preconditions. A lone append is committed at once (no
 * timer); under load, one synced commit carries many appends instead of one.
 *
 * A transaction is all or nothing and a failed precondition does not say which key failed, so
 * when a group fails its preconditions every member is committed again on its own, in order,
 * and hears its own exact answer. Two writes that touch the same stream or the same
 * idempotency key never share a transaction: the second waits for the next one, exactly as if
 * the two had arrived one after the other.
 */
import { PreconditionFailed, type KV, type Precondition, type TxHeader } from './immudb/client';
import type { CommitObserver } from './metrics';

/** One conditional write, and the names it must not share a transaction with. */
export type Write = { kvs: KV[]; preconditions: Precondition[]; exclusive: string[] };

export type Commit = (kvs: KV[], preconditions: Precondition[]) => Promise<TxHeader>;

export type GroupLimits = { maxWrites: number; maxEntries: number; maxPreconditions: number };

/** ImmuDB allows 1 024 entries and 1 024 preconditions per transaction by default. */
export const DEFAULT_GROUP_LIMITS: GroupLimits = { maxWrites: 64, maxEntries: 1000, maxPreconditions: 1000 };

export type GroupCommitStats = {
  /** Transactions committed (or tried) by this process. */
  commits: number;
  /** Writes committed or answered. */
  writes: number;
  /** Groups of two or more that failed a precondition and were split. */
  splitGroups: number;
  largestGroup: number;
};

type Pending = { write: Write; resolve: (h: TxHeader) => void; reject: (e: unknown) => void };

export class GroupCommit {
  private readonly queue: Pending[] = [];
  private running = false;
  private readonly counters: GroupCommitStats = { commits: 0, writes: 0, splitGroups: 0, largestGroup: 0 };

  constructor(
    private readonly commit: Commit,
    private readonly limits: GroupLimits = DEFAULT_GROUP_LIMITS,
    /** Told about every transaction tried: its appends, entries, time and outcome (metrics). */
    private readonly observe: CommitObserver = () => undefined,
  ) {}

  /**
   * Commits `write` in the next transaction it fits in. Resolves with that transaction's
   * header; rejects with PreconditionFailed when this write's own preconditions did not hold
   * (nothing of it was written), or with the commit's error when the outcome is unknown.
   */
  submit(write: Write): Promise<TxHeader> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  stats(): GroupCommitStats {
    return { ...this.counters };
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) await this.run(this.take());
    } finally {
      this.running = false;
    }
  }

  /** The longest prefix-ordered group that fits: later writes never overtake a held-back one of theirs. */
  private take(): Pending[] {
    const group: Pending[] = [];
    const held = new Set<string>();
    let entries = 0;
    let preconditions = 0;
    for (let i = 0; i < this.queue.length && group.length < this.limits.maxWrites;) {
      const p = this.queue[i]!;
      const fits =
        group.length === 0 ||
        (entries + p.write.kvs.length <= this.limits.maxEntries &&
          preconditions + p.write.preconditions.length <= this.limits.maxPreconditions);
      const clashes = p.write.exclusive.some((name) => held.has(name));
      p.write.exclusive.forEach((name) => held.add(name)); // held back or not, nothing after it may pass it
      if (fits && !clashes) {
        group.push(p);
        entries += p.write.kvs.length;
        preconditions += p.write.preconditions.length;
        this.queue.splice(i, 1);
      } else {
        i++;
      }
    }
    return group;
  }

  private async run(group: Pending[]): Promise<void> {
    this.counters.largestGroup = Math.max(this.counters.largestGroup, group.length);
    if (group.length === 1) return this.alone(group[0]!);
    this.counters.commits++;
    try {
      const header = await this.timed(
        group.length,
        group.flatMap((p) => p.write.kvs),
        group.flatMap((p) => p.write.preconditions),
      );
      this.counters.writes += group.length;
      group.forEach((p) => p.resolve(header));
    } catch (err) {
      if (!(err instanceof PreconditionFailed)) {
        this.counters.writes += group.length;
        group.forEach((p) => p.reject(err)); // outcome unknown: each caller retries with the same ids
        return;
      }
      this.counters.splitGroups++;
      for (const p of group) await this.alone(p);
    }
  }

  private async alone(p: Pending): Promise<void> {
    this.counters.commits++;
    this.counters.writes++;
    try {
      p.resolve(await this.timed(1, p.write.kvs, p.write.preconditions));
    } catch (err) {
      p.reject(err);
    }
  }

  private async timed(writes: number, kvs: KV[], preconditions: Precondition[]): Promise<TxHeader> {
    const started = process.hrtime.bigint();
    const observe = (outcome: 'committed' | 'precondition_failed' | 'error') =>
      this.observe({ writes, entries: kvs.length, seconds: Number(process.hrtime.bigint() - started) / 1e9, outcome });
    try {
      const header = await this.commit(kvs, preconditions);
      observe('committed');
      return header;
    } catch (err) {
      observe(err instanceof PreconditionFailed ? 'precondition_failed' : 'error');
      throw err;
    }
  }
}
