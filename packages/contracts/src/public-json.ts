/**
 * The JSON both public APIs answer with (command-api and query-api): money as decimal strings,
 * a transfer, an account. Their OpenAPI documents describe responses with these schemas.
 */
import { AccountStatusSchema, AccountTypeSchema, formatMinor, type Currency } from '@bank/domain';
import { z } from 'zod';

/** Money on the wire: a decimal string in the currency's major unit with all minor digits. */
export const MoneyText = z
  .string()
  .meta({ description: 'exact decimal in major units, full minor digits', examples: ['12.30'] });

/** A transfer as both APIs print it (GET /transfers/{id}; POST answers a subset, see `transferJson`). */
export const TransferFields = z.object({
  transferId: z.string(),
  fromAccountId: z.string(),
  toAccountId: z.string(),
  amount: MoneyText,
  currency: z.string(),
  status: z.enum(['PENDING', 'COMPLETED', 'FAILED']),
  failureCode: z.string().optional().meta({ description: 'with FAILED: why, e.g. ACCOUNT_CLOSED' }),
  description: z.string().nullable(),
  createdAt: z.string(),
  completedAt: z.string().optional(),
});

/** The account fields both APIs answer with. */
export const AccountFields = z.object({
  accountId: z.string(),
  ownerId: z.string(),
  ownerName: z.string(),
  type: AccountTypeSchema,
  currency: z.string(),
  status: AccountStatusSchema,
  balance: MoneyText,
  overdraftLimit: MoneyText,
  version: z.number().int(),
});

/** A transfer in minor units, from the Transfer actor or the read model. */
export type TransferLike = {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  currency: Currency;
  status: 'PENDING' | 'COMPLETED' | 'FAILED';
  failureCode?: string;
  description: string | null;
  createdAt: string;
  completedAt?: string;
};

/** The public JSON of a transfer (GET /api/v1/transfers/{id} in the query API's OpenAPI document); money as a decimal string. */
export function transferJson(t: TransferLike) {
  return {
    transferId: t.transferId,
    fromAccountId: t.fromAccountId,
    toAccountId: t.toAccountId,
    amount: formatMinor(t.amount, t.currency),
    currency: t.currency,
    status: t.status,
    ...(t.failureCode ? { failureCode: t.failureCode } : {}),
    description: t.description,
    createdAt: t.createdAt,
    ...(t.completedAt ? { completedAt: t.completedAt } : {}),
  };
}
