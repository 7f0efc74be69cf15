import {
  TRANSFER_ACTOR_TYPE,
  TransferResultSchema,
  type TransferResult,
  type TransferStartRequest,
} from '@bank/domain';
import { ApiError, invokeActorWhenPlaced, type DaprSidecar } from '@bank/service-kit';

/** Starts transfers on their Transfer actor through the Dapr sidecar. */
export class TransferActors {
  constructor(private readonly sidecar: DaprSidecar) {}

  async start(transferId: string, request: TransferStartRequest): Promise<Extract<TransferResult, { ok: true }>> {
    let raw: unknown;
    try {
      raw = await invokeActorWhenPlaced(this.sidecar, TRANSFER_ACTOR_TYPE, transferId, 'start', request);
    } catch {
      throw new ApiError(
        'SERVICE_UNAVAILABLE',
        'the transfer service did not answer; retry with the same transferId or Idempotency-Key',
      );
    }
    const parsed = TransferResultSchema.safeParse(raw);
    if (!parsed.success) throw new ApiError('SERVICE_UNAVAILABLE', 'the transfer actor gave an unreadable answer');
    if (!parsed.data.ok) {
      const { code, message, path } = parsed.data.error;
      throw new ApiError(code, message, path ? [{ path, message }] : undefined);
    }
    return parsed.data;
  }
}
