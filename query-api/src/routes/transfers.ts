/** A transfer's status: from the read model, or, before it is projected, from its own stream in the log. */
import { emptyTransferStream, foldTransferStream, IdSchema, progressOf, transferStreamId } from '@bank/domain';
import { TransferDocSchema, transferViewOf, transferJson, type TransferLike } from '@bank/contracts';
import { accessOf, allow, ApiError, parseInput, type EventLogClient } from '@bank/service-kit';
import { Router } from 'express';
import { READERS } from '../queries';
import type { ReadCollections } from '../read-model';
import { ownsAccount } from '../reads';
import { logUnavailable } from './log';

/**
 * A transfer the read model has not projected yet (it was accepted a moment ago), from its own
 * stream in the log; undefined when the log has no such transfer. Only the log is asked: a
 * made-up id costs one read of an empty stream, and wakes no actor.
 */
export async function transferFromLog(
  eventLog: Pick<EventLogClient, 'readAll'>,
  transferId: string,
): Promise<TransferLike | undefined> {
  const events = await eventLog.readAll(transferStreamId(transferId)).catch(logUnavailable);
  const progress = progressOf(foldTransferStream(emptyTransferStream(), events));
  return progress && transferViewOf(progress);
}

export function transferRoutes(read: ReadCollections, eventLog: Pick<EventLogClient, 'readAll'>): Router {
  const router = Router();

  router.get('/api/v1/transfers/:transferId', allow(...READERS), async (req, res) => {
    const transferId = parseInput(IdSchema, req.params.transferId, 'path');
    const doc = await read.transfers.findOne({ _id: transferId });
    // A transfer exists once its debit is in the log (an accepted transfer always is): one the
    // read model has not projected yet is read from its stream.
    const transfer: TransferLike | undefined = doc
      ? TransferDocSchema.parse(doc)
      : await transferFromLog(eventLog, transferId);
    if (!transfer) throw new ApiError('TRANSFER_NOT_FOUND', `transfer ${transferId} not found`);
    // A customer sees the transfers into or out of its own accounts; any other, as if it did not exist.
    const { ownerId } = accessOf(req);
    if (ownerId !== undefined) {
      const [from, to] = await Promise.all(
        [transfer.fromAccountId, transfer.toAccountId].map((id) => ownsAccount(read, id, ownerId)),
      );
      if (!from && !to) throw new ApiError('TRANSFER_NOT_FOUND', `transfer ${transferId} not found`);
    }
    res.json(transferJson(transfer));
  });

  return router;
}
