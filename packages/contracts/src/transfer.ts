import { z } from 'zod';
import { CurrencySchema, ERROR_STATUS, IdSchema, type ErrorCode, type TransferProgress } from '@bank/domain';
import { DecimalSchema } from './account-actor';

/** One Transfer actor per transfer id drives the transfer to its end (actors app). */
export const TRANSFER_ACTOR_TYPE = 'Transfer';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const ErrorCodeSchema = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

/** The one argument of the Transfer actor's `start` method. */
export const TransferStartRequestSchema = z.strictObject({
  fromAccountId: IdSchema,
  toAccountId: IdSchema,
  amount: DecimalSchema,
  description: z.string().max(500).optional(),
  correlationId: z.string().min(1).max(200),
  idempotency: z.strictObject({ keyHash: Sha256Hex, requestHash: Sha256Hex }).optional(),
  /** A customer's transfer: the source account must belong to this owner (else ACCOUNT_NOT_FOUND). */
  onlyOwner: z.string().min(1).max(128).optional(),
});
export type TransferStartRequest = z.infer<typeof TransferStartRequestSchema>;

export const TRANSFER_STATUSES = ['PENDING', 'COMPLETED', 'FAILED'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

/** A transfer as the Transfer actor knows it (money in minor units). */
export const TransferViewSchema = z.object({
  transferId: IdSchema,
  fromAccountId: IdSchema,
  toAccountId: IdSchema,
  amount: z.number().int().positive(),
  currency: CurrencySchema,
  status: z.enum(TRANSFER_STATUSES),
  failureCode: ErrorCodeSchema.optional(),
  description: z.string().nullable(),
  createdAt: z.string(),
  completedAt: z.string().optional(),
});
export type TransferView = z.infer<typeof TransferViewSchema>;

/** What `start` and `status` return: results, never exceptions (see AccountActorResultSchema). */
export const TransferResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    transfer: TransferViewSchema,
    /** True when this is the stored answer to an earlier request with the same Idempotency-Key. */
    replayed: z.boolean().optional(),
  }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: ErrorCodeSchema, message: z.string(), path: z.string().optional() }),
  }),
]);
export type TransferResult = z.infer<typeof TransferResultSchema>;

const PHASES = ['DEBITED', 'CREDITED', 'CREDIT_REFUSED', 'COMPLETED', 'FAILED'] as const;

/** A transfer as its own stream in the log says it is (money in minor units). */
export const TransferProgressSchema: z.ZodType<TransferProgress> = z.object({
  transferId: IdSchema,
  fromAccountId: IdSchema,
  toAccountId: IdSchema,
  amount: z.number().int().positive(),
  currency: CurrencySchema,
  description: z.string().nullable(),
  phase: z.enum(PHASES),
  failureCode: z.string().optional(),
  /** The version of the transfer's stream this was read at. */
  version: z.number().int().positive(),
  createdAt: z.string(),
  completedAt: z.string().optional(),
});

/**
 * The one argument of the BankAccount actor's `transferStep` method, sent by the Transfer actor.
 * Only the debit names the terms (it starts the transfer's stream); every later step takes them
 * from the log, so a step cannot be sent with made-up details.
 */
export const TransferStepRequestSchema = z.discriminatedUnion('step', [
  z.strictObject({
    step: z.literal('debit'),
    correlationId: z.string().min(1).max(200),
    transferId: IdSchema,
    toAccountId: IdSchema,
    amountMinor: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    currency: CurrencySchema,
    description: z.string().max(500).nullable(),
  }),
  z.strictObject({
    step: z.enum(['credit', 'finish']),
    correlationId: z.string().min(1).max(200),
    transferId: IdSchema,
  }),
]);
export type TransferStepRequest = z.infer<typeof TransferStepRequestSchema>;

/** What `transferStep` returns: where the transfer stands after the step, or why it was refused. */
export const TransferStepResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), transfer: TransferProgressSchema }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: ErrorCodeSchema, message: z.string(), path: z.string().optional() }),
  }),
]);
export type TransferStepResult = z.infer<typeof TransferStepResultSchema>;

/** Where a transfer stands for callers: PENDING until its stream ends it. */
export function transferStatusOf(progress: TransferProgress): TransferStatus {
  if (progress.phase === 'COMPLETED') return 'COMPLETED';
  if (progress.phase === 'FAILED') return 'FAILED';
  return 'PENDING';
}

/** A failed transfer's code as the contract names it (an unknown one reads as SERVICE_UNAVAILABLE). */
export function transferFailureCodeOf(code: string | undefined): ErrorCode {
  return code !== undefined && code in ERROR_STATUS ? (code as ErrorCode) : 'SERVICE_UNAVAILABLE';
}

/** The transfer as the contract shows it, from its own stream alone. */
export function transferViewOf(progress: TransferProgress): TransferView {
  const status = transferStatusOf(progress);
  return {
    transferId: progress.transferId,
    fromAccountId: progress.fromAccountId,
    toAccountId: progress.toAccountId,
    amount: progress.amount,
    currency: progress.currency,
    status,
    ...(status === 'FAILED' ? { failureCode: transferFailureCodeOf(progress.failureCode) } : {}),
    description: progress.description,
    createdAt: progress.createdAt,
    ...(progress.completedAt && status !== 'PENDING' ? { completedAt: progress.completedAt } : {}),
  };
}
