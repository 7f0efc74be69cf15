import { randomUUID } from 'node:crypto';
import { accessOf, allow, ApiError, parseInput } from '@bank/service-kit';
import { transferJson } from '@bank/contracts';
import { Router } from 'express';
import { idempotencyOf, newIdFromKey } from './command-headers';
import { COMMANDERS } from './routes';
import { TransferBody } from './schemas';
import type { TransferActors } from './transfer-client';

/** POST /api/v1/transfers (openapi.ts): one Transfer actor per transfer id runs it. */
export function transferRoutes(transfers: TransferActors): Router {
  const router = Router();

  router.post('/api/v1/transfers', allow(...COMMANDERS), async (req, res) => {
    const body = parseInput(TransferBody, req.body, 'body');
    if (body.fromAccountId === body.toAccountId) {
      throw new ApiError('SAME_ACCOUNT_TRANSFER', 'fromAccountId and toAccountId must differ');
    }
    const { ownerId } = accessOf(req);
    const idempotency = idempotencyOf(req, body);
    // Without a transferId, one derived from the Idempotency-Key makes a retry reach the same actor.
    const transferId = body.transferId ?? newIdFromKey(idempotency, randomUUID);
    const { transfer: t, replayed } = await transfers.start(transferId, {
      fromAccountId: body.fromAccountId,
      toAccountId: body.toAccountId,
      amount: body.amount,
      description: body.description,
      correlationId: req.correlationId,
      idempotency,
      // A customer moves money only out of its own accounts (to any account).
      ...(ownerId === undefined ? {} : { onlyOwner: ownerId }),
    });
    // The contract's 202 body: the transfer without description and completedAt.
    const { description: _description, completedAt: _completedAt, ...accepted } = transferJson(t);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    res
      .status(202)
      .location(`/api/v1/transfers/${encodeURIComponent(t.transferId)}`)
      .json(accepted);
  });

  return router;
}
