import { decodeAccountEvent, encodeAccountEvent, recordedBalanceAfter, UnknownEventError } from './codec';
import type { AccountEvent } from './events';

describe('account event codec', () => {
  it('reads a MoneyDeposited stored at v1 (number amount) after the schema moved to v2', () => {
    const v1 = {
      type: 'MoneyDeposited',
      schemaVersion: 1,
      data: { transactionId: 't1', amount: 1234, description: null },
    };
    expect(decodeAccountEvent(v1)).toEqual({
      type: 'MoneyDeposited',
      data: { transactionId: 't1', amount: 1234, description: null },
    });
  });

  it('reads an AccountOpened stored at v1', () => {
    const data = {
      accountId: 'a',
      ownerId: 'o',
      ownerName: 'O',
      accountType: 'SAVINGS',
      currency: 'JPY',
      overdraftLimit: 0,
    };
    expect(decodeAccountEvent({ type: 'AccountOpened', schemaVersion: 1, data })).toEqual({
      type: 'AccountOpened',
      data,
    });
  });

  it('writes the current version, with money as integer strings', () => {
    const event: AccountEvent = {
      type: 'MoneyWithdrawn',
      data: { transactionId: 't', amount: 9_007_199_254_740_991, description: 'x' },
    };
    const stored = encodeAccountEvent(event);
    expect(stored).toEqual({
      type: 'MoneyWithdrawn',
      schemaVersion: 3,
      data: { transactionId: 't', amount: '9007199254740991', description: 'x' },
    });
    expect(decodeAccountEvent(stored)).toEqual(event);
  });

  it('records the balance after a movement (v3) and keeps it out of the domain event', () => {
    const event: AccountEvent = {
      type: 'MoneyDeposited',
      data: { transactionId: 't', amount: 250, description: null },
    };
    const stored = encodeAccountEvent(event, 1250);
    expect(stored.data).toMatchObject({ amount: '250', balanceAfter: '1250' });
    expect(decodeAccountEvent(stored)).toEqual(event);
    expect(recordedBalanceAfter(stored)).toBe(1250);
    expect(recordedBalanceAfter({ ...stored, schemaVersion: 2 })).toBeUndefined();
    expect(recordedBalanceAfter({ type: 'AccountFrozen', schemaVersion: 1, data: { reason: null } })).toBeUndefined();
  });

  it('refuses what it cannot read rather than guessing', () => {
    expect(() => decodeAccountEvent({ type: 'MoneyDeposited', schemaVersion: 4, data: {} })).toThrow(UnknownEventError);
    expect(() => decodeAccountEvent({ type: 'Teleported', schemaVersion: 1, data: {} })).toThrow(UnknownEventError);
    expect(() =>
      decodeAccountEvent({
        type: 'MoneyDeposited',
        schemaVersion: 2,
        data: { transactionId: 't', amount: '1e3', description: null },
      }),
    ).toThrow();
    expect(() =>
      decodeAccountEvent({
        type: 'MoneyDeposited',
        schemaVersion: 2,
        data: { transactionId: 't', amount: '9007199254740993', description: null },
      }),
    ).toThrow();
  });
});
