/** A transfer's own stream as the actors store it (`transfer.t1`), for unit tests of what reads it. */
import { encodeTransferEvent, type StoredEvent, type TransferEvent } from '@bank/domain';

export const startedT1: TransferEvent = {
  type: 'TransferStarted',
  data: { transferId: 't1', fromAccountId: 'a', toAccountId: 'b', amount: 1_250, currency: 'EUR', description: 'rent' },
};

/** Event i is version i + 1, at 10:00:0i on 2026-12-06. */
export function storedTransferStream(events: TransferEvent[]): StoredEvent[] {
  return events.map((event, i) => ({
    eventId: `00000000-0000-4000-8000-00000000000${i}`,
    streamId: 'transfer.t1',
    version: i + 1,
    ...encodeTransferEvent(event),
    metadata: { correlationId: 'c' },
    occurredAt: `2026-12-06T10:00:0${i}.000Z`,
  }));
}
