import {
  AccountActorResultSchema,
  BANK_ACCOUNT_ACTOR_TYPE,
  type AccountActorRequest,
  type AccountActorResult,
} from '@bank/domain';
import { ApiError, SidecarError, type DaprSidecar } from '@bank/service-kit';

const PLACEMENT_RETRY_MS = 20_000;

/** Sends commands to the BankAccount actor of one account through the Dapr sidecar. */
export class AccountActors {
  constructor(private readonly sidecar: DaprSidecar) {}

  async execute(accountId: string, request: AccountActorRequest): Promise<Extract<AccountActorResult, { ok: true }>> {
    const raw = await this.invoke(accountId, request);
    const parsed = AccountActorResultSchema.safeParse(raw);
    if (!parsed.success) throw new ApiError('SERVICE_UNAVAILABLE', 'the account actor gave an unreadable answer');
    if (!parsed.data.ok) {
      const { code, message, path } = parsed.data.error;
      throw new ApiError(code, message, path ? [{ path, message }] : undefined);
    }
    return parsed.data;
  }

  /**
   * Right after start-up placement may not have told the sidecar where actors live yet; the
   * sidecar then answers 500 without reaching any actor, so retrying is safe for a while.
   */
  private async invoke(accountId: string, request: AccountActorRequest): Promise<unknown> {
    const deadline = Date.now() + PLACEMENT_RETRY_MS;
    for (;;) {
      try {
        return await this.sidecar.invokeActor(BANK_ACCOUNT_ACTOR_TYPE, accountId, 'execute', request);
      } catch (err) {
        if (err instanceof SidecarError && notPlacedYet(err) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 250));
          continue;
        }
        throw new ApiError(
          'SERVICE_UNAVAILABLE',
          'the account service did not answer; retry with the same Idempotency-Key',
        );
      }
    }
  }
}

function notPlacedYet(err: SidecarError): boolean {
  const text = JSON.stringify(err.body ?? '');
  return /placement|did not find address for actor|no actor type|actor runtime is not ready/i.test(text);
}
