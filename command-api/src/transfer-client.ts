import {
  TRANSFER_ACTOR_TYPE,
  TransferResultSchema,
  type TransferResult,
  type TransferStartRequest,
} from '@bank/contracts';
import { ApiError, invokeActorWhenPlaced, type DaprSidecar } from '@bank/service-kit';
import type { AccountDirectory } from './account-directory';

/**
 * Starts transfers on their Transfer actor through the Dapr sidecar, between accounts that
 * exist (so a transfer naming a made-up account activates no BankAccount actor).
 */
export class TransferActors {
  constructor(
    private readonly sidecar: DaprSidecar,
    private readonly directory: AccountDirectory,
  ) {}

  async start(transferId: string, request: TransferStartRequest): Promise<Extract<TransferResult, { ok: true }>> {
    await this.directory.mustExist(request.fromAccountId);
    await this.directory.mustExist(request.toAccountId);
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
