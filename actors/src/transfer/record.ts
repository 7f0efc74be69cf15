import { TransferViewSchema, type TransferView } from '@bank/domain';
import { z } from 'zod';

export const STEPS = ['DEBIT', 'CREDIT', 'SETTLE', 'REFUND', 'DONE'] as const;
export type Step = (typeof STEPS)[number];

/** The Transfer actor's durable state: the transfer, the next step to run, and what identifies its request. */
export const TransferRecordSchema = TransferViewSchema.extend({
  step: z.enum(STEPS),
  correlationId: z.string(),
  /** Identifies the request, so a repeat with the same transfer id and other details is refused. */
  fingerprint: z.string(),
  idempotency: z.object({ keyHash: z.string(), requestHash: z.string() }).optional(),
  /** The first answer given, returned again for a request with the same Idempotency-Key. */
  firstAnswer: TransferViewSchema.optional(),
});
export type TransferRecord = z.infer<typeof TransferRecordSchema>;

export function viewOf(record: TransferRecord): TransferView {
  return TransferViewSchema.parse(record); // drops the process fields
}
