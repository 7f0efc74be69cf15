/**
 * The books: the double-entry check of the ledger and the ranking of accounts by balance, both
 * read from what the projections fold from the log (small reads by `_id`, whatever the number of
 * accounts); the ranking falls back to a scan when it cannot tell (coalesce.ts caps those).
 */
import { formatMinor } from '@bank/domain';
import {
  AccountDocSchema,
  BalanceDriftDocSchema,
  BOOKS_TOTALS_ID,
  BooksTotalsDocSchema,
  RANKING_ID_PREFIX,
  RankingDocSchema,
  topOfRanking,
} from '@bank/contracts';
import { allow, ApiError, parseInput } from '@bank/service-kit';
import { Router } from 'express';
import type { Document } from 'mongodb';
import { Coalescer, type CoalescerOptions } from '../coalesce';
import { AUDITORS, STAFF, TopAccountsQuery, TrialBalanceQuery } from '../queries';
import type { ReadCollections } from '../read-model';

export function booksRoutes(read: ReadCollections, scans: CoalescerOptions): Router {
  const router = Router();
  const staff = allow(...STAFF);

  /**
   * The double-entry check (docs/read-model.md, "The books"): what the log's movements posted to
   * the customer accounts, to the external clearing account and to the transit account, as the
   * projections folded them up to the transaction the read model has applied (so at most about a
   * second old), plus the drift of any account whose recorded balance disagrees with its own
   * movements. Each movement posts equal and opposite amounts, so the total is zero whenever the
   * books are right, including while transfers are in flight (their money is in transit).
   * Requests that arrive together share one pair of reads (never one that started before them).
   */
  const booksReads = new Coalescer<[Document | null, Document[]]>();
  router.get('/api/v1/ledger/trial-balance', allow(...AUDITORS), async (req, res) => {
    const { currency } = parseInput(TrialBalanceQuery, req.query, 'query');
    const [totalsDoc, driftDocs] = await booksReads.run(currency, () =>
      Promise.all([read.books.findOne({ _id: BOOKS_TOTALS_ID }), read.books.find({ currency }).toArray()]),
    );
    if (!totalsDoc) {
      res.setHeader('Retry-After', '1');
      throw new ApiError('SERVICE_UNAVAILABLE', 'the books are not folded from the log yet; retry in a second');
    }
    const books = BooksTotalsDocSchema.parse(totalsDoc);
    const totals = books.currencies[currency];
    const drift = driftDocs.reduce((sum, d) => sum + BigInt(BalanceDriftDocSchema.parse(d).drift), 0n);
    const customer = BigInt(totals?.customer ?? 0) + drift;
    const external = BigInt(totals?.external ?? 0);
    const transit = BigInt(totals?.transit ?? 0);
    const total = customer + external + transit;
    const money = (minor: bigint) => formatMinor(minor, currency);
    res.setHeader('X-Books-Log-Position', String(books.tx)); // as of this log transaction
    res.json({
      currency,
      accounts: { customer: money(customer), external: money(external), transit: money(transit) },
      total: money(total),
      balanced: total === 0n,
    });
  });

  /**
   * The ranking the projections fold from the log (one read by `_id`), when it can tell the
   * first `limit` (see `RankingDoc`); else a scan of every account of the currency (FerretDB
   * sorts in memory): at most one per `scans.minIntervalMs` per currency, computed for the
   * largest limit, whose result answers the requests that come within that interval of its start.
   * Either way a ranking as of at most about a second before the request.
   */
  const rankingReads = new Coalescer<Document | null>();
  const topScans = new Coalescer<Document[]>({ ...scans, maxAgeMs: scans.minIntervalMs ?? 0 });
  const mostTop = TopAccountsQuery.shape.limit.removeDefault().maxValue!;
  router.get('/api/v1/reports/top-accounts', staff, async (req, res) => {
    const q = parseInput(TopAccountsQuery, req.query, 'query');
    const raw = await rankingReads.run(q.currency, () =>
      read.books.findOne({ _id: `${RANKING_ID_PREFIX}${q.currency}` }),
    );
    const ranking = raw ? RankingDocSchema.parse(raw) : undefined;
    const ranked = ranking && topOfRanking(ranking, q.limit);
    if (ranking && ranked) res.setHeader('X-Books-Log-Position', String(ranking.tx));
    const items =
      ranked ??
      (
        await topScans.run(q.currency, () =>
          read.accounts.find({ currency: q.currency }).sort({ balance: -1, _id: 1 }).limit(mostTop).toArray(),
        )
      )
        .slice(0, q.limit)
        .map((d) => AccountDocSchema.parse(d));
    res.json({
      items: items.map((a) => ({
        accountId: a.accountId,
        ownerName: a.ownerName,
        balance: formatMinor(a.balance, q.currency),
        currency: q.currency,
      })),
    });
  });

  return router;
}
