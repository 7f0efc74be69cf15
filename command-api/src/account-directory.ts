/**
 * Which accounts exist, as the event log says, so that a command for an id nobody opened is
 * answered 404 here instead of activating a BankAccount actor (which would then sit in the
 * actors app and its sidecar until Dapr's idle timeout). Accounts are never deleted, so a yes is
 * remembered (the `capacity` most recently used ids); a no is asked again next time, as the
 * account may have been opened since.
 */
import { EVENT_SOURCE_APP_ID } from '@bank/contracts';
import { ApiError, envString, LruMap, type DaprSidecar } from '@bank/service-kit';

export type ExistsInLog = (accountId: string) => Promise<boolean>;

export class AccountDirectory {
  private readonly known: LruMap<string, true>;

  constructor(
    private readonly inLog: ExistsInLog,
    capacity = 100_000,
  ) {
    this.known = new LruMap(capacity);
  }

  /** Throws ACCOUNT_NOT_FOUND (404) unless the account exists; SERVICE_UNAVAILABLE if the log cannot say. */
  async mustExist(accountId: string): Promise<void> {
    if (this.known.get(accountId)) return;
    let exists: boolean;
    try {
      exists = await this.inLog(accountId);
    } catch {
      throw new ApiError('SERVICE_UNAVAILABLE', 'the event log did not answer; retry');
    }
    if (!exists) throw new ApiError('ACCOUNT_NOT_FOUND', `account ${accountId} does not exist`);
    this.remember(accountId);
  }

  /** An account known to exist (it was just opened through this app). */
  remember(accountId: string): void {
    this.known.set(accountId, true);
  }
}

/** Asks event-source whether an account's stream has any event (its opening), through Dapr. */
export function existsInEventLog(sidecar: DaprSidecar): ExistsInLog {
  const appId = envString('EVENT_SOURCE_APP_ID', EVENT_SOURCE_APP_ID);
  return async (accountId) => {
    const answer = (await sidecar.invoke(appId, `/streams/${encodeURIComponent(accountId)}/exists`, 'GET')) as {
      exists?: unknown;
    };
    if (typeof answer?.exists !== 'boolean') throw new Error('event-source gave an unreadable answer');
    return answer.exists;
  };
}
