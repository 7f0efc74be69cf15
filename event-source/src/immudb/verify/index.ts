/**
 * Client-side verification of ImmuDB answers, ported from ImmuDB v1.11.1's Go client
 * (pkg/client verifiedGet and verifyDualProof). Pure functions: the caller fetches the proofs.
 */
import { entryDigest, encodeKey, encodeValue } from './entry-digest';
import { verifyDualProof } from './dual-proof';
import { verifyEntryInclusion } from './htree';
import { alh } from './tx-header';
import type { ImmuState, VerifiableEntry, VerifiableTx } from './types';

export type Check = { ok: true } | { ok: false; reason: string };

const pass: Check = { ok: true };
const fail = (reason: string): Check => ({ ok: false, reason });

/**
 * The entry `key` as it was at transaction `atTx` is what `ve` says, and that transaction is an
 * ancestor of (or is) `state`. Whatever the entry or the proofs claim, the key checked is the one
 * asked for and the state is the caller's.
 */
export function verifyEntry(ve: VerifiableEntry, expected: { key: Buffer; atTx: number }, state: ImmuState): Check {
  try {
    if (ve.entry.isReference) return fail(`entry ${printable(expected.key)} is a reference, not a value`);
    const vTx = expected.atTx > 0 ? expected.atTx : ve.entry.tx;
    if (ve.entry.tx !== vTx) return fail(`entry ${printable(expected.key)} claims tx ${ve.entry.tx}, not ${vTx}`);
    if (vTx > state.txId) return fail(`entry tx ${vTx} is after the state it is checked against (${state.txId})`);
    // The transaction that holds the entry is the dual proof's target when it is the state itself.
    const entryTx = state.txId <= vTx ? ve.dualProof.targetTxHeader : ve.dualProof.sourceTxHeader;
    if (entryTx.id !== vTx) return fail(`the proof is for tx ${entryTx.id}, not tx ${vTx}`);
    const digest = entryDigest(entryTx.version, {
      key: encodeKey(expected.key),
      metadata: ve.entry.metadata,
      value: encodeValue(ve.entry.value),
    });
    if (!verifyEntryInclusion(ve.inclusionProof, digest, entryTx.eh)) {
      return fail(`entry ${printable(expected.key)} is not included in tx ${vTx}`);
    }
    const proven =
      state.txId <= vTx
        ? verifyDualProof(ve.dualProof, state.txId, vTx, state.txHash, alh(ve.dualProof.targetTxHeader))
        : verifyDualProof(ve.dualProof, vTx, state.txId, alh(ve.dualProof.sourceTxHeader), state.txHash);
    return proven ? pass : fail(`tx ${vTx} is not proven to be an ancestor of state tx ${state.txId}`);
  } catch (err) {
    return fail(`entry ${printable(expected.key)}: ${(err as Error).message}`);
  }
}

/** `newer` extends `older`: same history up to older.txId (the dual proof of VerifiableTxById). */
export function verifyConsistency(vtx: VerifiableTx | undefined, older: ImmuState, newer: ImmuState): Check {
  try {
    if (older.txId > newer.txId) return fail(`state tx ${newer.txId} is older than tx ${older.txId}`);
    if (older.txId === newer.txId) {
      return older.txHash.equals(newer.txHash) ? pass : fail(`two different hashes for tx ${older.txId}`);
    }
    if (!vtx) return fail('no consistency proof');
    return verifyDualProof(vtx.dualProof, older.txId, newer.txId, older.txHash, newer.txHash)
      ? pass
      : fail(`state tx ${newer.txId} is not consistent with state tx ${older.txId}`);
  } catch (err) {
    return fail(`consistency of tx ${older.txId} and tx ${newer.txId}: ${(err as Error).message}`);
  }
}

const printable = (key: Buffer) => JSON.stringify(key.toString('utf8'));

export type { ImmuState, VerifiableEntry, VerifiableTx } from './types';
export { alh } from './tx-header';
