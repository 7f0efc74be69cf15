// Test support (not a test file: no *.unit.test.ts suffix), shared by the actors' unit tests.
import type { StoredEvent } from '@bank/domain';
import type { AccountActorRequest, AppendResult, IdempotencyRecord } from '@bank/contracts';
import { SidecarError } from '@bank/service-kit';

/** An in-memory stand-in for event-source with the same append semantics, for pure actor logic. */
export class FakeLog {
  events: StoredEvent[] = [];
  records = new Map<string, IdempotencyRecord>();
  failNext = 0;

  async append(
    _id: string,
    expected: number,
    events: StoredEvent[],
    idem?: { keyHash: string; record: IdempotencyRecord },
  ): Promise<AppendResult> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new SidecarError('down', undefined, undefined);
    }
    if (idem && this.records.has(idem.keyHash))
      return { ok: false, code: 'IDEMPOTENCY_KEY_EXISTS', record: this.records.get(idem.keyHash)! };
    if (this.events.length !== expected)
      return { ok: false, code: 'VERSION_CONFLICT', currentVersion: this.events.length };
    this.events.push(...events);
    if (idem) this.records.set(idem.keyHash, idem.record);
    return { ok: true, version: this.events.length, logTx: 1, duplicate: false };
  }
  async readAll(_id: string, from: number) {
    return this.events.filter((e) => e.version >= from);
  }
  async read(_id: string, from: number, limit = 1000) {
    return { events: this.events.filter((e) => e.version >= from).slice(0, limit), streamVersion: this.events.length };
  }
  async idempotencyRecord(keyHash: string) {
    return this.records.get(keyHash);
  }
}

/** Opens a USD account with 10.00 (correlation id `c`). */
export const openRequest: AccountActorRequest = {
  type: 'OpenAccount',
  correlationId: 'c',
  ownerId: 'o',
  ownerName: 'Owner',
  accountType: 'CHECKING',
  currency: 'USD',
  initialDeposit: '10.00',
  overdraftLimit: '0',
};
