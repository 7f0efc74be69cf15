import { encodeTransferEvent, type StoredEvent, type TransferEvent } from '@bank/domain';
import { ApiError, SidecarError } from '@bank/service-kit';
import { transferFromLog } from './transfers';

/** A transfer's own stream as the actors store it. */
function stream(events: TransferEvent[]): StoredEvent[] {
  return events.map((event, i) => ({
    eventId: `00000000-0000-4000-8000-00000000000${i}`,
    streamId: 'transfer.t1',
    version: i + 1,
    ...encodeTransferEvent(event),
    metadata: { correlationId: 'c' },
    occurredAt: `2026-12-06T10:00:0${i}.000Z`,
  }));
}

const started: TransferEvent = {
  type: 'TransferStarted',
  data: { transferId: 't1', fromAccountId: 'a', toAccountId: 'b', amount: 1_250, currency: 'EUR', description: 'rent' },
};
const logOf = (events: StoredEvent[]) => ({
  readAll: async (streamId: string) => (streamId === 'transfer.t1' ? events : []),
});

describe('a transfer the read model has not projected yet, read from its own stream', () => {
  it('is PENDING with its terms once its debit is in the log', async () => {
    expect(await transferFromLog(logOf(stream([started])), 't1')).toEqual({
      transferId: 't1',
      fromAccountId: 'a',
      toAccountId: 'b',
      amount: 1_250,
      currency: 'EUR',
      status: 'PENDING',
      description: 'rent',
      createdAt: '2026-12-06T10:00:00.000Z',
    });
  });

  it('is FAILED with its failure code once refunded, and COMPLETED once settled', async () => {
    const failed = stream([
      started,
      { type: 'TransferCreditRefused', data: { failureCode: 'ACCOUNT_FROZEN', reason: 'frozen' } },
      { type: 'TransferFailed', data: { failureCode: 'ACCOUNT_FROZEN' } },
    ]);
    expect(await transferFromLog(logOf(failed), 't1')).toMatchObject({
      status: 'FAILED',
      failureCode: 'ACCOUNT_FROZEN',
      completedAt: '2026-12-06T10:00:02.000Z',
    });
    const completed = stream([
      started,
      { type: 'TransferCreditRecorded', data: { transactionId: 'tx-1' } },
      { type: 'TransferCompleted', data: {} },
    ]);
    expect(await transferFromLog(logOf(completed), 't1')).toMatchObject({
      status: 'COMPLETED',
      completedAt: '2026-12-06T10:00:02.000Z',
    });
  });

  it('does not exist when the log has no such stream (no actor is asked)', async () => {
    expect(await transferFromLog(logOf([]), 'made-up')).toBeUndefined();
  });

  it('answers 503 when the log does not answer', async () => {
    const down = {
      readAll: async () => {
        throw new SidecarError('event-source did not answer', undefined, undefined);
      },
    };
    await expect(transferFromLog(down, 't1')).rejects.toEqual(
      expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' } satisfies Partial<ApiError>),
    );
  });
});
