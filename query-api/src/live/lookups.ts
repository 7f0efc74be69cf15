/** Where the live stream learns who owns an account and which accounts a transfer joins. */
import { transferStreamId } from '@bank/domain';
import type { EventLogClient } from '@bank/service-kit';
import type { ReadCollections } from '../read-model';
import type { ScopeLookups } from './stream-scope';

/**
 * The read model first (one document by `_id`); the log for what it has not projected yet (the
 * first event of the stream: AccountOpened, TransferStarted).
 */
export function scopeLookups(read: ReadCollections, eventLog: Pick<EventLogClient, 'read'>): ScopeLookups {
  const firstEventData = async (streamId: string) => {
    const { events } = await eventLog.read(streamId, 1, 1);
    return events[0]?.data as Record<string, unknown> | undefined;
  };
  return {
    async accountOwner(accountId) {
      const doc = await read.accounts.findOne({ _id: accountId }, { projection: { _id: 0, ownerId: 1 } });
      if (doc) return doc.ownerId;
      const opened = await firstEventData(accountId);
      return typeof opened?.ownerId === 'string' ? opened.ownerId : undefined;
    },
    async transferAccounts(transferId) {
      const doc = await read.transfers.findOne(
        { _id: transferId },
        { projection: { _id: 0, fromAccountId: 1, toAccountId: 1 } },
      );
      if (doc) return [doc.fromAccountId, doc.toAccountId];
      const started = await firstEventData(transferStreamId(transferId));
      return typeof started?.fromAccountId === 'string' && typeof started.toAccountId === 'string'
        ? [started.fromAccountId, started.toAccountId]
        : undefined;
    },
  };
}
