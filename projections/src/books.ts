/**
 * The double-entry books' totals (docs/read-model.md, "The books"): for each currency, what the
 * log's movements posted to the customer accounts, to the external clearing account and to the
 * transit account, folded in log order up to a log transaction. Each movement posts equal and
 * opposite amounts (`postingsOf`), so the totals balance at every transaction boundary, including
 * in the middle of a transfer, whose money is then in transit.
 *
 * The fold is pure but for one thing: movements do not carry their currency, the account's
 * opening does, so an account opened before the folded range is looked up (and remembered).
 */
import { isAccountStream, postingsOf, toAccountEvent, type Currency, type PublishedEvent } from '@bank/domain';
import { BOOKS_TOTALS_ID, type BooksTotalsDoc } from '@bank/contracts';

export type BookSides = { customer: bigint; external: bigint; transit: bigint };

export class BookTotals {
  private constructor(
    /** Every movement of log transactions 1..tx is in the totals, and no other. */
    public tx: number,
    private readonly sides: Map<string, BookSides>,
  ) {}

  static empty(): BookTotals {
    return new BookTotals(0, new Map());
  }

  static fromDoc(doc: BooksTotalsDoc): BookTotals {
    const sides = new Map<string, BookSides>();
    for (const [currency, s] of Object.entries(doc.currencies)) {
      sides.set(currency, { customer: BigInt(s.customer), external: BigInt(s.external), transit: BigInt(s.transit) });
    }
    return new BookTotals(doc.tx, sides);
  }

  copy(): BookTotals {
    return new BookTotals(this.tx, new Map([...this.sides].map(([c, s]) => [c, { ...s }])));
  }

  of(currency: string): BookSides {
    return this.sides.get(currency) ?? { customer: 0n, external: 0n, transit: 0n };
  }

  /** Currencies in name order, so the same totals are always stored as the same bytes. */
  toDoc(): BooksTotalsDoc {
    const currencies: BooksTotalsDoc['currencies'] = {};
    for (const currency of [...this.sides.keys()].sort()) {
      const s = this.sides.get(currency)!;
      currencies[currency] = { customer: `${s.customer}`, external: `${s.external}`, transit: `${s.transit}` };
    }
    return { _id: BOOKS_TOTALS_ID, tx: this.tx, currencies };
  }

  /**
   * Posts the movements of `events` (the log's, in log order) whose transaction is after `tx`
   * and at most `throughTx`, and moves `tx` to `throughTx`. Every transaction in between must be
   * among `events`: the caller read the log over that range.
   */
  async fold(events: PublishedEvent[], throughTx: number, currencies: AccountCurrencies): Promise<void> {
    for (const stored of events) {
      if (stored.logTx <= this.tx || stored.logTx > throughTx || !isAccountStream(stored.streamId)) continue;
      const event = toAccountEvent(stored);
      if (event.type === 'AccountOpened') currencies.note(stored.streamId, event.data.currency);
      const postings = postingsOf(event);
      if (!postings) continue;
      const currency = await currencies.of(stored.streamId);
      const sides = this.of(currency);
      this.sides.set(currency, {
        customer: sides.customer + BigInt(postings.customer),
        external: sides.external + BigInt(postings.clearing),
        transit: sides.transit + BigInt(postings.transit),
      });
    }
    if (throughTx > this.tx) this.tx = throughTx;
  }
}

/** Each account's currency: from its opening when the fold saw it, else looked up once. */
export class AccountCurrencies {
  private readonly known = new Map<string, Currency>();

  constructor(
    private readonly lookup: (accountId: string) => Promise<Currency | undefined>,
    private readonly limit = 100_000,
  ) {}

  note(accountId: string, currency: Currency): void {
    if (this.known.size >= this.limit) this.known.clear();
    this.known.set(accountId, currency);
  }

  async of(accountId: string): Promise<Currency> {
    const known = this.known.get(accountId);
    if (known) return known;
    const currency = await this.lookup(accountId);
    if (!currency)
      throw new Error(`the books cannot post a movement of ${accountId}: its account is not in the read model`);
    this.note(accountId, currency);
    return currency;
  }
}
