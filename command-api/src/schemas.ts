import { AccountTypeSchema, CurrencySchema, IdSchema } from '@bank/domain';
import { DecimalSchema } from '@bank/contracts';
import { z } from 'zod';

/** POST /api/v1/accounts */
export const OpenAccountBody = z.strictObject({
  accountId: IdSchema.optional(),
  ownerId: z.string().min(1).max(128),
  ownerName: z.string().trim().min(1).max(200),
  type: AccountTypeSchema,
  currency: CurrencySchema,
  initialDeposit: DecimalSchema.default('0'),
  overdraftLimit: DecimalSchema.default('0'),
});

/** POST /api/v1/accounts/{accountId}/deposits and /withdrawals */
export const MoneyMovementBody = z.strictObject({
  amount: DecimalSchema,
  description: z.string().max(500).optional(),
});

export const AccountIdParam = IdSchema;

/** POST /api/v1/accounts/{accountId}/freeze */
export const FreezeBody = z.strictObject({ reason: z.string().max(500).optional() });

/** POST /api/v1/accounts/{accountId}/unfreeze and /close */
export const EmptyBody = z.strictObject({});

/** POST /api/v1/transfers */
export const TransferBody = z.strictObject({
  transferId: IdSchema.optional(),
  fromAccountId: IdSchema,
  toAccountId: IdSchema,
  amount: DecimalSchema,
  description: z.string().max(500).optional(),
});
