/**
 * One step of a transfer as the account it touches decides it: the account's decider and the
 * transfer's decider together, so the account events and the transfer event of a step are
 * decided (and then committed) as one. The BankAccount actor runs this against its own state and
 * the transfer's stream as read from the log, never against what a caller says happened: a step
 * cannot be forged by sending made-up details, only asked for.
 *
 *   debit   on the source:      TransferDebited + TransferStarted (or a refusal: nothing at all)
 *   credit  on the destination: TransferCredited + TransferCreditRecorded,
 *                               or, if the account refuses it, TransferCreditRefused alone
 *   finish  on the source:      TransferSettled + TransferCompleted, or TransferRefunded + TransferFailed
 *
 * A step that already happened decides nothing: the caller reads the transfer's phase instead.
 */
import { bankAccount } from '../account/decider';
import type { AccountEvent } from '../account/events';
import type { AccountState } from '../account/state';
import { DomainError } from '../errors';
import { transfer } from './decider';
import type { TransferEvent, TransferTerms } from './events';
import type { StartedTransferState, TransferState } from './state';

export type TransferStep = { step: 'debit'; terms: TransferTerms } | { step: 'credit' | 'finish'; transferId: string };

export type StepDecision = {
  account: AccountEvent[];
  transfer: TransferEvent[];
  /**
   * True when the transfer event rests on the account's state without changing it (a refused
   * credit): the commit then also requires the account to be still at the version decided on.
   */
  pinAccount: boolean;
};

const NOTHING: StepDecision = { account: [], transfer: [], pinAccount: false };

export function decideTransferStep(
  request: TransferStep,
  accountId: string,
  account: AccountState,
  state: TransferState,
  /** The id of the account movement this step may make. */
  transactionId: string,
): StepDecision {
  if (request.step === 'debit') {
    const { terms } = request;
    requireParty(accountId, terms.fromAccountId, 'source');
    const started = transfer.decide({ type: 'StartTransfer', data: terms }, state);
    if (started.length === 0) return NOTHING;
    const debited = bankAccount.decide(
      {
        type: 'DebitTransfer',
        data: { ...leg(terms, transactionId, terms.toAccountId), description: terms.description },
      },
      account,
    );
    return { account: debited, transfer: started, pinAccount: false };
  }

  const current = requireStarted(state, request.transferId);
  const { terms } = current;
  if (request.step === 'credit') {
    requireParty(accountId, terms.toAccountId, 'destination');
    if (current.phase !== 'DEBITED') return NOTHING;
    try {
      const credited = bankAccount.decide(
        {
          type: 'CreditTransfer',
          data: { ...leg(terms, transactionId, terms.fromAccountId), description: terms.description },
        },
        account,
      );
      const recorded = transfer.decide({ type: 'RecordCredit', data: { transactionId } }, current);
      return { account: credited, transfer: recorded, pinAccount: false };
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const refused = transfer.decide(
        { type: 'RecordCreditRefused', data: { failureCode: err.code, reason: err.message } },
        current,
      );
      return { account: [], transfer: refused, pinAccount: true };
    }
  }

  requireParty(accountId, terms.fromAccountId, 'source');
  const finished = transfer.decide({ type: 'FinishTransfer', data: {} }, current);
  if (finished.length === 0) return NOTHING;
  const accountEvents =
    current.phase === 'CREDITED'
      ? bankAccount.decide({ type: 'SettleTransfer', data: { transferId: terms.transferId } }, account)
      : bankAccount.decide(
          {
            type: 'RefundTransfer',
            data: {
              ...leg(terms, transactionId, terms.toAccountId),
              failureCode: current.failureCode ?? 'SERVICE_UNAVAILABLE',
            },
          },
          account,
        );
  return { account: accountEvents, transfer: finished, pinAccount: false };
}

function leg(terms: TransferTerms, transactionId: string, counterpartyAccountId: string) {
  return {
    transferId: terms.transferId,
    transactionId,
    counterpartyAccountId,
    amount: terms.amount,
    currency: terms.currency,
  };
}

function requireStarted(state: TransferState, transferId: string): StartedTransferState {
  if (state.phase === 'NONE') throw new DomainError('TRANSFER_NOT_FOUND', `transfer ${transferId} was never started`);
  return state;
}

function requireParty(accountId: string, expected: string, role: string): void {
  if (accountId !== expected) {
    throw new DomainError('VALIDATION_FAILED', `account ${accountId} is not this transfer's ${role}`);
  }
}
