/**
 * Which events of the log a live-stream connection may see, and what it sees of each.
 *
 * An account event concerns its account; a transfer's own event concerns both of its accounts.
 * A customer sees the events that concern an account it owns; staff see every event; a filter
 * on one account keeps the events that concern it. Owners and transfer parties never change, so
 * they are remembered: learnt from the AccountOpened and TransferStarted events that pass by,
 * otherwise looked up once (the read model, then the log itself for what it has not projected).
 */
import { isAccountStream, transferIdOfStream, type PublishedEvent } from '@bank/domain';
import { LruMap } from '@bank/service-kit';

export type ScopeLookups = {
  /** The owner of an account; undefined when there is no such account. */
  accountOwner(accountId: string): Promise<string | undefined>;
  /** The two accounts of a transfer; undefined when there is no such transfer. */
  transferAccounts(transferId: string): Promise<[string, string] | undefined>;
};

/** What one connection asked for and may see: one account, one owner's accounts, both, or all. */
export type StreamFilter = { accountId?: string; ownerId?: string };

/** The `data:` of one stream event (the public shape). */
export type StreamEventData = {
  accountId?: string;
  transferId?: string;
  type: string;
  version: number;
  occurredAt: string;
  data: unknown;
};

export class StreamScope {
  private readonly owners: LruMap<string, string>;
  private readonly parties: LruMap<string, [string, string]>;

  constructor(
    private readonly lookups: ScopeLookups,
    capacity = 100_000,
  ) {
    this.owners = new LruMap(capacity);
    this.parties = new LruMap(capacity);
  }

  async ownerOf(accountId: string): Promise<string | undefined> {
    const known = this.owners.get(accountId);
    if (known !== undefined) return known;
    const owner = await this.lookups.accountOwner(accountId);
    if (owner !== undefined) this.owners.set(accountId, owner);
    return owner;
  }

  /** Whether a connection with this filter sees the event. Remembers what the event tells about owners and parties. */
  async visible(event: PublishedEvent, filter: StreamFilter): Promise<boolean> {
    this.learn(event);
    if (filter.accountId === undefined && filter.ownerId === undefined) return true;
    const accounts = await this.accountsOf(event);
    const candidates = filter.accountId === undefined ? accounts : accounts.filter((a) => a === filter.accountId);
    if (filter.ownerId === undefined) return candidates.length > 0;
    for (const accountId of candidates) if ((await this.ownerOf(accountId)) === filter.ownerId) return true;
    return false;
  }

  private async accountsOf(event: PublishedEvent): Promise<string[]> {
    if (isAccountStream(event.streamId)) return [event.streamId];
    const transferId = transferIdOfStream(event.streamId);
    let parties = this.parties.get(transferId);
    if (parties === undefined) {
      parties = await this.lookups.transferAccounts(transferId);
      if (parties !== undefined) this.parties.set(transferId, parties);
    }
    return parties ?? [];
  }

  private learn(event: PublishedEvent): void {
    const data = event.data as Record<string, unknown> | null;
    if (event.type === 'AccountOpened' && typeof data?.ownerId === 'string') {
      this.owners.set(event.streamId, data.ownerId);
    } else if (
      event.type === 'TransferStarted' &&
      typeof data?.fromAccountId === 'string' &&
      typeof data.toAccountId === 'string'
    ) {
      this.parties.set(transferIdOfStream(event.streamId), [data.fromAccountId, data.toAccountId]);
    }
  }
}

/** The public shape of a stream event: its account or transfer, type, version, time and data. */
export function streamEventData(event: PublishedEvent): StreamEventData {
  const data = event.data as Record<string, unknown> | null;
  const ids = isAccountStream(event.streamId)
    ? {
        accountId: event.streamId,
        ...(typeof data?.transferId === 'string' ? { transferId: data.transferId } : {}),
      }
    : { transferId: transferIdOfStream(event.streamId) };
  return { ...ids, type: event.type, version: event.version, occurredAt: event.occurredAt, data: event.data };
}
