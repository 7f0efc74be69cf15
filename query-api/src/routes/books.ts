/**
 * The reads that go over every account of a currency: the double-entry check of the books and the
 * ranking of accounts by balance. Each is a scan, so requests share one (coalesce.ts) and scans
 * of one currency start at most once per `scans.minIntervalMs`.
 */
import { formatMinor, type Currency } from '@bank/domain';
import { AccountDocSchema } from '@bank/contracts';
import { allow, parseInput } from '@bank/service-kit';
import { Router } from 'express';
import type { Document } from 'mongodb';
import { Coalescer, type CoalescerOptions } from '../coalesce';
import { AUDITORS, STAFF, TopAccountsQuery, TrialBalanceQuery } from '../queries';
import type { ReadCollections } from '../read-model';

export function booksRoutes(read: ReadCollections, scans: CoalescerOptions): Router {
  const router = Router();
  const staff = allow(...STAFF);

  /**
   * The double-entry check: every account's balance, and what its movements posted to the
   * external clearing account and to the transit account, summed over one currency. Each
   * movement posts equal and opposite amounts, so the total is zero whenever the books are
   * right, including while transfers are in flight (their money is in transit). It reads every
   * account of the currency: one such scan per currency at a time, shared by the requests that
   * wait for it, and at most one per `scans.minIntervalMs` however many ask (see coalesce.ts).
   */
  const trialBalances = new Coalescer<Sums>(scans);
  router.get('/api/v1/ledger/trial-balance', allow(...AUDITORS), async (req, res) => {
    const { currency } = parseInput(TrialBalanceQuery, req.query, 'query');
    const { customer, external, transit } = await trialBalances.run(currency, () => sumLedger(read, currency));
    const total = customer + external + transit;
    const money = (minor: bigint) => formatMinor(minor, currency);
    res.json({
      currency,
      accounts: { customer: money(customer), external: money(external), transit: money(transit) },
      total: money(total),
      balanced: total === 0n,
    });
  });

  // Sorting every account of the currency (FerretDB sorts in memory): one such query per
  // currency at a time (for the largest limit; each request takes its own), shared by the
  // requests that wait for it, and at most one per `scans.minIntervalMs` (see coalesce.ts).
  const topAccounts = new Coalescer<Document[]>(scans);
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

type Sums = { customer: bigint; external: bigint; transit: bigint };

/**
 * Every account's balance, and what its movements posted to the external clearing account and
 * to the transit account, summed over one currency. Summed here rather than with $group:
 * FerretDB 1.x returns 0 for every accumulator of a $group but the first. Each account
 * document is written atomically and balances on its own, so the sum is right however the reads
 * interleave with projection writes.
 */
async function sumLedger(read: ReadCollections, currency: Currency): Promise<Sums> {
  const sums: Sums = { customer: 0n, external: 0n, transit: 0n };
  const docs = read.accounts.find(
    { currency },
    { projection: { _id: 0, balance: 1, clearingPostings: 1, transitPostings: 1 } },
  );
  for await (const d of docs) {
    sums.customer += toBigInt(d.balance);
    sums.external += toBigInt(d.clearingPostings);
    sums.transit += toBigInt(d.transitPostings);
  }
  return sums;
}

/** $sum over int64 fields comes back as a number or a Long, depending on its size. */
function toBigInt(value: unknown): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'number') return BigInt(value);
  if (typeof value === 'bigint') return value;
  return BigInt(String(value)); // bson Long
}
