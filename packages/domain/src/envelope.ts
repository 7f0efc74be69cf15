import { z } from 'zod';
import { decodeAccountEvent } from './account/codec';
import type { AccountEvent } from './account/events';
import { StreamIdSchema } from './streams';

export const EventMetadataSchema = z.object({
  correlationId: z.string().min(1).max(200),
  causationId: z.string().max(200).optional(),
  /** W3C trace context of the request that decided the event (absent on events written before it was recorded). */
  traceparent: z
    .string()
    .regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)
    .optional(),
});
export type EventMetadata = z.infer<typeof EventMetadataSchema>;

/** An event as it is stored in the log and carried between apps. */
export const StoredEventSchema = z.object({
  eventId: z.string().uuid(),
  streamId: StreamIdSchema,
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

/**
 * An event's global log position as one integer: its ImmuDB transaction × 10 000 + its index
 * among that transaction's events (a transaction holds at most 1 024 entries). Positions grow
 * with the log, so "after position p" is well defined; the live stream uses them as SSE ids.
 */
export const LOG_POSITION_FACTOR = 10_000;
export const logPosition = (e: Pick<PublishedEvent, 'logTx' | 'logIndex'>): number =>
  e.logTx * LOG_POSITION_FACTOR + e.logIndex;
/** The transaction a position is in. */
export const logTxOf = (position: number): number => Math.floor(position / LOG_POSITION_FACTOR);

/** Reads a stored event back into a typed account event, upcasting older schema versions. */
export function toAccountEvent(stored: StoredEvent): AccountEvent {
  return decodeAccountEvent(stored);
}
