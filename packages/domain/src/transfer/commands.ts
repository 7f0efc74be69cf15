import type { TransferTerms } from './events';

export type StartTransfer = { type: 'StartTransfer'; data: TransferTerms };
export type RecordCredit = { type: 'RecordCredit'; data: { transactionId: string } };
export type RecordCreditRefused = { type: 'RecordCreditRefused'; data: { failureCode: string; reason: string } };
/** Settles or refunds, whichever the destination's answer calls for. */
export type FinishTransfer = { type: 'FinishTransfer'; data: Record<string, never> };

export type TransferCommand = StartTransfer | RecordCredit | RecordCreditRefused | FinishTransfer;
