import { randomUUID } from 'node:crypto';
import { formatMinor } from '@bank/domain';
import { type AccountActorRequest, type AccountActorSuccess } from '@bank/contracts';
import { accessOf, allow, ApiError, parseInput, type Role } from '@bank/service-kit';
import { Router, type Request, type Response } from 'express';
import type { AccountActors } from './account-client';
import { expectedVersionOf, idempotencyOf, newIdFromKey } from './command-headers';
import { AccountIdParam, EmptyBody, FreezeBody, MoneyMovementBody, OpenAccountBody } from './schemas';

/** Who may send commands (docs/security.md): a customer on its own accounts, tellers and admins on any. */
export const COMMANDERS: Role[] = ['customer', 'teller', 'admin'];

/** The command side of the public API, as its OpenAPI document (openapi.ts, GET /openapi.json) describes it. */
export function commandRoutes(actors: AccountActors): Router {
  const router = Router();

  /**
   * Sends one command to the account's actor with the headers every command accepts. A
   * customer's command carries its subject: the actor answers ACCOUNT_NOT_FOUND for an account
   * the customer does not own, as if it did not exist.
   */
  async function send(req: Request, accountId: string, body: unknown, command: CommandFields) {
    const { ownerId } = accessOf(req);
    const result = await actors.execute(accountId, {
      ...command,
      ...(ownerId === undefined ? {} : { onlyOwner: ownerId }),
      correlationId: req.correlationId,
      expectedVersion: expectedVersionOf(req),
      idempotency: idempotencyOf(req, body),
    } as AccountActorRequest);
    return result;
  }

  const commanders = allow(...COMMANDERS);

  router.post('/api/v1/accounts', commanders, async (req, res) => {
    const body = parseInput(OpenAccountBody, req.body, 'body');
    const { ownerId } = accessOf(req);
    if (ownerId !== undefined && body.ownerId !== ownerId) {
      throw new ApiError('FORBIDDEN', 'a customer opens accounts only in its own name (ownerId = token subject)');
    }
    const accountId = body.accountId ?? newIdFromKey(idempotencyOf(req, body), randomUUID);
    const result = await send(req, accountId, body, {
      type: 'OpenAccount',
      ownerId: body.ownerId,
      ownerName: body.ownerName,
      accountType: body.type,
      currency: body.currency,
      initialDeposit: body.initialDeposit,
      overdraftLimit: body.overdraftLimit,
    });
    const a = result.account;
    respond(res, result, 201)
      .location(`/api/v1/accounts/${encodeURIComponent(a.accountId)}`)
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
    router.post(`/api/v1/accounts/:accountId/${path}`, commanders, async (req, res) => {
      const accountId = parseInput(AccountIdParam, req.params.accountId, 'path');
      const body = parseInput(MoneyMovementBody, req.body, 'body');
      const result = await send(req, accountId, body, {
        type,
        transactionId: randomUUID(),
        amount: body.amount,
        description: body.description,
      });
      const movement = result.appended.find((e) => e.amount !== undefined);
      if (!movement) throw new Error('a deposit or withdrawal appended no movement');
      const currency = result.account.currency;
      respond(res, result, 201).json({
        transactionId: movement.transactionId,
        accountId,
        type: kind,
        amount: formatMinor(movement.amount!, currency),
        currency,
        balance: formatMinor(movement.balanceAfter, currency),
        version: movement.version,
        occurredAt: movement.occurredAt,
      });
    });
  }

  for (const [path, type, schema] of [
    ['freeze', 'Freeze', FreezeBody],
    ['unfreeze', 'Unfreeze', EmptyBody],
    ['close', 'Close', EmptyBody],
  ] as const) {
    router.post(`/api/v1/accounts/:accountId/${path}`, commanders, async (req, res) => {
      const accountId = parseInput(AccountIdParam, req.params.accountId, 'path');
      const body = parseInput(schema, req.body ?? {}, 'body');
      const result = await send(req, accountId, body, { type, ...body } as CommandFields);
      respond(res, result, 200).json({ accountId, status: result.account.status, version: result.version });
    });
  }

  return router;
}

type CommandFields = DistributiveOmit<
  AccountActorRequest,
  'correlationId' | 'expectedVersion' | 'idempotency' | 'onlyOwner'
>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function respond(res: Response, result: AccountActorSuccess, status: number): Response {
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  return res.status(status).setHeader('ETag', `"${result.version}"`);
}
