import {
  AccountActorResultSchema,
  BANK_ACCOUNT_ACTOR_TYPE,
  type AccountActorRequest,
  type AccountActorResult,
} from '@bank/contracts';
import { ApiError, invokeActorWhenPlaced, type DaprSidecar } from '@bank/service-kit';
import type { AccountDirectory } from './account-directory';

/**
 * Sends commands to the BankAccount actor of one account through the Dapr sidecar; only an
 * opening reaches the actor of an account that does not exist (see AccountDirectory).
 */
export class AccountActors {
  constructor(
    private readonly sidecar: DaprSidecar,
    private readonly directory: AccountDirectory,
  ) {}

  async execute(accountId: string, request: AccountActorRequest): Promise<Extract<AccountActorResult, { ok: true }>> {
    const opening = request.type === 'OpenAccount';
    if (!opening) await this.directory.mustExist(accountId);
    let raw: unknown;
    try {
      raw = await invokeActorWhenPlaced(this.sidecar, BANK_ACCOUNT_ACTOR_TYPE, accountId, 'execute', request);
    } catch {
      throw new ApiError(
        'SERVICE_UNAVAILABLE',
        'the account service did not answer; retry with the same Idempotency-Key',
      );
    }
    const parsed = AccountActorResultSchema.safeParse(raw);
    if (!parsed.success) throw new ApiError('SERVICE_UNAVAILABLE', 'the account actor gave an unreadable answer');
    if (!parsed.data.ok) {
      const { code, message, path } = parsed.data.error;
      throw new ApiError(code, message, path ? [{ path, message }] : undefined);
    }
    if (opening) this.directory.remember(accountId);
    return parsed.data;
  }
}
