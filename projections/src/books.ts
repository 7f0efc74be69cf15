/**
 * The double-entry books' totals (docs/read-model.md, "The books"): for each currency, what the
 * log's movements posted to the customer accounts, to the external clearing account and to the
 * transit account, folded in log order up to a log transaction. Each movement posts equal and
 * opposite amounts (`postingsOf`), so the totals balance at every transaction boundary, including
 * in the middle of a transfer, whose money is then in transit.
 *
 * The fold is pure but for one thing: movements do not carry their currency, the account's
 * opening does, so an account opened before the folded range is looked up (AccountFacts).
 */
import {
  isAccountStream,
  postingsOf,
  toAccountEvent,
  type AccountEvent,
  type Currency,
  type PublishedEvent,
} from '@bank/domain';
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
  async fold(events: PublishedEvent[], throughTx: number, facts: AccountFacts): Promise<void> {
    for (const stored of events) {
      if (stored.logTx <= this.tx || stored.logTx > throughTx || !isAccountStream(stored.streamId)) continue;
      const event = accountEventOf(stored);
      if (event.type === 'AccountOpened') {
        facts.note(stored.streamId, { currency: event.data.currency, ownerName: event.data.ownerName });
      }
      const postings = postingsOf(event);
      if (!postings) continue;
      const { currency } = await facts.of(stored.streamId);
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

/**
 * The account event a stored one decodes to, decoded once however many folds read it (the
 * books' totals and the rankings fold the same page of the log).
 */
const decoded = new WeakMap<PublishedEvent, AccountEvent>();
export function accountEventOf(stored: PublishedEvent): AccountEvent {
  let event = decoded.get(stored);
  if (!event) decoded.set(stored, (event = toAccountEvent(stored)));
  return event;
}

/** What never changes about an account and the folds need: its currency and its owner's name. */
export type AccountFact = { currency: Currency; ownerName: string };

/** Each account's facts: from its opening when a fold saw it, else looked up once (and remembered). */
export class AccountFacts {
  private readonly known = new Map<string, AccountFact>();

  constructor(
    private readonly lookup: (accountId: string) => Promise<AccountFact | undefined>,
    private readonly limit = 100_000,
  ) {}

  note(accountId: string, fact: AccountFact): void {
    if (this.known.size >= this.limit) this.known.clear();
    this.known.set(accountId, fact);
  }

  async of(accountId: string): Promise<AccountFact> {
    const known = this.known.get(accountId);
    if (known) return known;
    const fact = await this.lookup(accountId);
    if (!fact)
      throw new Error(`the books cannot post a movement of ${accountId}: its account is not in the read model`);
    this.note(accountId, fact);
    return fact;
  }
}
