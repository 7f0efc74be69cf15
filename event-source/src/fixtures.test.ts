// Test support (not a test file: no *.int.test.ts suffix), shared by event-source's integration tests.
import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@bank/domain';

/** `count` deposits of a stream, from version `from` on, each with new ids. */
export function events(streamId: string, from: number, count: number): StoredEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    eventId: randomUUID(),
    streamId,
    version: from + i,
    type: 'MoneyDeposited',
    schemaVersion: 1,
    data: { transactionId: randomUUID(), amount: 100 + i, description: null },
    metadata: { correlationId: 'it' },
    occurredAt: new Date().toISOString(),
  }));
}
