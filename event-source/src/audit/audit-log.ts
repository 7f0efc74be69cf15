/**
 * The audit read: a page of one stream's events straight from ImmuDB, each entry checked on this
 * side against the database state, and that state checked against the last one trusted. The
 * trusted state then moves forward (never back) to the state just verified.
 */
import * as grpc from '@grpc/grpc-js';
import { StoredEventSchema, type StoredEvent } from '@bank/domain';
import { type LogVerification } from '@bank/contracts';
import { eventKey, streamPrefix } from '../event-store';
import type { ImmuClient } from '../immudb/client';
import { verifyConsistency, verifyEntry, type Check, type ImmuState } from '../immudb/verify';
import { MalformedProof } from '../immudb/verify/from-proto';
import type { AnchorRecord } from './anchor-record';
import type { TrustedStateStore } from './trusted-state';

type LogReader = Pick<ImmuClient, 'scan' | 'currentState' | 'verifiableGet' | 'verifiableTxById'>;

export type AuditPage = { events: StoredEvent[]; nextFromVersion: number | null; verification: LogVerification };

const IN_FLIGHT = 8;
const SAVE_ATTEMPTS = 5;

class VerificationFailed extends Error {
  constructor(
    readonly stage: 'consistency' | 'inclusion',
    reason: string,
  ) {
    super(reason);
  }
}

export class AuditLog {
  /** The last state this process trusted: a copy, in case the store loses it while we run. */
  private remembered: ImmuState | undefined;

  constructor(
    private readonly db: LogReader,
    private readonly trust: TrustedStateStore,
    /** Notes in the log that an anchor was established, so that losing it is reported. */
    private readonly anchors?: Pick<AnchorRecord, 'established' | 'note'>,
  ) {}

  /** Undefined when the stream has no event at all. */
  async read(streamId: string, fromVersion: number, limit: number): Promise<AuditPage | undefined> {
    const found = await this.db.scan(streamPrefix(streamId), {
      seekKey: eventKey(streamId, fromVersion),
      limit: limit + 1,
    });
    if (found.length === 0 && (await this.db.scan(streamPrefix(streamId), { limit: 1 })).length === 0) return undefined;
    const page = found.slice(0, limit);
    const nextFromVersion = found.length > limit ? fromVersion + limit : null;
    // Read after the scan, so every entry found is at or before it.
    const state = await this.db.currentState();
    const loaded = await this.trust.load();
    const { token } = loaded;
    // The store lost the anchor while this process ran: check against the copy, and save it back.
    const restored = loaded.state === undefined && this.remembered !== undefined;
    const trusted = loaded.state ?? this.remembered;
    // Lost with no copy here: trusted anew, and said so, if one was established before.
    const reestablished = trusted === undefined && this.anchors !== undefined && (await this.anchors.established());
    const report = (checks: LogVerification['checks'], entriesVerified: number, failure: string | null) => ({
      verified: failure === null,
      state: view(state),
      trustedState: trusted ? view(trusted) : null,
      checks,
      entriesVerified,
      failure,
    });

    let entriesVerified = 0;
    try {
      if (trusted) await this.consistent(trusted, state);
      const events = await mapLimited(page, IN_FLIGHT, async (entry) => {
        const event = await this.verifiedEvent(entry.key, entry.tx, state);
        entriesVerified++;
        return event;
      });
      events.forEach((e, i) => {
        if (e.streamId !== streamId || e.version !== fromVersion + i) {
          throw new VerificationFailed(
            'inclusion',
            `entry ${i + 1} of the page is version ${e.version} of ${e.streamId}`,
          );
        }
      });
      if (restored) await this.advance(newer(state, trusted!), undefined, token);
      else await this.advance(state, trusted, token);
      if (trusted === undefined && !reestablished) await this.anchors?.note(state);
      this.remembered = trusted ? newer(state, trusted) : state;
      const consistency = trusted ? 'PASSED' : reestablished ? 'REESTABLISHED' : 'FIRST_USE';
      return {
        events,
        nextFromVersion,
        verification: report({ consistency, inclusion: 'PASSED' }, entriesVerified, null),
      };
    } catch (err) {
      if (!(err instanceof VerificationFailed)) throw err;
      const checks: LogVerification['checks'] =
        err.stage === 'consistency'
          ? { consistency: 'FAILED', inclusion: 'NOT_CHECKED' }
          : { consistency: trusted ? 'PASSED' : reestablished ? 'REESTABLISHED' : 'FIRST_USE', inclusion: 'FAILED' };
      return { events: [], nextFromVersion: null, verification: report(checks, entriesVerified, err.message) };
    }
  }

  /** One state extends the other, whichever is newer. */
  private async consistent(a: ImmuState, b: ImmuState): Promise<void> {
    const [older, newer] = a.txId <= b.txId ? [a, b] : [b, a];
    const vtx =
      older.txId === newer.txId || older.txId === 0
        ? undefined
        : await proofOrFailure('consistency', () => this.db.verifiableTxById(newer.txId, older.txId));
    const check: Check = older.txId === 0 ? { ok: true } : verifyConsistency(vtx, older, newer);
    if (!check.ok) throw new VerificationFailed('consistency', check.reason);
  }

  private async verifiedEvent(key: Buffer, tx: number, state: ImmuState): Promise<StoredEvent> {
    const ve = await proofOrFailure('inclusion', () => this.db.verifiableGet(key, tx, state.txId));
    const check = verifyEntry(ve, { key, atTx: tx }, state);
    if (!check.ok) throw new VerificationFailed('inclusion', check.reason);
    const parsed = StoredEventSchema.safeParse(safeJson(ve.entry.value));
    if (!parsed.success) throw new VerificationFailed('inclusion', `entry ${key.toString()} is not a stored event`);
    return parsed.data;
  }

  /**
   * Moves the trusted state to `state` if it is newer, with a conditional save. If another reader
   * saved in between, its state must be consistent with ours too, and only a newer one replaces it.
   */
  private async advance(state: ImmuState, trusted: ImmuState | undefined, token: string | undefined): Promise<void> {
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
      if (trusted && trusted.txId >= state.txId) return;
      if (await this.trust.saveIfUnchanged(state, token)) return;
      ({ state: trusted, token } = await this.trust.load());
      if (trusted) await this.consistent(trusted, state);
    }
    // Everything was verified; the anchor simply stays where a concurrent reader left it.
  }
}

const newer = (a: ImmuState, b: ImmuState) => (a.txId >= b.txId ? a : b);

function view(s: ImmuState) {
  return { txId: s.txId, txHash: s.txHash.toString('hex') };
}

// gRPC statuses that mean "ImmuDB is not reachable right now", not "ImmuDB cannot prove it".
const TRANSIENT = new Set([
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.CANCELLED,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.UNAUTHENTICATED,
]);

/**
 * Fetches a proof. A malformed answer, or a refusal to prove (e.g. a transaction trusted before
 * that the server no longer has), fails verification; an outage stays an error (503 upstream).
 */
async function proofOrFailure<T>(stage: 'consistency' | 'inclusion', fetch: () => Promise<T>): Promise<T> {
  try {
    return await fetch();
  } catch (err) {
    if (err instanceof MalformedProof) throw new VerificationFailed(stage, `malformed proof: ${err.message}`);
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number' && !TRANSIENT.has(code)) {
      throw new VerificationFailed(stage, `ImmuDB could not prove it: ${(err as Error).message}`);
    }
    throw err;
  }
}

function safeJson(value: Buffer): unknown {
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
}

async function mapLimited<T, R>(items: T[], inFlight: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, worker));
  return out;
}
