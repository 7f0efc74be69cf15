import { z } from 'zod';
import { IdSchema } from '../envelope';
import { ERROR_STATUS, type ErrorCode } from '../errors';
import { CURRENCIES, type Currency } from '../money';

export const BANK_ACCOUNT_ACTOR_TYPE = 'BankAccount';

/** A decimal amount in major units as it arrives from a client; the actor parses it for the currency. */
export const DecimalSchema = z
  .string()
  .max(40)
  .regex(/^(0|[1-9][0-9]*)(\.[0-9]+)?$/, 'must be a decimal string such as "12.34"');

const Meta = { correlationId: z.string().min(1).max(200) };
const Description = z.string().max(500).optional();

/** The one argument of the BankAccount actor's `execute` method. */
export const AccountActorRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('OpenAccount'),
    ...Meta,
    ownerId: z.string().min(1).max(128),
    ownerName: z.string().min(1).max(200),
    accountType: z.enum(['CHECKING', 'SAVINGS']),
    currency: z.enum(CURRENCIES as [Currency, ...Currency[]]),
    initialDeposit: DecimalSchema,
    overdraftLimit: DecimalSchema,
  }),
  z.strictObject({
    type: z.enum(['Deposit', 'Withdraw']),
    ...Meta,
    transactionId: IdSchema.or(z.string().uuid()),
    amount: DecimalSchema,
    description: Description,
  }),
]);
export type AccountActorRequest = z.infer<typeof AccountActorRequestSchema>;

export const AccountViewSchema = z.object({
  accountId: z.string(),
  ownerId: z.string(),
  ownerName: z.string(),
  accountType: z.enum(['CHECKING', 'SAVINGS']),
  currency: z.enum(CURRENCIES as [Currency, ...Currency[]]),
  status: z.enum(['ACTIVE', 'FROZEN', 'CLOSED']),
  balance: z.number().int(),
  overdraftLimit: z.number().int(),
});

/** What `execute` returns: actors answer with results, never exceptions (pitfalls.md). */
export const AccountActorResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    version: z.number().int().positive(),
    account: AccountViewSchema,
    /** The events this command appended, in order, with the balance right after each. */
    appended: z.array(
      z.object({
        type: z.string(),
        version: z.number().int().positive(),
        occurredAt: z.string(),
        data: z.record(z.string(), z.unknown()),
        balanceAfter: z.number().int(),
      }),
    ),
  }),
  z.object({
    ok: z.literal(false),
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
    }),
  }),
]);
export type AccountActorResult = z.infer<typeof AccountActorResultSchema>;
