import { encodeTransferEvent, type StoredEvent, type TransferEvent } from '@bank/domain';
import { projectTransfer, type ProjectedTransfer } from './transfer-projection';

/** Stores a transfer's events as the actors do (its own stream) and folds them. */
function fold(events: TransferEvent[]): ProjectedTransfer[] {
  let doc: ProjectedTransfer | undefined;
  return events.map((event, i) => {
    const stored: StoredEvent = {
      eventId: `00000000-0000-4000-8000-00000000000${i}`,
      streamId: 'transfer.t1',
      version: i + 1,
      ...encodeTransferEvent(event),
      metadata: { correlationId: 'c' },
      occurredAt: `2026-12-06T10:00:0${i}.000Z`,
    };
    doc = projectTransfer(doc, stored);
    return doc;
  });
}

const started: TransferEvent = {
  type: 'TransferStarted',
  data: { transferId: 't1', fromAccountId: 'a', toAccountId: 'b', amount: 1_250, currency: 'EUR', description: 'rent' },
};

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
    const stored: StoredEvent = {
      eventId: '00000000-0000-4000-8000-000000000009',
      streamId: 'transfer.t9',
      version: 2,
      ...encodeTransferEvent({ type: 'TransferCompleted', data: {} }),
      metadata: { correlationId: 'c' },
      occurredAt: '2026-12-06T10:00:00.000Z',
    };
    expect(() => projectTransfer(undefined, stored)).toThrow(/never started/);
  });
});
