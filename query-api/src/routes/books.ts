/**
 * The books: the double-entry check of the ledger, read from the totals the projections fold from
 * the log (two small reads, whatever the number of accounts), and the ranking of accounts by
 * balance, a scan that starts at most once per `scans.minIntervalMs` per currency and whose
 * result serves the requests of that interval (coalesce.ts).
 */
import { formatMinor } from '@bank/domain';
import { AccountDocSchema, BalanceDriftDocSchema, BOOKS_TOTALS_ID, BooksTotalsDocSchema } from '@bank/contracts';
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
   * Sorting every account of the currency (FerretDB sorts in memory): one such query per currency
   * at a time (for the largest limit; each request takes its own), at most one per
   * `scans.minIntervalMs`, and a request takes the last one if it started at most that long
   * before the request (a ranking as of at most a second ago, like the trial balance).
   */
  const topAccounts = new Coalescer<Document[]>({ ...scans, maxAgeMs: scans.minIntervalMs ?? 0 });
  const mostTop = TopAccountsQuery.shape.limit.removeDefault().maxValue!;
  router.get('/api/v1/reports/top-accounts', staff, async (req, res) => {
    const q = parseInput(TopAccountsQuery, req.query, 'query');
    const docs = await topAccounts.run(q.currency, () =>
      read.accounts.find({ currency: q.currency }).sort({ balance: -1, _id: 1 }).limit(mostTop).toArray(),
    );
    res.json({
      items: docs
        .slice(0, q.limit)
        .map((d) => AccountDocSchema.parse(d))
        .map((a) => ({
          accountId: a.accountId,
          ownerName: a.ownerName,
          balance: formatMinor(a.balance, a.currency),
          currency: a.currency,
        })),
    });
  });

  return router;
}
