// Test fixtures (not a test file: no *.unit.test.ts suffix), shared by the transfer's tests.
import type { TransferEvent, TransferTerms } from './events';

export const terms: TransferTerms = {
  transferId: 't-1',
  fromAccountId: 'a',
  toAccountId: 'b',
  amount: 1_000,
  currency: 'EUR',
  description: 'rent',
};
export const started: TransferEvent = { type: 'TransferStarted', data: terms };
export const creditRecorded = (transactionId: string): TransferEvent => ({
  type: 'TransferCreditRecorded',
  data: { transactionId },
});
export const refused: TransferEvent = {
  type: 'TransferCreditRefused',
  data: { failureCode: 'ACCOUNT_FROZEN', reason: 'account is frozen' },
};
