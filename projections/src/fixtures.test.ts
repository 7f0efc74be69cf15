// Test support (not a test file: no *.unit.test.ts suffix), shared by the projections' unit tests.
import { encodeAccountEvent, movementOf, type AccountEvent, type Currency, type PublishedEvent } from '@bank/domain';

/**
 * A log of account events: each inner array is one log transaction, stored as the actor stores
 * its events (each movement records the balance after it).
 */
export function logOf(txs: Array<Array<[string, AccountEvent]>>): PublishedEvent[] {
  const balances = new Map<string, number>();
  const versions = new Map<string, number>();
  return txs.flatMap((events, t) =>
    events.map(([streamId, event], logIndex) => {
      const version = (versions.get(streamId) ?? 0) + 1;
      versions.set(streamId, version);
      const balance = (balances.get(streamId) ?? 0) + (movementOf(event)?.delta ?? 0);
      balances.set(streamId, balance);
      return {
        eventId: `${streamId}-${version}`,
        streamId,
        version,
        ...encodeAccountEvent(event, balance),
        metadata: { correlationId: 'c' },
        occurredAt: '2026-12-06T10:00:00.000Z',
        logTx: t + 1,
        logIndex,
      };
    }),
  );
}

export const opened = (accountId: string, currency: Currency, ownerName = 'O'): AccountEvent => ({
  type: 'AccountOpened',
  data: { accountId, ownerId: 'o', ownerName, accountType: 'CHECKING', currency, overdraftLimit: 0 },
});
export const deposit = (amount: number): AccountEvent => ({
  type: 'MoneyDeposited',
  data: { transactionId: `d${amount}`, amount, description: null },
});
export const withdrawal = (amount: number): AccountEvent => ({
  type: 'MoneyWithdrawn',
  data: { transactionId: `w${amount}`, amount, description: null },
});
export const debit = (transferId: string, to: string, amount: number): AccountEvent => ({
  type: 'TransferDebited',
  data: { transferId, transactionId: `${transferId}-d`, toAccountId: to, amount, description: null },
});
export const credit = (transferId: string, from: string, amount: number): AccountEvent => ({
  type: 'TransferCredited',
  data: { transferId, transactionId: `${transferId}-c`, fromAccountId: from, amount, description: null },
});
export const refund = (transferId: string, to: string, amount: number): AccountEvent => ({
  type: 'TransferRefunded',
  data: { transferId, transactionId: `${transferId}-r`, toAccountId: to, amount, failureCode: 'ACCOUNT_CLOSED' },
});
