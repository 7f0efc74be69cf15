import {
  AccountDocSchema,
  AccountStatusSchema,
  DailyBalanceDocSchema,
  CurrencySchema,
  DecimalSchema,
  formatMinor,
  IdSchema,
  READ_MODEL_LAYOUT,
  TRANSACTION_TYPES,
  transferStreamId,
  parseAmountField,
} from '@bank/domain';
import {
  accessOf,
  allow,
  ApiError,
  parseInput,
  SidecarError,
  sendProblem,
  type EventLogClient,
  type Role,
} from '@bank/service-kit';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Document } from 'mongodb';
import { Coalescer, type CoalescerOptions } from './coalesce';
import { bucketsOf, historyPage } from './history';
import type { ReadCollections } from './read-model';
import { accountAtLeast, accountView, decodeCursor, encodeCursor, ownsAccount } from './reads';

const MinVersion = z.coerce.number().int().nonnegative().optional();
const Instant = z.iso.datetime({ offset: true }).transform((t) => new Date(t).toISOString());
export const CurrencyParam = CurrencySchema;

export const AccountQuery = z.strictObject({ minVersion: MinVersion });
export const AccountListQuery = z.strictObject({
  ownerId: z.string().min(1).max(128).optional(),
  status: AccountStatusSchema.optional(),
  currency: CurrencyParam.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(300).optional(),
});
export const TransactionsQuery = z
  .strictObject({
    minVersion: MinVersion,
    from: Instant.optional(),
    to: Instant.optional(),
    type: z.enum(TRANSACTION_TYPES).optional(),
    minAmount: DecimalSchema.optional(),
    maxAmount: DecimalSchema.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(200).optional(),
    order: z.enum(['asc', 'desc']).default('desc'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });
const Day = z.iso.date();
const MAX_DAYS = 366;
export const DailyBalancesQuery = z
  .strictObject({ minVersion: MinVersion, from: Day.optional(), to: Day.optional() })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

export const BalanceAtQuery = z.strictObject({ timestamp: Instant });

/** An audit page checks one proof per event: at most 100 (event-source bounds the work too). */
export const EventsQuery = z.strictObject({
  fromVersion: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const TopAccountsQuery = z.strictObject({
  currency: CurrencyParam,
  limit: z.coerce.number().int().min(1).max(100).default(10),
});

// Who may read what (docs/security.md): account reads are scoped to a customer's own accounts; the
// audit trail and the books are the auditors' (and admins'); the ranking of every account is
// for the bank's staff.
export const READERS: Role[] = ['customer', 'teller', 'auditor', 'admin'];
export const AUDITORS: Role[] = ['auditor', 'admin'];
export const STAFF: Role[] = ['teller', 'auditor', 'admin'];

/** The read side of the public API, as its OpenAPI document (openapi.ts, GET /openapi.json) describes it. */
export function queryRoutes(
  read: ReadCollections,
  eventLog: Pick<EventLogClient, 'balanceAt' | 'audit'>,
  scans: CoalescerOptions,
): Router {
  const router = Router();
  const readers = allow(...READERS);
  const auditors = allow(...AUDITORS);
  const staff = allow(...STAFF);
  const logUnavailable = (err: unknown) => {
    throw err instanceof SidecarError
      ? new ApiError('SERVICE_UNAVAILABLE', 'the event log did not answer; retry shortly')
      : err;
  };

  // The audit trail, read from the ImmuDB log through event-source, which checks the proofs: an
  // account's stream, and a transfer's own (the steps that decided it).
  const auditTrail = async (req: Request, res: Response, streamId: string, notFound: ApiError) => {
    const { fromVersion, limit } = parseInput(EventsQuery, req.query, 'query');
    const page = await eventLog.audit(streamId, fromVersion, limit).catch(logUnavailable);
    if (!page) throw notFound;
    const { verification } = page;
    if (!verification.verified) {
      // Never hand out entries that failed verification: a problem with the verification report.
      const failed = `the event log failed verification: ${verification.failure}`;
      sendProblem(res, new ApiError('LOG_VERIFICATION_FAILED', failed), { verification });
      return;
    }
    res.json({
      items: page.events.map((e) => ({
        eventId: e.eventId,
        version: e.version,
        type: e.type,
        schemaVersion: e.schemaVersion,
        data: e.data,
        metadata: e.metadata,
        occurredAt: e.occurredAt,
      })),
      nextFromVersion: page.nextFromVersion,
      verification,
    });
  };
  router.get('/api/v1/accounts/:accountId/events', auditors, async (req, res) => {
    const accountId = parseInput(IdSchema, req.params.accountId, 'path');
    await auditTrail(req, res, accountId, new ApiError('ACCOUNT_NOT_FOUND', `account ${accountId} not found`));
  });
  router.get('/api/v1/transfers/:transferId/events', auditors, async (req, res) => {
    const transferId = parseInput(IdSchema, req.params.transferId, 'path');
    const notFound = new ApiError('TRANSFER_NOT_FOUND', `transfer ${transferId} not found in the log`);
    await auditTrail(req, res, transferStreamId(transferId), notFound);
  });

  // Answered from the event log itself (through event-source), not from the read model.
  router.get('/api/v1/accounts/:accountId/balance-at', readers, async (req, res) => {
    const accountId = parseInput(IdSchema, req.params.accountId, 'path');
    const { timestamp } = parseInput(BalanceAtQuery, req.query, 'query');
    // A customer's: the owner is checked in the read model first (an account opened a moment
    // ago may not be there yet: ACCOUNT_NOT_FOUND until it is).
    const { ownerId } = accessOf(req);
    const visible = ownerId === undefined || (await ownsAccount(read, accountId, ownerId));
    const found = visible ? await eventLog.balanceAt(accountId, timestamp).catch(logUnavailable) : undefined;
    if (!found) throw new ApiError('ACCOUNT_NOT_FOUND', `account ${accountId} did not exist at ${timestamp}`);
    const currency = CurrencyParam.parse(found.currency);
    res.json({
      accountId,
      currency,
      balance: formatMinor(found.balance, currency),
      version: found.version,
      at: timestamp,
    });
  });

  router.get('/api/v1/accounts', readers, async (req, res) => {
    const q = parseInput(AccountListQuery, req.query, 'query');
    // A customer's list holds its own accounts only, whatever ownerId it asks for.
    const { ownerId } = accessOf(req);
    if (ownerId !== undefined && q.ownerId !== undefined && q.ownerId !== ownerId) {
      res.json({ items: [], nextCursor: null });
      return;
    }
    const owner = ownerId ?? q.ownerId;
    const filter: Record<string, unknown> = {
      ...(owner ? { ownerId: owner } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.currency ? { currency: q.currency } : {}),
      ...(q.cursor ? { _id: { $gt: decodeCursor(q.cursor, 'id', 'string') } } : {}),
    };
    const docs = await read.accounts
      .find(filter)
      .sort({ _id: 1 })
      .limit(q.limit + 1)
      .toArray();
    const page = docs.slice(0, q.limit).map((d) => AccountDocSchema.parse(d));
    const last = page[page.length - 1];
    res.json({
      items: page.map(accountView),
      nextCursor: docs.length > q.limit && last ? encodeCursor({ id: last._id }) : null,
    });
  });

  router.get('/api/v1/accounts/:accountId', readers, async (req, res) => {
    const accountId = parseInput(IdSchema, req.params.accountId, 'path');
    const { minVersion } = parseInput(AccountQuery, req.query, 'query');
    const doc = await accountAtLeast(read, accountId, { minVersion, ownerId: accessOf(req).ownerId }, res);
    res.setHeader('ETag', `"${doc.version}"`).json(accountView(doc));
  });

  router.get('/api/v1/accounts/:accountId/summary', readers, async (req, res) => {
    const accountId = parseInput(IdSchema, req.params.accountId, 'path');
    const { minVersion } = parseInput(AccountQuery, req.query, 'query');
    const a = await accountAtLeast(read, accountId, { minVersion, ownerId: accessOf(req).ownerId }, res);
    const money = (minor: number) => formatMinor(minor, a.currency);
    res.setHeader('ETag', `"${a.version}"`).json({
      accountId: a.accountId,
      currency: a.currency,
      balance: money(a.balance),
      totalDeposits: money(a.totalDeposits),
      totalWithdrawals: money(a.totalWithdrawals),
      totalTransfersIn: money(a.totalTransfersIn),
      totalTransfersOut: money(a.totalTransfersOut),
      transactionCount: a.transactionCount,
      firstTransactionAt: a.firstTransactionAt,
      lastTransactionAt: a.lastTransactionAt,
    });
  });

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
    if ((account.layout ?? 1) < READ_MODEL_LAYOUT) {
      throw new ApiError(
        'SERVICE_UNAVAILABLE',
        "this account's history is being moved to the current read-model layout; retry shortly",
      );
    }
    const page = await historyPage(bucketsOf(read.history, accountId), account.transactionCount, {
      order: q.order,
      limit: q.limit,
      after: q.cursor === undefined ? undefined : decodeCursor(q.cursor, 's', 'number'),
      from: q.from,
      to: q.to,
      type: q.type,
      minAmount,
      maxAmount,
      span: { first: account.firstTransactionAt, last: account.lastTransactionAt },
    });
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
    const opened = account.openedAt.slice(0, 10);
    const start = from < opened ? opened : from;
    const [before] = await read.dailyBalances
      .find({ accountId, date: { $lt: start } })
      .sort({ date: -1 })
      .limit(1)
      .toArray();
    const docs = await read.dailyBalances
      .find({ accountId, date: { $gte: start, $lte: to } })
      .sort({ date: 1 })
      .toArray();
    const byDate = new Map(docs.map((d) => DailyBalanceDocSchema.parse(d)).map((d) => [d.date, d]));
    let carried = before ? DailyBalanceDocSchema.parse(before).closingBalance : 0;
    const money = (minor: number) => formatMinor(minor, account.currency);
    const items = [];
    // Every day of the range from the opening on; a day without movements carries the balance.
    for (let day = start; day <= to; day = addDays(day, 1)) {
      const d = byDate.get(day);
      items.push({
        date: day,
        openingBalance: money(d ? d.openingBalance : carried),
        closingBalance: money(d ? d.closingBalance : carried),
        credits: money(d ? d.credits : 0),
        debits: money(d ? d.debits : 0),
        transactionCount: d ? d.transactionCount : 0,
      });
      if (d) carried = d.closingBalance;
    }
    res.json({ items });
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

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
