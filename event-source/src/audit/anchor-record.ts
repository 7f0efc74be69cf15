/**
 * A note, in the log database, that a trust anchor was once established for it. The anchor
 * itself (the last trusted state) lives in the Dapr state store, outside the party being
 * checked; if that store loses it (a wiped Redis), the next audit read must not look like the
 * very first one. With this note it says `consistency: "REESTABLISHED"`: the page was checked
 * against the current state, but nothing before it could be, since the state trusted until
 * then is gone. The note is written once, with a precondition that it is new.
 */
import { PreconditionFailed, type ImmuClient } from '../immudb/client';
import type { ImmuState } from '../immudb/verify';

export const TRUST_ANCHOR_NOTE_KEY = 'a/trust-anchor-established';

export class AnchorRecord {
  private known = false;
  private readonly key: Buffer;

  constructor(
    private readonly db: Pick<ImmuClient, 'scan' | 'set'>,
    key = TRUST_ANCHOR_NOTE_KEY,
  ) {
    this.key = Buffer.from(key);
  }

  /** Whether an anchor was established for this log before. */
  async established(): Promise<boolean> {
    if (this.known) return true;
    const [entry] = await this.db.scan(this.key, { limit: 1 });
    this.known = entry !== undefined && entry.key.equals(this.key);
    return this.known;
  }

  /** Notes that `state` became the first trusted state (a second note is refused and ignored). */
  async note(state: ImmuState): Promise<void> {
    const value = { txId: state.txId, txHash: state.txHash.toString('hex'), at: new Date().toISOString() };
    try {
      await this.db.set(
        [{ key: this.key, value: Buffer.from(JSON.stringify(value)) }],
        [{ keyMustNotExist: { key: this.key } }],
      );
    } catch (err) {
      if (!(err instanceof PreconditionFailed)) throw err;
    }
    this.known = true;
  }
}
