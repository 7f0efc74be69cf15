/**
 * Recovery from the log: every transfer the log shows unfinished is driven to its end, whether
 * or not its Transfer actor still has its record and its reminder (both live outside the log:
 * the state store and the scheduler). The read model's transfer documents are projected from
 * the log; one still PENDING some time after it started is handed to its Transfer actor's
 * `resume`, which reads the transfer's stream, asks for the steps it calls for, and re-arms the
 * reminder if it cannot finish now.
 *
 * Runs at start and then periodically. Transfers normally end within milliseconds, so the
 * PENDING documents are few; how many were found older than the threshold is a gauge
 * (`bank_transfers_stuck`) worth an alert when it stays above zero.
 */
import type { TransferDoc, TransferResult } from '@bank/contracts';
import type { Logger } from '@bank/service-kit';
import type { Collection } from 'mongodb';

export type SweepDeps = {
  /** The live generation's transfers. */
  transfers: () => Promise<Collection<TransferDoc>>;
  /** Asks a Transfer actor to drive its transfer from the log. */
  resume: (transferId: string) => Promise<TransferResult>;
  log: Logger;
  everyMs: number;
  /** A transfer PENDING for longer than this is resumed. */
  olderThanMs: number;
  now?: () => number;
};

/** Most transfers looked at, and resumed, per sweep. */
const MAX_PENDING_READ = 1_000;
const MAX_RESUMED = 50;

export type SweepStatus = { sweptAt: string | null; stuck: number; resumed: number; ended: number };

export class TransferSweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private last: SweepStatus = { sweptAt: null, stuck: 0, resumed: 0, ended: 0 };

  constructor(private readonly deps: SweepDeps) {}

  start(): void {
    const tick = () => {
      this.running = this.sweep()
        .then(() => undefined)
        .catch((err: unknown) => this.deps.log.warn({ err }, 'transfer sweep failed; next one in a while'))
        .finally(() => {
          this.timer = setTimeout(tick, this.deps.everyMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.running;
    clearTimeout(this.timer);
  }

  status(): SweepStatus {
    return { ...this.last };
  }

  /** One pass: resumes the transfers PENDING for longer than the threshold. */
  async sweep(): Promise<SweepStatus> {
    const now = (this.deps.now ?? Date.now)();
    const transfers = await this.deps.transfers();
    const pending = await transfers
      .find({ status: 'PENDING' }, { projection: { _id: 1, createdAt: 1 } })
      .limit(MAX_PENDING_READ)
      .toArray();
    const stuck = pending.filter((t) => Date.parse(t.createdAt) < now - this.deps.olderThanMs);
    let ended = 0;
    for (const t of stuck.slice(0, MAX_RESUMED)) {
      const result = await this.deps.resume(t._id);
      if (result.ok && result.transfer.status !== 'PENDING') ended++;
      this.deps.log.warn(
        { transferId: t._id, createdAt: t.createdAt, after: result.ok ? result.transfer.status : result.error },
        'resumed an unfinished transfer found in the read model',
      );
    }
    this.last = {
      sweptAt: new Date(now).toISOString(),
      stuck: stuck.length,
      resumed: Math.min(stuck.length, MAX_RESUMED),
      ended,
    };
    return this.status();
  }
}
