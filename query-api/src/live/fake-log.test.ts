/** A log in memory for unit tests of the live stream: transactions of events, read like event-source's /log. */
import type { PublishedEvent } from '@bank/domain';
import type { ReadLogResult } from '@bank/contracts';
import type { LogReader } from './log-tail';

export class FakeLog {
  private txs: { id: number; events: PublishedEvent[] }[] = [];
  private waiters: (() => void)[] = [];
  reads = 0;
  failing = false;

  get headTx(): number {
    return this.txs.at(-1)?.id ?? 0;
  }

  /** Commits one transaction holding these events (stream, type, data); returns them as published. */
  commit(...events: { streamId: string; type: string; data?: unknown; version?: number }[]): PublishedEvent[] {
    const id = this.headTx + 1;
    const published = events.map((e, logIndex) => ({
      eventId: '00000000-0000-4000-8000-' + String(id * 100 + logIndex).padStart(12, '0'),
      streamId: e.streamId,
      version: e.version ?? 1,
      type: e.type,
      schemaVersion: 1,
      data: e.data ?? {},
      metadata: { correlationId: 'c' },
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString(),
      logTx: id,
      logIndex,
    }));
    this.txs.push({ id, events: published });
    for (const wake of this.waiters.splice(0)) wake();
    return published;
  }

  readonly read: LogReader = async (afterTx, limit, waitMs) => {
    this.reads++;
    if (this.failing) throw new Error('event-source did not answer');
    if (this.headTx <= afterTx && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
    const page = this.txs.filter((t) => t.id > afterTx).slice(0, limit);
    const result: ReadLogResult = {
      events: page.flatMap((t) => t.events),
      lastTx: page.at(-1)?.id ?? afterTx,
      headTx: this.headTx,
    };
    return result;
  };
}
