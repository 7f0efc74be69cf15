import { z } from 'zod';
import { CURRENCIES, type Currency } from './money';
import type { AccountEvent } from './account/events';

/** Stream ids, account ids and transfer ids share the contract's identifier syntax. */
export const IdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must match ^[A-Za-z0-9_-]{1,64}$');

const MinorSchema = z.number().int().refine(Number.isSafeInteger, 'must be a safe integer');
const CurrencySchema = z.enum(CURRENCIES as [Currency, ...Currency[]]);
const Description = z.string().max(500).nullable();

/** Zod schemas of the account events at their current schema version. */
export const AccountEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('AccountOpened'),
    data: z.object({
      accountId: IdSchema,
      ownerId: z.string().min(1).max(128),
      ownerName: z.string().min(1).max(200),
      accountType: z.enum(['CHECKING', 'SAVINGS']),
      currency: CurrencySchema,
      overdraftLimit: MinorSchema,
    }),
  }),
  z.object({
    type: z.literal('MoneyDeposited'),
    data: z.object({ transactionId: z.string().min(1), amount: MinorSchema, description: Description }),
  }),
  z.object({
    type: z.literal('MoneyWithdrawn'),
    data: z.object({ transactionId: z.string().min(1), amount: MinorSchema, description: Description }),
  }),
]);

export const EventMetadataSchema = z.object({
  correlationId: z.string().min(1).max(200),
  causationId: z.string().max(200).optional(),
});
export type EventMetadata = z.infer<typeof EventMetadataSchema>;

/** An event as it is stored in the log and carried between apps. */
export const StoredEventSchema = z.object({
  eventId: z.string().uuid(),
  streamId: IdSchema,
  version: z.number().int().positive(),
  type: z.string().min(1),
  schemaVersion: z.number().int().positive(),
  data: z.unknown(),
  metadata: EventMetadataSchema,
  occurredAt: z.string().datetime(),
});
export type StoredEvent = z.infer<typeof StoredEventSchema>;

/** A stored event together with where it sits in the global log (the ImmuDB transaction). */
export const PublishedEventSchema = StoredEventSchema.extend({
  logTx: z.number().int().positive(),
  logIndex: z.number().int().nonnegative(),
});
export type PublishedEvent = z.infer<typeof PublishedEventSchema>;

/** Reads a stored event back into a typed account event (upcasting older schema versions here). */
export function toAccountEvent(stored: StoredEvent): AccountEvent {
  return AccountEventSchema.parse({ type: stored.type, data: stored.data });
}
