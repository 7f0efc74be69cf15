import {
  formatMinor,
  type Currency,
  IdSchema,
  TRANSFER_ACTOR_TYPE,
  TransferDocSchema,
  TransferResultSchema,
  type TransferResult,
} from '@bank/domain';
import {
  accessOf,
  allow,
  ApiError,
  invokeActorWhenPlaced,
  parseInput,
  transferJson,
  type DaprSidecar,
  type TransferLike,
} from '@bank/service-kit';
import { Router } from 'express';
import { z } from 'zod';
import { Coalescer } from './coalesce';
import type { ReadCollections } from './read-model';
import { ownsAccount } from './reads';
import { AUDITORS, CurrencyParam, READERS } from './routes';

export const TrialBalanceQuery = z.strictObject({ currency: CurrencyParam });

/** Where a transfer is, according to its Transfer actor (for transfers the read model has not seen yet). */
export type TransferStatusSource = (transferId: string) => Promise<TransferResult>;

export function transferStatusFromActors(sidecar: DaprSidecar): TransferStatusSource {
  return async (transferId) => {
    try {
      const raw = await invokeActorWhenPlaced(sidecar, TRANSFER_ACTOR_TYPE, transferId, 'status', {});
      const parsed = TransferResultSchema.safeParse(raw);
      if (parsed.success) return parsed.data;
    } catch {
      // answered below
    }
    return { ok: false, error: { code: 'SERVICE_UNAVAILABLE', message: 'the transfer service did not answer' } };
  };
}

/** Transfers and the books (the query API's OpenAPI document, openapi.ts). */
export function transferRoutes(read: ReadCollections, transferStatus: TransferStatusSource): Router {
  const router = Router();

  router.get('/api/v1/transfers/:transferId', allow(...READERS), async (req, res) => {
    const transferId = parseInput(IdSchema, req.params.transferId, 'path');
    const doc = await read.transfers.findOne({ _id: transferId });
    let transfer: TransferLike;
    if (doc) {
      transfer = TransferDocSchema.parse(doc);
    } else {
      // Not projected yet (it was accepted a moment ago, or it failed before any money moved):
      // its Transfer actor knows.
      const status = await transferStatus(transferId);
      if (!status.ok) throw new ApiError(status.error.code, status.error.message);
      transfer = status.transfer;
    }
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
   * wait for it (see coalesce.ts).
   */
  const trialBalances = new Coalescer<Sums>();
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
