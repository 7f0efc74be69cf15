import type { TransferEvent } from '@bank/domain';
import { startedT1, storedTransferStream } from '../../test/support/transfer-stream';
import { projectTransfer, type ProjectedTransfer } from './transfer-projection';

/** Folds a transfer's stream as stored, one document per event. */
function fold(events: TransferEvent[]): ProjectedTransfer[] {
  let doc: ProjectedTransfer | undefined;
  return storedTransferStream(events).map((stored) => (doc = projectTransfer(doc, stored)));
}

const started = startedT1;

describe("transfer projection: the document follows the transfer's own stream", () => {
  it('is PENDING with its terms from TransferStarted, and COMPLETED once settled', () => {
    const docs = fold([
      started,
      { type: 'TransferCreditRecorded', data: { transactionId: 'tx-1' } },
      { type: 'TransferCompleted', data: {} },
    ]);
    expect(docs[0]).toEqual({
      _id: 't1',
      transferId: 't1',
      fromAccountId: 'a',
      toAccountId: 'b',
      amount: 1_250,
      currency: 'EUR',
      status: 'PENDING',
      description: 'rent',
      createdAt: '2026-12-06T10:00:00.000Z',
      version: 1,
    });
    expect(docs[1]).toMatchObject({ status: 'PENDING', version: 2 });
    expect(docs[2]).toMatchObject({ status: 'COMPLETED', completedAt: '2026-12-06T10:00:02.000Z', version: 3 });
    expect(docs[2]!.failureCode).toBeUndefined();
  });

  it('is FAILED with the refusal code once refunded, its new fields in name order as an update appends them', () => {
    const docs = fold([
      started,
      { type: 'TransferCreditRefused', data: { failureCode: 'ACCOUNT_CLOSED', reason: 'closed' } },
      { type: 'TransferFailed', data: { failureCode: 'ACCOUNT_CLOSED' } },
    ]);
    expect(docs[2]).toMatchObject({ status: 'FAILED', failureCode: 'ACCOUNT_CLOSED', version: 3 });
    expect(Object.keys(docs[2]!).slice(-2)).toEqual(['completedAt', 'failureCode']);
  });

  it('refuses a later event for a transfer that never started', () => {
    // Version 2 of a stream whose version 1 this projection never saw.
    const [, stored] = storedTransferStream([startedT1, { type: 'TransferCompleted', data: {} }]);
    expect(() => projectTransfer(undefined, stored!)).toThrow(/never started/);
  });
});
