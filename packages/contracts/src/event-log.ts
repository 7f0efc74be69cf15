import { z } from 'zod';
import { PublishedEventSchema, StoredEventSchema, type PublishedEvent, StreamIdSchema } from '@bank/domain';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * What an Idempotency-Key remembers: the hash of the request it was first used with and the
 * answer given. Written in the same ImmuDB transaction as the command's events.
 */
export const IdempotencyRecordSchema = z.object({
  requestHash: Sha256Hex,
  streamId: z.string(),
  recordedAt: z.string(),
  /** The actor's success result, replayed as is. */
  result: z.unknown(),
});
export type IdempotencyRecord = z.infer<typeof IdempotencyRecordSchema>;

/** event-source: POST /streams/{streamId}/events */
export const AppendRequestSchema = z
  .strictObject({
    expectedVersion: z.number().int().nonnegative(),
    events: z.array(StoredEventSchema).max(100),
    idempotency: z.strictObject({ keyHash: Sha256Hex, record: IdempotencyRecordSchema }).optional(),
  })
  .refine((r) => r.events.length > 0 || r.idempotency, 'an append needs events or an idempotency record');
export type AppendRequest = z.infer<typeof AppendRequestSchema>;

/**
 * event-source: POST /appends — several streams in one transaction, all or nothing, each at its
 * expected version (a transfer step: the account's events and the transfer's own). A stream
 * with no events is pinned at its expected version.
 */
export const MultiAppendRequestSchema = z.strictObject({
  streams: z
    .array(
      z.strictObject({
        streamId: StreamIdSchema,
        expectedVersion: z.number().int().nonnegative(),
        events: z.array(StoredEventSchema).max(100),
      }),
    )
    .min(1)
    .max(4),
  idempotency: z.strictObject({ keyHash: Sha256Hex, record: IdempotencyRecordSchema }).optional(),
});
export type MultiAppendRequest = z.infer<typeof MultiAppendRequestSchema>;

/** Result of an append: the stream's new version and the log transaction that holds it. */
export const AppendResultSchema = z.union([
  z.object({
    ok: z.literal(true),
    version: z.number().int().nonnegative(),
    logTx: z.number().int().nonnegative(),
    /** True when these exact events (same ids) were already in the log: a retried append. */
    duplicate: z.boolean(),
  }),
  z.object({
    ok: z.literal(false),
    code: z.literal('VERSION_CONFLICT'),
    currentVersion: z.number().int().nonnegative(),
    /** In a multi-stream append: the stream that moved (currentVersion is its version). */
    streamId: z.string().optional(),
  }),
  z.object({
    ok: z.literal(false),
    code: z.literal('IDEMPOTENCY_KEY_EXISTS'),
    record: IdempotencyRecordSchema,
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

/** Most events the relay puts in one pub/sub message. */
export const MAX_EVENTS_PER_MESSAGE = 500;

/**
 * A message on ACCOUNT_EVENTS_TOPIC: consecutive events of the log, in log order. The relay
 * publishes what it read in one go as one message (one publish, one delivery, one projection
 * run per account instead of one of each per event); a message holding a single event without
 * the `events` wrapper, as earlier versions published, is still understood.
 */
export const AccountEventsMessageSchema = z.union([
  z.object({ events: z.array(PublishedEventSchema).min(1).max(MAX_EVENTS_PER_MESSAGE) }),
  PublishedEventSchema,
]);
export type AccountEventsMessage = z.infer<typeof AccountEventsMessageSchema>;

/** The events a message carries, in log order. */
export const eventsOf = (message: AccountEventsMessage): PublishedEvent[] =>
  'events' in message ? message.events : [message];

/** event-source: GET /streams/{streamId}/balance-at?timestamp= */
export const BalanceAtResultSchema = z.object({
  version: z.number().int().positive(),
  balance: z.number().int(),
  currency: z.string(),
});
export type BalanceAtResult = z.infer<typeof BalanceAtResultSchema>;

const ImmuStateSchema = z.object({
  txId: z.number().int().nonnegative(),
  /** The accumulated hash (Alh) of that transaction, hex. */
  txHash: z.string().regex(/^[0-9a-f]{64}$/),
});

/** What the audit read checked, on event-source's side, against the ImmuDB log. */
export const LogVerificationSchema = z.object({
  /** True only when every check below passed. */
  verified: z.boolean(),
  /** The ImmuDB state (last transaction and its hash) the returned entries were checked against. */
  state: ImmuStateSchema.nullable(),
  /** The last state event-source trusted before this read (null on first use). */
  trustedState: ImmuStateSchema.nullable(),
  checks: z.object({
    /**
     * state extends trustedState (or the other way round): PASSED, FAILED, NOT_CHECKED;
     * FIRST_USE: nothing was ever trusted for this log, state is trusted from now on;
     * REESTABLISHED: a trusted state existed but was lost (its store was wiped): state is trusted
     * anew, and nothing before it could be checked against what was trusted.
     */
    consistency: z.enum(['PASSED', 'FAILED', 'FIRST_USE', 'REESTABLISHED', 'NOT_CHECKED']),
    /** every returned entry is in its transaction, itself an ancestor of state. */
    inclusion: z.enum(['PASSED', 'FAILED', 'NOT_CHECKED']),
  }),
  entriesVerified: z.number().int().nonnegative(),
  /** Why verification failed; null when it passed. */
  failure: z.string().nullable(),
});
export type LogVerification = z.infer<typeof LogVerificationSchema>;

/** event-source: GET /streams/{streamId}/audit?fromVersion=&limit= (404 when the stream has no event) */
export const AuditReadResultSchema = z.object({
  /** Empty when verification failed: unverified entries are never handed out. */
  events: z.array(StoredEventSchema),
  /** fromVersion for the next page, null when this page reaches the end of the stream. */
  nextFromVersion: z.number().int().positive().nullable(),
  verification: LogVerificationSchema,
});
export type AuditReadResult = z.infer<typeof AuditReadResultSchema>;

/** event-source: GET /log?afterTx=&limit= — the global log in transaction order. */
export const ReadLogResultSchema = z.object({
  events: z.array(PublishedEventSchema),
  /** The last transaction this page covers (transactions without events included). */
  lastTx: z.number().int().nonnegative(),
  /** The log's last committed transaction when the page was read. */
  headTx: z.number().int().nonnegative(),
});
export type ReadLogResult = z.infer<typeof ReadLogResultSchema>;
