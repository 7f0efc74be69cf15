import { TransferViewSchema, type TransferView } from '@bank/contracts';
import { z } from 'zod';

/**
 * What the Transfer actor keeps in its state store: a cache, never the truth. The transfer's own
 * stream in the log decides where it is; this record adds what the log does not hold: the
 * request's identity (for repeats) and the first answer given (for a repeated Idempotency-Key).
 * Lost, it costs only that: the log still drives the transfer to its end.
 */
export const TransferRecordSchema = TransferViewSchema.extend({
  correlationId: z.string(),
  idempotency: z.object({ keyHash: z.string(), requestHash: z.string() }).optional(),
  /** The first answer given, returned again for a request with the same Idempotency-Key. */
  firstAnswer: TransferViewSchema.optional(),
  /** True once the debit is known to be in the log (until then, the reminder retries it). */
  started: z.boolean(),
});
export type TransferRecord = z.infer<typeof TransferRecordSchema>;

export function viewOf(record: TransferRecord): TransferView {
  return TransferViewSchema.parse(record); // drops the process fields
}
