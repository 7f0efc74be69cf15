import { randomUUID } from 'node:crypto';
import { formatMinor, type AccountActorResult } from '@bank/domain';
import { parseInput } from '@bank/service-kit';
import { Router, type Response } from 'express';
import type { AccountActors } from './account-client';
import { AccountIdParam, MoneyMovementBody, OpenAccountBody } from './schemas';

type Ok = Extract<AccountActorResult, { ok: true }>;

/** The command side of the public API (api-contract.md, "Command API"). */
export function commandRoutes(actors: AccountActors): Router {
  const router = Router();

  router.post('/api/v1/accounts', async (req, res) => {
    const body = parseInput(OpenAccountBody, req.body, 'body');
    const accountId = body.accountId ?? randomUUID();
    const result = await actors.execute(accountId, {
      type: 'OpenAccount',
      correlationId: req.correlationId,
      ownerId: body.ownerId,
      ownerName: body.ownerName,
      accountType: body.type,
      currency: body.currency,
      initialDeposit: body.initialDeposit,
      overdraftLimit: body.overdraftLimit,
    });
    const a = result.account;
    withVersion(res, result)
      .status(201)
      .location(`/api/v1/accounts/${encodeURIComponent(accountId)}`)
      .json({
        accountId: a.accountId,
        ownerId: a.ownerId,
        ownerName: a.ownerName,
        type: a.accountType,
        currency: a.currency,
        status: a.status,
        balance: formatMinor(a.balance, a.currency),
        overdraftLimit: formatMinor(a.overdraftLimit, a.currency),
        version: result.version,
      });
  });

  for (const [path, type, kind] of [
    ['deposits', 'Deposit', 'DEPOSIT'],
    ['withdrawals', 'Withdraw', 'WITHDRAWAL'],
  ] as const) {
    router.post(`/api/v1/accounts/:accountId/${path}`, async (req, res) => {
      const accountId = parseInput(AccountIdParam, req.params.accountId, 'path');
      const body = parseInput(MoneyMovementBody, req.body, 'body');
      const transactionId = randomUUID();
      const result = await actors.execute(accountId, {
        type,
        correlationId: req.correlationId,
        transactionId,
        amount: body.amount,
        description: body.description,
      });
      const event = result.appended[result.appended.length - 1]!;
      const currency = result.account.currency;
      withVersion(res, result)
        .status(201)
        .json({
          transactionId,
          accountId,
          type: kind,
          amount: formatMinor(Number(event.data.amount), currency),
          currency,
          balance: formatMinor(event.balanceAfter, currency),
          version: event.version,
          occurredAt: event.occurredAt,
        });
    });
  }

  return router;
}

function withVersion(res: Response, result: Ok): Response {
  return res.setHeader('ETag', `"${result.version}"`);
}
