/**
 * An account's movements from the read model: its history, a page at a time (history.ts reads
 * the per-account buckets), and its balance day by day.
 */
import { formatMinor, IdSchema, parseAmountField } from '@bank/domain';
import {
  dailyBalancesMonthId,
  DailyBalancesMonthDocSchema,
  dailyBalancesOf,
  monthOf,
  monthsBetween,
  type AccountDoc,
} from '@bank/contracts';
import { accessOf, allow, ApiError, parseInput } from '@bank/service-kit';
import { Router } from 'express';
import { BucketCache, bucketsOf, historyPage } from '../history';
import { DailyBalancesQuery, MAX_DAYS, READERS, TransactionsQuery } from '../queries';
import type { ReadCollections } from '../read-model';
import { accountAtLeast, decodeCursor, encodeCursor } from '../reads';

export function historyRoutes(read: ReadCollections): Router {
  const router = Router();
  const readers = allow(...READERS);
  const buckets = new BucketCache();

  router.get('/api/v1/accounts/:accountId/transactions', readers, async (req, res) => {
    const accountId = parseInput(IdSchema, req.params.accountId, 'path');
    const q = parseInput(TransactionsQuery, req.query, 'query');
    const account = await accountAtLeast(
      read,
      accountId,
      { minVersion: q.minVersion, ownerId: accessOf(req).ownerId },
      res,
    );
    // Parsed with the account's currency, so "0.001" is refused for USD (VALIDATION_FAILED).
    const amountOf = (text: string | undefined, name: string) =>
      text === undefined ? undefined : parseAmountField(text, account.currency, `query.${name}`);
    const minAmount = amountOf(q.minAmount, 'minAmount');
    const maxAmount = amountOf(q.maxAmount, 'maxAmount');
    if (minAmount !== undefined && maxAmount !== undefined && minAmount > maxAmount) {
      throw new ApiError('VALIDATION_FAILED', 'minAmount must not exceed maxAmount', [
        { path: 'query.minAmount', message: 'greater than maxAmount' },
      ]);
    }
    writtenInLayout(account, HISTORY_BUCKETS_LAYOUT);
    const page = await historyPage(
      bucketsOf(read.history, accountId, account.transactionCount, buckets),
      account.transactionCount,
      {
        order: q.order,
        limit: q.limit,
        after: q.cursor === undefined ? undefined : decodeCursor(q.cursor, 's', 'number'),
        from: q.from,
        to: q.to,
        type: q.type,
        minAmount,
        maxAmount,
        span: { first: account.firstTransactionAt, last: account.lastTransactionAt },
      },
    );
    const money = (minor: number) => formatMinor(minor, account.currency);
    res.json({
      items: page.items.map((t) => ({
        transactionId: t.transactionId,
        accountId: account.accountId,
        type: t.type,
        amount: money(t.amount),
        currency: account.currency,
        balanceAfter: money(t.balanceAfter),
        description: t.description,
        occurredAt: t.occurredAt,
        version: t.version,
        ...(t.transferId ? { transferId: t.transferId, counterpartyAccountId: t.counterpartyAccountId } : {}),
      })),
      nextCursor: page.nextAfter === null ? null : encodeCursor({ s: page.nextAfter }),
    });
  });

  router.get('/api/v1/accounts/:accountId/daily-balances', readers, async (req, res) => {
    const accountId = parseInput(IdSchema, req.params.accountId, 'path');
    const q = parseInput(DailyBalancesQuery, req.query, 'query');
    const account = await accountAtLeast(
      read,
      accountId,
      { minVersion: q.minVersion, ownerId: accessOf(req).ownerId },
      res,
    );
    const to = q.to ?? new Date().toISOString().slice(0, 10);
    const from = q.from ?? addDays(to, -29);
    if (daysBetween(from, to) >= MAX_DAYS) {
      throw new ApiError('VALIDATION_FAILED', `at most ${MAX_DAYS} days per request`, [
        { path: 'query.from', message: 'range too long' },
      ]);
    }
    writtenInLayout(account, MONTH_DOCUMENTS_LAYOUT);
    const opened = account.openedAt.slice(0, 10);
    const start = from < opened ? opened : from;
    // The documents of the range's months, by _id: as many reads as months, whatever the history.
    const months = start > to ? [] : monthsBetween(monthOf(start), monthOf(to));
    const docs = await Promise.all(
      months.map(async (month) => {
        const raw = await read.dailyBalances.findOne({ _id: dailyBalancesMonthId(accountId, month) });
        return raw ? DailyBalancesMonthDocSchema.parse(raw) : undefined;
      }),
    );
    const money = (minor: number) => formatMinor(minor, account.currency);
    const items = dailyBalancesOf(docs, start, to, account.balance).map((d) => ({
      ...d,
      openingBalance: money(d.openingBalance),
      closingBalance: money(d.closingBalance),
      credits: money(d.credits),
      debits: money(d.debits),
    }));
    res.json({ items });
  });

  return router;
}

/** The read-model layouts (`READ_MODEL_LAYOUT`) that brought history buckets and month documents of days. */
const HISTORY_BUCKETS_LAYOUT = 2;
const MONTH_DOCUMENTS_LAYOUT = 3;

/**
 * An account written in a layout before `layout` lacks the documents this read needs; the
 * projections are moving it to the current layout (a rebuild at start, or the account's next
 * event): 503, retry shortly.
 */
function writtenInLayout(account: AccountDoc, layout: number): void {
  if ((account.layout ?? 1) < layout) {
    throw new ApiError(
      'SERVICE_UNAVAILABLE',
      "this account's history is being moved to the current read-model layout; retry shortly",
    );
  }
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
