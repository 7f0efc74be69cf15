import type { StoredEvent } from '@bank/domain';
import { startedT1, storedTransferStream } from '../../../test/support/transfer-stream';
import { ApiError, SidecarError } from '@bank/service-kit';
import { transferFromLog } from './transfers';

const stream = storedTransferStream;
const started = startedT1;
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
