/**
 * The ranking of each currency's accounts by balance (see `RankingDoc`), folded from the log as
 * the books are (books.ts): each movement records the balance after it, so the fold sets that
 * account's entry; an opening enters it at 0. The list keeps the TOP_ACCOUNTS_KEPT highest; an
 * entry pushed out raises the floor (every account not listed is at most the floor), so the list
 * stays exact above it, and a report that needs more than it can tell falls back to a scan.
 * Folded from the log's start, the floor starts as "every account is listed".
 */
import { isAccountStream, movementOf, recordedBalanceAfter, type PublishedEvent } from '@bank/domain';
import { byRank, RANKING_ID_PREFIX, TOP_ACCOUNTS_KEPT, type RankedAccount, type RankingDoc } from '@bank/contracts';
import { accountEventOf, type AccountFacts } from './books';

/** A floor above every balance: nothing is known of the accounts not listed. */
const UNKNOWN = Number.MAX_SAFE_INTEGER;

export class Ranking {
  private constructor(
    /** Every movement of log transactions 1..tx is in the ranking, and no other. */
    public tx: number,
    private floor: number | null,
    private readonly entries: Map<string, RankedAccount>,
    private readonly keep: number,
  ) {}

  static empty(keep = TOP_ACCOUNTS_KEPT): Ranking {
    return new Ranking(0, null, new Map(), keep);
  }

  static fromDoc(doc: RankingDoc, keep = TOP_ACCOUNTS_KEPT): Ranking {
    const entries = (JSON.parse(doc.entries) as RankedAccount[]).map((e) => [e.accountId, e] as const);
    return new Ranking(doc.tx, doc.floor, new Map(entries), keep);
  }

  copy(): Ranking {
    return new Ranking(this.tx, this.floor, new Map(this.entries), this.keep);
  }

  toDoc(currency: string): RankingDoc {
    const entries = [...this.entries.values()].sort(byRank);
    return { _id: `${RANKING_ID_PREFIX}${currency}`, tx: this.tx, floor: this.floor, entries: JSON.stringify(entries) };
  }

  /** The account's balance is now `balance` (undefined: not recorded, and not known here). */
  set(accountId: string, ownerName: string, balance: number | undefined): void {
    if (balance === undefined) {
      // A movement of an old schema without its balance: the account cannot be placed any more.
      this.entries.delete(accountId);
      this.floor = UNKNOWN;
      return;
    }
    this.entries.set(accountId, { accountId, ownerName, balance });
    if (this.entries.size <= this.keep) return;
    let lowest: RankedAccount | undefined;
    for (const e of this.entries.values()) if (!lowest || byRank(e, lowest) > 0) lowest = e;
    this.entries.delete(lowest!.accountId);
    this.floor = Math.max(this.floor ?? -Infinity, lowest!.balance);
  }

  /**
   * Whether the ranking tells fewer than half the accounts it keeps: its richest accounts emptied
   * below others it no longer lists (the floor only rises), or a balance became unknown. Then it
   * is refilled from the account documents (`refill`), or every top-accounts report would scan.
   */
  needsRefill(): boolean {
    if (this.floor === null) return false;
    let above = 0;
    for (const e of this.entries.values()) if (e.balance > this.floor) above++;
    return above < this.keep / 2;
  }

  /**
   * The ranking from the highest balances of the currency's account documents, in rank order,
   * one more than it keeps if there are that many (that one's balance is the new floor).
   */
  refill(highest: RankedAccount[]): void {
    this.entries.clear();
    for (const e of highest.slice(0, this.keep)) this.entries.set(e.accountId, e);
    this.floor = highest.length > this.keep ? highest[this.keep]!.balance : null;
  }
}

/**
 * One Ranking per currency, each with its own position; `tx` is where all of them are. A
 * currency without a ranking had no account before `tx`: its ranking starts there, complete.
 */
export class Rankings {
  constructor(
    public tx = 0,
    private readonly byCurrency = new Map<string, Ranking>(),
    private readonly keep = TOP_ACCOUNTS_KEPT,
  ) {}

  /** The stored rankings; none at all means they start at the log's start (a read model that predates them too). */
  static fromDocs(docs: RankingDoc[], keep = TOP_ACCOUNTS_KEPT): Rankings {
    const byCurrency = new Map(docs.map((d) => [d._id.slice(RANKING_ID_PREFIX.length), Ranking.fromDoc(d, keep)]));
    return new Rankings(Math.min(...docs.map((d) => d.tx), docs.length === 0 ? 0 : Infinity), byCurrency, keep);
  }

  /** The currencies whose ranking needs a refill, with it (see `Ranking.needsRefill`). */
  needingRefill(): [string, Ranking][] {
    return [...this.byCurrency].filter(([, r]) => r.needsRefill());
  }

  copy(): Rankings {
    return new Rankings(this.tx, new Map([...this.byCurrency].map(([c, r]) => [c, r.copy()])), this.keep);
  }

  toDocs(): RankingDoc[] {
    return [...this.byCurrency].map(([currency, r]) => r.toDoc(currency));
  }

  /**
   * Folds the movements of `events` (the log's, in log order) that each currency's ranking does
   * not have yet, up to `throughTx`, and moves every ranking there. Every transaction after the
   * lowest ranking's position must be among `events`.
   */
  async fold(events: PublishedEvent[], throughTx: number, facts: AccountFacts): Promise<void> {
    for (const stored of events) {
      if (stored.logTx <= this.tx || stored.logTx > throughTx || !isAccountStream(stored.streamId)) continue;
      const event = accountEventOf(stored);
      let balance: number | undefined;
      if (event.type === 'AccountOpened') {
        facts.note(stored.streamId, { currency: event.data.currency, ownerName: event.data.ownerName });
        balance = 0;
      } else {
        const movement = movementOf(event);
        if (!movement) continue;
        balance = recordedBalanceAfter(stored);
      }
      const { currency, ownerName } = await facts.of(stored.streamId);
      let ranking = this.byCurrency.get(currency);
      if (!ranking) this.byCurrency.set(currency, (ranking = Ranking.empty(this.keep)));
      if (stored.logTx > ranking.tx) ranking.set(stored.streamId, ownerName, balance);
    }
    for (const r of this.byCurrency.values()) if (throughTx > r.tx) r.tx = throughTx;
    if (throughTx > this.tx) this.tx = throughTx;
  }
}
