import {
  emptyTransferStream,
  foldTransferStream,
  formatMinor,
  type Currency,
  IdSchema,
  progressOf,
  TransferDocSchema,
  transferStreamId,
  transferViewOf,
} from '@bank/domain';
import {
  accessOf,
  allow,
  ApiError,
  parseInput,
  SidecarError,
  transferJson,
  type EventLogClient,
  type TransferLike,
} from '@bank/service-kit';
import { Router } from 'express';
import { z } from 'zod';
import { Coalescer, type CoalescerOptions } from './coalesce';
import type { ReadCollections } from './read-model';
import { ownsAccount } from './reads';
import { AUDITORS, CurrencyParam, READERS } from './routes';

export const TrialBalanceQuery = z.strictObject({ currency: CurrencyParam });

/**
 * A transfer the read model has not projected yet (it was accepted a moment ago), from its own
 * stream in the log; undefined when the log has no such transfer. Only the log is asked: a
 * made-up id costs one read of an empty stream, and wakes no actor.
 */
export async function transferFromLog(
  eventLog: Pick<EventLogClient, 'readAll'>,
  transferId: string,
): Promise<TransferLike | undefined> {
  let events;
  try {
    events = await eventLog.readAll(transferStreamId(transferId));
  } catch (err) {
    if (err instanceof SidecarError)
      throw new ApiError('SERVICE_UNAVAILABLE', 'the event log did not answer; retry shortly');
    throw err;
  }
  const progress = progressOf(foldTransferStream(emptyTransferStream(), events));
  return progress && transferViewOf(progress);
}

/** Transfers and the books (the query API's OpenAPI document, openapi.ts). */
export function transferRoutes(
  read: ReadCollections,
  eventLog: Pick<EventLogClient, 'readAll'>,
  scans: CoalescerOptions,
): Router {
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
