/**
 * What each read route of the query API accepts in its query string, and who may call it: the
 * request side of the public contract. The routes (routes/*.ts) parse with these, and the OpenAPI
 * document (openapi.ts) is generated from them, so the two cannot disagree.
 */
import { AccountStatusSchema, CurrencySchema } from '@bank/domain';
import { DecimalSchema, TRANSACTION_TYPES } from '@bank/contracts';
import type { Role } from '@bank/service-kit';
import { z } from 'zod';

const MinVersion = z.coerce.number().int().nonnegative().optional();
const Instant = z.iso.datetime({ offset: true }).transform((t) => new Date(t).toISOString());
export const CurrencyParam = CurrencySchema;

export const AccountQuery = z.strictObject({ minVersion: MinVersion });
export const AccountListQuery = z.strictObject({
  ownerId: z.string().min(1).max(128).optional(),
  status: AccountStatusSchema.optional(),
  currency: CurrencyParam.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(300).optional(),
});
export const TransactionsQuery = z
  .strictObject({
    minVersion: MinVersion,
    from: Instant.optional(),
    to: Instant.optional(),
    type: z.enum(TRANSACTION_TYPES).optional(),
    minAmount: DecimalSchema.optional(),
    maxAmount: DecimalSchema.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(200).optional(),
    order: z.enum(['asc', 'desc']).default('desc'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });
const Day = z.iso.date();
/** Days of daily balances one request may ask for. */
export const MAX_DAYS = 366;
export const DailyBalancesQuery = z
  .strictObject({ minVersion: MinVersion, from: Day.optional(), to: Day.optional() })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

export const BalanceAtQuery = z.strictObject({ timestamp: Instant });

/** An audit page checks one proof per event: at most 100 (event-source bounds the work too). */
export const EventsQuery = z.strictObject({
  fromVersion: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const TopAccountsQuery = z.strictObject({
  currency: CurrencyParam,
  limit: z.coerce.number().int().min(1).max(100).default(10),
});

// Who may read what (docs/security.md): account reads are scoped to a customer's own accounts; the
// audit trail and the books are the auditors' (and admins'); the ranking of every account is
// for the bank's staff.
export const READERS: Role[] = ['customer', 'teller', 'auditor', 'admin'];
export const AUDITORS: Role[] = ['auditor', 'admin'];
export const STAFF: Role[] = ['teller', 'auditor', 'admin'];

export const TrialBalanceQuery = z.strictObject({ currency: CurrencyParam });
