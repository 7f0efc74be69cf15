import { deciderSpecification } from '../decider-specification.test';
import type { TransferCommand } from './commands';
import { transfer } from './decider';
import type { TransferEvent } from './events';
import { creditRecorded, refused, started, terms } from './fixtures.test';

const credited = creditRecorded('tx');
const start: TransferCommand = { type: 'StartTransfer', data: terms };
const recordCredit: TransferCommand = { type: 'RecordCredit', data: { transactionId: 'tx' } };
const recordRefusal: TransferCommand = {
  type: 'RecordCreditRefused',
  data: { failureCode: 'ACCOUNT_FROZEN', reason: 'account is frozen' },
};
const finish: TransferCommand = { type: 'FinishTransfer', data: {} };

/** given(events).when(command).then(events) / .thenThrows(code); see decider-specification.test.ts. */
const given = deciderSpecification(transfer);

describe('transfer decider', () => {
  it('starts a new transfer with its terms', () => given().when(start).then([started]));
  it('starting again with the same terms decides nothing', () => given(started).when(start).then([]));
  it('refuses to start again with other terms', () =>
    given(started)
      .when({ type: 'StartTransfer', data: { ...terms, amount: 999 } })
      .thenThrows('TRANSFER_ALREADY_EXISTS'));
  it('no step but the start exists before it', () => {
    given().when(recordCredit).thenThrows('TRANSFER_NOT_FOUND');
    given().when(recordRefusal).thenThrows('TRANSFER_NOT_FOUND');
    given().when(finish).thenThrows('TRANSFER_NOT_FOUND');
  });

  describe('credit and refusal exclude each other', () => {
    it('a debited transfer may be credited or refused', () => {
      given(started).when(recordCredit).then([credited]);
      given(started).when(recordRefusal).then([refused]);
    });
    it('once credited, it can never be refused', () =>
      given(started, credited).when(recordRefusal).thenThrows('TRANSFER_ALREADY_EXISTS'));
    it('once refused, it can never be credited', () =>
      given(started, refused).when(recordCredit).thenThrows('TRANSFER_ALREADY_EXISTS'));
    it('recording the same answer twice decides nothing', () => {
      given(started, credited).when(recordCredit).then([]);
      given(started, refused).when(recordRefusal).then([]);
    });
  });

  describe('finishing', () => {
    it('waits for the destination', () => given(started).when(finish).thenThrows('VERSION_CONFLICT'));
    it('completes a credited transfer', () =>
      given(started, credited)
        .when(finish)
        .then([{ type: 'TransferCompleted', data: {} }]));
    it('fails a refused transfer with the refusal as its code', () =>
      given(started, refused)
        .when(finish)
        .then([{ type: 'TransferFailed', data: { failureCode: 'ACCOUNT_FROZEN' } }]));
    it('an ended transfer decides nothing more', () => {
      given(started, credited, { type: 'TransferCompleted', data: {} }).when(finish).then([]);
      given(started, refused, { type: 'TransferFailed', data: { failureCode: 'ACCOUNT_FROZEN' } })
        .when(finish)
        .then([]);
      given(started, credited, { type: 'TransferCompleted', data: {} }).when(recordCredit).then([]);
    });
  });

  it('evolves to the phase the events say', () => {
    const fold = (...events: TransferEvent[]) => events.reduce(transfer.evolve, transfer.initialState());
    expect(fold()).toEqual({ phase: 'NONE' });
    expect(fold(started)).toEqual({ phase: 'DEBITED', terms });
    expect(fold(started, refused)).toEqual({ phase: 'CREDIT_REFUSED', terms, failureCode: 'ACCOUNT_FROZEN' });
    expect(fold(started, refused, { type: 'TransferFailed', data: { failureCode: 'ACCOUNT_FROZEN' } })).toEqual({
      phase: 'FAILED',
      terms,
      failureCode: 'ACCOUNT_FROZEN',
    });
  });
});
