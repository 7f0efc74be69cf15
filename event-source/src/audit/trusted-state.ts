/**
 * Where event-source keeps the last ImmuDB state it verified: the trust anchor of every later
 * check. It must live outside ImmuDB (the party being checked cannot vouch for itself) and survive
 * restarts, and every replica of event-source must share it; the Dapr state store (Redis with
 * append-only persistence in `npm start`) is all three. Saves are conditional (ETag, first-write)
 * so concurrent readers can never move it backwards.
 */
import type { DaprSidecar } from '@bank/service-kit';
import { z } from 'zod';
import type { ImmuState } from '../immudb/verify';

export type TrustedRead = { state: ImmuState | undefined; token: string | undefined };

export interface TrustedStateStore {
  /** The last trusted state, and a token for a conditional save. */
  load(): Promise<TrustedRead>;
  /** Saves `state` only if nothing was saved since the load that gave `token`; false otherwise. */
  saveIfUnchanged(state: ImmuState, token: string | undefined): Promise<boolean>;
}

const Stored = z.object({ txId: z.number().int().nonnegative(), txHash: z.string().regex(/^[0-9a-f]{64}$/) });

export function daprTrustedStateStore(sidecar: DaprSidecar, database: string, store = 'statestore'): TrustedStateStore {
  const key = `immudb-trusted-state-${database}`;
  return {
    async load() {
      const entry = await sidecar.getStateEntry<unknown>(store, key);
      if (!entry) return { state: undefined, token: undefined };
      const stored = Stored.parse(entry.value);
      return { state: { txId: stored.txId, txHash: Buffer.from(stored.txHash, 'hex') }, token: entry.etag };
    },
    saveIfUnchanged(state, token) {
      return sidecar.saveStateIfUnchanged(
        store,
        key,
        { txId: state.txId, txHash: state.txHash.toString('hex') },
        token,
      );
    },
  };
}

/** In memory, same semantics; for tests. */
export function memoryTrustedStateStore(initial?: ImmuState): TrustedStateStore & { saved: ImmuState[]; wipe(): void } {
  let current = initial;
  let version = initial ? 1 : 0;
  const saved: ImmuState[] = [];
  return {
    saved,
    /** Loses the anchor, as a wiped state store would. */
    wipe() {
      current = undefined;
      version++;
    },
    async load() {
      return { state: current, token: current ? String(version) : undefined };
    },
    async saveIfUnchanged(state, token) {
      if ((current ? String(version) : undefined) !== token) return false;
      current = state;
      version++;
      saved.push(state);
      return true;
    },
  };
}
