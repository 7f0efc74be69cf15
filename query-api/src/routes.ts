import { AccountDocSchema, formatMinor, IdSchema, TransactionDocSchema, type AccountDoc } from '@bank/domain';
import { ApiError, parseInput } from '@bank/service-kit';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { ReadCollections } from './read-model';

const MIN_VERSION_WAIT_MS = 5_000;

export const AccountQuery = z.strictObject({ minVersion: z.coerce.number().int().nonnegative().optional() });
export const TransactionsQuery = z.strictObject({
  minVersion: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
  order: z.enum(['asc', 'desc']).default('desc'),
});

/** The read side of the public API (api-contract.md, "Query API"). */
export function queryRoutes(read: ReadCollections): Router {
  const router = Router();

  router.get('/api/v1/accounts/:accountId', async (req, res) => {
    const accountId = parseInput(IdSchema, req.params.accountId, 'path');
    const { minVersion } = parseInput(AccountQuery, req.query, 'query');
    const doc = await accountAtLeast(read, accountId, minVersion, res);
    res.setHeader('ETag', `"${doc.version}"`).json(accountView(doc));
  });

  router.get('/api/v1/accounts/:accountId/transactions', async (req, res) => {
    const accountId = parseInput(IdSchema, req.params.accountId, 'path');
    const q = parseInput(TransactionsQuery, req.query, 'query');
    const account = await accountAtLeast(read, accountId, q.minVersion, res);
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const filter = {
      accountId,
      ...(after === undefined ? {} : { version: q.order === 'desc' ? { $lt: after } : { $gt: after } }),
    };
    const docs = await read.transactions
      .find(filter)
      .sort({ version: q.order === 'desc' ? -1 : 1 })
      .limit(q.limit + 1)
      .toArray();
    const page = docs.slice(0, q.limit).map((d) => TransactionDocSchema.parse(d));
    const last = page[page.length - 1];
    res.json({
      items: page.map((t) => ({
        transactionId: t.transactionId,
        accountId: t.accountId,
        type: t.type,
        amount: formatMinor(t.amount, account.currency),
        currency: t.currency,
        balanceAfter: formatMinor(t.balanceAfter, account.currency),
        description: t.description,
        occurredAt: t.occurredAt,
        version: t.version,
      })),
      nextCursor: docs.length > q.limit && last ? encodeCursor(last.version) : null,
    });
  });

  return router;
}

/** Reads the account, waiting up to 5 s for the read model to reach `minVersion` (read-your-writes). */
async function accountAtLeast(
  read: ReadCollections,
  accountId: string,
  minVersion: number | undefined,
  res: Response,
): Promise<AccountDoc> {
  const deadline = Date.now() + MIN_VERSION_WAIT_MS;
  for (let pause = 5; ; pause = Math.min(pause * 2, 50)) {
    const raw = await read.accounts.findOne({ _id: accountId });
    const doc = raw ? AccountDocSchema.parse(raw) : undefined;
    const version = doc?.version ?? 0;
    if (minVersion !== undefined) res.setHeader('X-Read-Model-Version', String(version));
    if (minVersion === undefined || version >= minVersion) {
      if (!doc) throw new ApiError('ACCOUNT_NOT_FOUND', `account ${accountId} not found`);
      return doc;
    }
    if (Date.now() > deadline) {
      throw new ApiError(
        'READ_MODEL_LAGGING',
        `the read model is at version ${version}, not yet ${minVersion}; retry shortly`,
      );
    }
    await new Promise((r) => setTimeout(r, pause));
  }
}

function accountView(doc: AccountDoc) {
  return {
    accountId: doc.accountId,
    ownerId: doc.ownerId,
    ownerName: doc.ownerName,
    type: doc.type,
    currency: doc.currency,
    status: doc.status,
    balance: formatMinor(doc.balance, doc.currency),
    overdraftLimit: formatMinor(doc.overdraftLimit, doc.currency),
    version: doc.version,
    openedAt: doc.openedAt,
    updatedAt: doc.updatedAt,
  };
}

function encodeCursor(version: number): string {
  return Buffer.from(JSON.stringify({ v: version })).toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const { v } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v: unknown };
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  } catch {
    /* fall through */
  }
  throw new ApiError('VALIDATION_FAILED', 'cursor is not one this API issued', [
    { path: 'query.cursor', message: 'invalid cursor' },
  ]);
}
