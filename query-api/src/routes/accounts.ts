/** The accounts as the read model holds them: the list, one account, its summary. */
import { formatMinor, IdSchema } from '@bank/domain';
import { AccountDocSchema } from '@bank/contracts';
import { accessOf, allow, parseInput } from '@bank/service-kit';
import { Router } from 'express';
import { AccountListQuery, AccountQuery, READERS } from '../queries';
import type { ReadCollections } from '../read-model';
import { accountAtLeast, accountView, decodeCursor, encodeCursor } from '../reads';

export function accountRoutes(read: ReadCollections): Router {
  const router = Router();
  const readers = allow(...READERS);

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

  return router;
}
