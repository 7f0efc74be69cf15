import { AccountFacts, BookTotals } from './books';
import { credit, debit, deposit, logOf, opened, refund, withdrawal } from './fixtures.test';

const noLookups = () =>
  new AccountFacts(async (id) => {
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
    const currencies = new AccountFacts(async (id) => {
      looked.push(id);
      return { currency: id === 'u' ? 'USD' : 'EUR', ownerName: 'O' };
    });
    const later = BookTotals.fromDoc({ _id: 'totals', tx: 3, currencies: {} });
    await later.fold(log, 10, currencies);
    expect(looked.sort()).toEqual(['a', 'b', 'u']);
    expect(sidesOf(later, 'EUR')).toEqual({ customer: 7_500, external: -7_500, transit: 0 });
    await expect(BookTotals.empty().fold(log.slice(3), 10, new AccountFacts(async () => undefined))).rejects.toThrow(
      /not in the read model/,
    );
  });

  it('stores exact sums beyond 2^53 minor units, currencies in name order, and reads them back', async () => {
    const big = Number.MAX_SAFE_INTEGER;
    const books = BookTotals.empty();
    const rich = logOf([
      [['x', opened('x', 'USD')]],
      [['y', opened('y', 'EUR')]],
      [['z', opened('z', 'USD')]],
      [['x', deposit(big)]],
      [['y', deposit(big)]],
      [['z', deposit(big)]],
    ]);
    await books.fold(rich, 6, noLookups());
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
