import { encodeAccountEvent, type AccountEvent, type Currency, type PublishedEvent } from '@bank/domain';
import { AccountCurrencies, BookTotals } from './books';

/** A log: each inner array is one transaction, stored as the actor stores its events. */
function logOf(txs: Array<Array<[string, AccountEvent]>>): PublishedEvent[] {
  const versions = new Map<string, number>();
  return txs.flatMap((events, t) =>
    events.map(([streamId, event], logIndex) => {
      const version = (versions.get(streamId) ?? 0) + 1;
      versions.set(streamId, version);
      return {
        eventId: `${streamId}-${version}`,
        streamId,
        version,
        ...encodeAccountEvent(event, 0),
        metadata: { correlationId: 'c' },
        occurredAt: '2026-12-06T10:00:00.000Z',
        logTx: t + 1,
        logIndex,
      };
    }),
  );
}

const opened = (accountId: string, currency: Currency): AccountEvent => ({
  type: 'AccountOpened',
  data: { accountId, ownerId: 'o', ownerName: 'O', accountType: 'CHECKING', currency, overdraftLimit: 0 },
});
const deposit = (amount: number): AccountEvent => ({
  type: 'MoneyDeposited',
  data: { transactionId: `d${amount}`, amount, description: null },
});
const withdrawal = (amount: number): AccountEvent => ({
  type: 'MoneyWithdrawn',
  data: { transactionId: `w${amount}`, amount, description: null },
});
const debit = (transferId: string, to: string, amount: number): AccountEvent => ({
  type: 'TransferDebited',
  data: { transferId, transactionId: `${transferId}-d`, toAccountId: to, amount, description: null },
});
const credit = (transferId: string, from: string, amount: number): AccountEvent => ({
  type: 'TransferCredited',
  data: { transferId, transactionId: `${transferId}-c`, fromAccountId: from, amount, description: null },
});
const refund = (transferId: string, to: string, amount: number): AccountEvent => ({
  type: 'TransferRefunded',
  data: { transferId, transactionId: `${transferId}-r`, toAccountId: to, amount, failureCode: 'ACCOUNT_CLOSED' },
});

const noLookups = () =>
  new AccountCurrencies(async (id) => {
    throw new Error(`looked up ${id}`);
  });
const sidesOf = (books: BookTotals, currency: string) => {
  const s = books.of(currency);
  return { customer: Number(s.customer), external: Number(s.external), transit: Number(s.transit) };
};

describe('the books: totals folded from the log', () => {
  const log = logOf([
    [['a', opened('a', 'EUR')]],
    [['b', opened('b', 'EUR')]],
    [['u', opened('u', 'USD')]],
    [['a', deposit(10_000)]],
    [['u', deposit(700)]],
    [['a', debit('t1', 'b', 3_000)]], // t1 in flight after this transaction
    [['b', credit('t1', 'a', 3_000)]],
    [['a', debit('t2', 'b', 1_000)]],
    [['a', refund('t2', 'b', 1_000)]],
    [
      ['a', withdrawal(2_500)],
      ['u', withdrawal(200)],
    ],
  ]);

  it('posts each movement twice, equal and opposite, so every currency balances at every transaction', async () => {
    const books = BookTotals.empty();
    const currencies = noLookups();
    for (let tx = 1; tx <= 10; tx++) {
      await books.fold(log, tx, currencies);
      for (const c of ['EUR', 'USD']) {
        const s = books.of(c);
        expect([tx, c, s.customer + s.external + s.transit]).toEqual([tx, c, 0n]);
      }
    }
    expect(books.tx).toBe(10);
    expect(sidesOf(books, 'EUR')).toEqual({ customer: 7_500, external: -7_500, transit: 0 });
    expect(sidesOf(books, 'USD')).toEqual({ customer: 500, external: -500, transit: 0 });
  });

  it('shows a transfer in flight in transit, and still balances', async () => {
    const books = BookTotals.empty();
    await books.fold(log, 6, noLookups());
    expect(sidesOf(books, 'EUR')).toEqual({ customer: 7_000, external: -10_000, transit: 3_000 });
  });

  it('posts a transaction once: what is at or before its position is left out', async () => {
    const once = BookTotals.empty();
    await once.fold(log, 10, noLookups());
    const twice = BookTotals.empty();
    const currencies = noLookups();
    await twice.fold(log, 5, currencies);
    await twice.fold(log, 10, currencies); // the same page again, from the start
    await twice.fold(log, 10, currencies);
    expect(twice.toDoc()).toEqual(once.toDoc());
    const ahead = BookTotals.empty();
    await ahead.fold(log, 3, noLookups());
    await ahead.fold([], 3, noLookups()); // nothing new
    expect(ahead.tx).toBe(3);
  });

  it('looks up the currency of an account opened before the folded range, once', async () => {
    const looked: string[] = [];
    const currencies = new AccountCurrencies(async (id) => {
      looked.push(id);
      return id === 'u' ? 'USD' : 'EUR';
    });
    const later = BookTotals.fromDoc({ _id: 'totals', tx: 3, currencies: {} });
    await later.fold(log, 10, currencies);
    expect(looked.sort()).toEqual(['a', 'b', 'u']);
    expect(sidesOf(later, 'EUR')).toEqual({ customer: 7_500, external: -7_500, transit: 0 });
    await expect(
      BookTotals.empty().fold(log.slice(3), 10, new AccountCurrencies(async () => undefined)),
    ).rejects.toThrow(/not in the read model/);
  });

  it('stores exact sums beyond 2^53 minor units, currencies in name order, and reads them back', async () => {
    const big = Number.MAX_SAFE_INTEGER;
    const books = BookTotals.empty();
    const rich = logOf([
      [['x', opened('x', 'USD')]],
      [['y', opened('y', 'EUR')]],
      [['x', deposit(big)]],
      [['y', deposit(big)]],
      [['x', deposit(big)]],
    ]);
    await books.fold(rich, 5, noLookups());
    const doc = books.toDoc();
    expect(Object.keys(doc.currencies)).toEqual(['EUR', 'USD']);
    expect(doc.currencies.USD).toEqual({
      customer: `${2n * BigInt(big)}`,
      external: `${-2n * BigInt(big)}`,
      transit: '0',
    });
    expect(BookTotals.fromDoc(doc).toDoc()).toEqual(doc);
  });
});
