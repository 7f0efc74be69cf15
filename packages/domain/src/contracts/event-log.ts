import { z } from 'zod';
import { StoredEventSchema } from '../envelope';

/** event-source: POST /streams/{streamId}/events */
export const AppendRequestSchema = z.strictObject({
  expectedVersion: z.number().int().nonnegative(),
  events: z.array(StoredEventSchema).min(1).max(100),
});
export type AppendRequest = z.infer<typeof AppendRequestSchema>;

/** Result of an append: the stream's new version and the log transaction that holds it. */
export const AppendResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    version: z.number().int().positive(),
    logTx: z.number().int().positive(),
    /** True when these exact events (same ids) were already in the log: a retried append. */
    duplicate: z.boolean(),
  }),
  z.object({
    ok: z.literal(false),
    code: z.literal('VERSION_CONFLICT'),
    currentVersion: z.number().int().nonnegative(),
  }),
]);
export type AppendResult = z.infer<typeof AppendResultSchema>;

/** event-source: GET /streams/{streamId}/events?fromVersion=&limit= */
export const ReadStreamResultSchema = z.object({
  events: z.array(StoredEventSchema),
  /** Version of the last event in the stream, whatever page was asked for. */
  streamVersion: z.number().int().nonnegative(),
});
export type ReadStreamResult = z.infer<typeof ReadStreamResultSchema>;

export const EVENT_SOURCE_APP_ID = 'event-source';
export const PUBSUB_NAME = 'pubsub';
export const ACCOUNT_EVENTS_TOPIC = 'account-events';
