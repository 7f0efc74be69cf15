/**
 * How transfer events are written to and read from the log (all at schema version 1). Money is
 * a string of minor units, as in account events, so the log reads exactly in any language.
 */
import { z } from 'zod';
import { UnknownEventError } from '../account/codec';
import { IdSchema } from '../ids';
import type { TransferEvent, TransferEventType } from './events';
import { CurrencySchema } from '../vocabulary';

export const TRANSFER_EVENT_VERSIONS: Record<TransferEventType, number> = {
  TransferStarted: 1,
  TransferCreditRecorded: 1,
  TransferCreditRefused: 1,
  TransferCompleted: 1,
  TransferFailed: 1,
};

const MinorString = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/, 'must be an integer string')
  .transform(Number)
  .refine(Number.isSafeInteger, 'must be a safe integer');
const Code = z.string().min(1).max(64);

const SCHEMAS = {
  TransferStarted: z.strictObject({
    transferId: IdSchema,
    fromAccountId: IdSchema,
    toAccountId: IdSchema,
    amount: MinorString,
    currency: CurrencySchema,
    description: z.string().max(500).nullable(),
  }),
  TransferCreditRecorded: z.strictObject({ transactionId: z.string().min(1).max(64) }),
  TransferCreditRefused: z.strictObject({ failureCode: Code, reason: z.string().max(500) }),
  TransferCompleted: z.strictObject({}),
  TransferFailed: z.strictObject({ failureCode: Code }),
} satisfies Record<TransferEventType, z.ZodType>;

export const isTransferEventType = (type: string): type is TransferEventType => type in TRANSFER_EVENT_VERSIONS;

export function encodeTransferEvent(event: TransferEvent): {
  type: TransferEventType;
  schemaVersion: number;
  data: Record<string, unknown>;
} {
  const data: Record<string, unknown> = { ...event.data };
  if (typeof data.amount === 'number') data.amount = String(data.amount);
  return { type: event.type, schemaVersion: TRANSFER_EVENT_VERSIONS[event.type], data };
}

export function decodeTransferEvent(stored: { type: string; schemaVersion: number; data: unknown }): TransferEvent {
  if (!isTransferEventType(stored.type)) throw new UnknownEventError(`unknown transfer event type ${stored.type}`);
  if (stored.schemaVersion !== TRANSFER_EVENT_VERSIONS[stored.type]) {
    throw new UnknownEventError(`${stored.type} v${stored.schemaVersion} is not a version this code reads`);
  }
  return { type: stored.type, data: SCHEMAS[stored.type].parse(stored.data) } as TransferEvent;
}
