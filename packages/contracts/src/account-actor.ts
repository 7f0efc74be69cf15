import { z } from 'zod';
import {
  ERROR_STATUS,
  type ErrorCode,
  IdSchema,
  AccountStatusSchema,
  AccountTypeSchema,
  CurrencySchema,
} from '@bank/domain';

export const BANK_ACCOUNT_ACTOR_TYPE = 'BankAccount';

/** A decimal amount in major units as it arrives from a client; the actor parses it for the currency. */
export const DecimalSchema = z
  .string()
  .max(40)
  .regex(/^(0|[1-9][0-9]*)(\.[0-9]+)?$/, 'must be a decimal string such as "12.34"');

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** Fields every command carries besides its own. */
const Common = {
  correlationId: z.string().min(1).max(200),
  /** From If-Match: the command applies only if the account is at this version. */
  expectedVersion: z.number().int().nonnegative().optional(),
  /** From Idempotency-Key: hashes only, so keys never reach logs or storage in clear. */
  idempotency: z.strictObject({ keyHash: Sha256Hex, requestHash: Sha256Hex }).optional(),
  /**
   * A customer's command: the account must belong to this owner, otherwise the actor answers
   * ACCOUNT_NOT_FOUND, exactly as if it did not exist.
   */
  onlyOwner: z.string().min(1).max(128).optional(),
};

/** The one argument of the BankAccount actor's `execute` method. */
export const AccountActorRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('OpenAccount'),
    ...Common,
    ownerId: z.string().min(1).max(128),
    ownerName: z.string().min(1).max(200),
    accountType: AccountTypeSchema,
    currency: CurrencySchema,
    initialDeposit: DecimalSchema,
    overdraftLimit: DecimalSchema,
  }),
  z.strictObject({
    type: z.enum(['Deposit', 'Withdraw']),
    ...Common,
    transactionId: IdSchema,
    amount: DecimalSchema,
    description: z.string().max(500).optional(),
  }),
  z.strictObject({ type: z.literal('Freeze'), ...Common, reason: z.string().max(500).optional() }),
  z.strictObject({ type: z.enum(['Unfreeze', 'Close']), ...Common }),
]);
export type AccountActorRequest = z.infer<typeof AccountActorRequestSchema>;

export const AccountViewSchema = z.object({
  accountId: z.string(),
  ownerId: z.string(),
  ownerName: z.string(),
  accountType: AccountTypeSchema,
  currency: CurrencySchema,
  status: AccountStatusSchema,
  balance: z.number().int(),
  overdraftLimit: z.number().int(),
});

/** One event a command appended, as the caller needs it for its response. */
export const AppendedViewSchema = z.object({
  type: z.string(),
  version: z.number().int().positive(),
  occurredAt: z.string(),
  transactionId: z.string().optional(),
  amount: z.number().int().optional(),
  balanceAfter: z.number().int(),
});

export const AccountActorSuccessSchema = z.object({
  ok: z.literal(true),
  version: z.number().int().nonnegative(),
  account: AccountViewSchema,
  appended: z.array(AppendedViewSchema),
  /** True when this is the stored answer to an earlier request with the same Idempotency-Key. */
  replayed: z.boolean().optional(),
});
export type AccountActorSuccess = z.infer<typeof AccountActorSuccessSchema>;

/** What `execute` returns: a result, never an exception (one thrown in an actor method reaches the caller as an opaque Dapr error, its code lost). */
export const AccountActorResultSchema = z.discriminatedUnion('ok', [
  AccountActorSuccessSchema,
  z.object({
    ok: z.literal(false),
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      /** For VALIDATION_FAILED: the request field at fault. */
      path: z.string().optional(),
    }),
  }),
]);
export type AccountActorResult = z.infer<typeof AccountActorResultSchema>;
