import { z } from 'zod';
import { IdSchema } from './ids';

/**
 * The log holds two kinds of streams: one per account (its id is the account id) and one per
 * transfer (`transfer.{transferId}`). A dot is not allowed in identifiers, so the two can never
 * meet, and the key of one stream is never a prefix of another's.
 */
const TRANSFER_STREAM_PREFIX = 'transfer.';

export const transferStreamId = (transferId: string): string => `${TRANSFER_STREAM_PREFIX}${transferId}`;

export const isAccountStream = (streamId: string): boolean => !streamId.startsWith(TRANSFER_STREAM_PREFIX);

/** The transfer id of a transfer's stream. */
export const transferIdOfStream = (streamId: string): string => streamId.slice(TRANSFER_STREAM_PREFIX.length);

/** Any stream of the log: an account id, or `transfer.` and a transfer id. */
export const StreamIdSchema = z.union([
  IdSchema,
  z.string().regex(/^transfer\.[A-Za-z0-9_-]{1,64}$/, 'must be an id or transfer.{id}'),
]);
