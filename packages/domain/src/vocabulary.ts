/**
 * The schemas of the words every boundary shares (HTTP bodies and queries, actor requests, stored
 * events, read-model documents): one definition each, from the domain's own lists.
 */
import { z } from 'zod';
import { ACCOUNT_TYPES } from './account/commands';
import { ACCOUNT_STATUSES } from './account/state';
import { CURRENCIES, type Currency } from './money';

export const AccountTypeSchema = z.enum(ACCOUNT_TYPES);
export const AccountStatusSchema = z.enum(ACCOUNT_STATUSES);
export const CurrencySchema = z.enum(CURRENCIES as [Currency, ...Currency[]], {
  message: `must be one of ${CURRENCIES.join(', ')}`,
});
