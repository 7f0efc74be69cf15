/**
 * Applies account events to the read model exactly once and in stream order, whatever order
 * and however often pub/sub delivers them (architecture invariant 4):
 *   - an event at or below the document's version is a duplicate and is skipped;
 *   - an event beyond the next version means a gap: the missing events are read from the log;
 *   - writes are conditional on the version they start from.
 */
import type { StoredEvent } from '@bank/domain';
import type { EventLogClient, Logger } from '@bank/service-kit';
import { project, type Projected } from './account-projection';
import type { AccountDoc } from '@bank/domain';
import type { ReadModel } from './read-model';

export type ApplyOutcome = 'applied' | 'duplicate';

export class Projector {
  /** One chain of work per account in this process: same-account events never race here. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly model: ReadModel,
    private readonly eventLog: Pick<EventLogClient, 'readAll'>,
    private readonly log: Logger,
  ) {}

  apply(event: StoredEvent): Promise<ApplyOutcome> {
    const key = event.streamId;
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.applyInOrder(event));
    this.queues.set(key, next);
    void next
      .finally(() => {
        if (this.queues.get(key) === next) this.queues.delete(key);
      })
      .catch(() => undefined);
    return next;
  }

  private async applyInOrder(event: StoredEvent): Promise<ApplyOutcome> {
    for (;;) {
      const { doc: account, legacy } = await this.model.accountForUpdate(event.streamId);
      if (account && legacy) {
        await this.rebuild(account);
        continue;
      }
      const current = account?.version ?? 0;
      if (event.version <= current) return 'duplicate';
      const pending = event.version === current + 1 ? [event] : await this.fillGap(event, current);
      let doc = account;
      let from = current;
      let raced = false;
      for (const next of pending) {
        const { account: updated, ...sideEffects } = project(doc, next);
        await this.writeAlongside(sideEffects);
        if (!(await this.model.advanceAccount(from, updated))) {
          raced = true; // another projector instance moved the document; start over from it
          break;
        }
        doc = updated;
        from = updated.version;
      }
      if (!raced) return 'applied';
    }
  }

  /** Re-projects an account from its first event up to the version its document is at. */
  private async rebuild(legacy: AccountDoc): Promise<void> {
    this.log.info(
      { streamId: legacy.accountId, version: legacy.version },
      'document predates the current read model; rebuilding it',
    );
    const events = (await this.eventLog.readAll(legacy.accountId, 1)).filter((e) => e.version <= legacy.version);
    let doc: AccountDoc | undefined;
    for (const e of events) {
      const { account, ...sideEffects } = project(doc, e);
      await this.writeAlongside(sideEffects);
      doc = account;
    }
    if (doc) await this.model.advanceAccount(legacy.version, doc);
  }

  /** The documents an event writes besides the account: each write is idempotent. */
  private async writeAlongside({ transaction, daily, transfer }: Omit<Projected, 'account'>): Promise<void> {
    if (transaction) await this.model.putTransaction(transaction);
    if (daily) await this.model.addToDay(daily);
    if (transfer) await this.model.putTransfer(transfer);
  }

  private async fillGap(event: StoredEvent, current: number): Promise<StoredEvent[]> {
    this.log.info({ streamId: event.streamId, have: current, got: event.version }, 'gap in delivery; reading the log');
    const missing = (await this.eventLog.readAll(event.streamId, current + 1)).filter((e) => e.version < event.version);
    if (missing.length !== event.version - current - 1) {
      throw new Error(`log of ${event.streamId} has ${missing.length} events between ${current} and ${event.version}`);
    }
    return [...missing, event];
  }
}
