import { randomBytes, randomUUID } from 'node:crypto';
import { ImmuClient } from './client';
import { verifyConsistency, verifyEntry, type ImmuState } from './verify';

// The Go client's verification, ported, against real proofs from a real ImmuDB v1.11.1.
const db = new ImmuClient({
  address: process.env.IMMUDB_ADDRESS!,
  user: process.env.IMMUDB_USER!,
  password: process.env.IMMUDB_PASSWORD!,
  database: process.env.IMMUDB_DATABASE!,
});
afterAll(() => db.close());

type Written = { key: Buffer; value: Buffer; tx: number };
/** Each state the server reported right after one of our writes: the hashes a client would have trusted. */
const seenStates: ImmuState[] = [];

async function writeTxs(count: number, perTx: number): Promise<Written[]> {
  const prefix = `vt/${randomUUID()}/`;
  const written: Written[] = [];
  for (let t = 0; t < count; t++) {
    const kvs = Array.from({ length: perTx }, (_, i) => ({
      key: Buffer.from(`${prefix}${String(t * perTx + i).padStart(6, '0')}`),
      value: Buffer.from(JSON.stringify({ t, i, pad: 'x'.repeat(i * 7) })),
    }));
    const header = await db.execAll(kvs, []);
    written.push(...kvs.map((kv) => ({ ...kv, tx: header.id })));
    seenStates.push(await db.currentState());
  }
  return written;
}

const at = (e: Written) => ({ key: e.key, atTx: e.tx });

const forged = (b: Buffer) => {
  const copy = Buffer.from(b);
  copy[copy.length - 1] = copy[copy.length - 1]! ^ 1;
  return copy;
};

describe('ImmuDB proofs checked on the client side', () => {
  let entries: Written[];
  let before: ImmuState;

  beforeAll(async () => {
    before = await db.currentState();
    entries = await writeTxs(40, 3);
  });

  it('verifies every entry of many transactions against the current state', async () => {
    const state = await db.currentState();
    for (const e of entries) {
      const ve = await db.verifiableGet(e.key, e.tx, state.txId);
      expect(ve.entry.value.equals(e.value)).toBe(true);
      expect(verifyEntry(ve, { key: e.key, atTx: e.tx }, state)).toEqual({ ok: true });
    }
  });

  it('verifies an entry of the very transaction the state is at', async () => {
    const [last] = await writeTxs(1, 2);
    const state = await db.currentState();
    expect(state.txId).toBe(last!.tx);
    const ve = await db.verifiableGet(last!.key, last!.tx, state.txId);
    expect(verifyEntry(ve, { key: last!.key, atTx: last!.tx }, state)).toEqual({ ok: true });
  });

  it('proves that the current state extends every older state the server reported', async () => {
    const state = await db.currentState();
    const olders = [before, ...seenStates].filter((s) => s.txId > 0);
    expect(olders.length).toBeGreaterThan(40);
    for (const older of olders) {
      const vtx = await db.verifiableTxById(state.txId, older.txId);
      expect(verifyConsistency(vtx, older, state)).toEqual({ ok: true });
    }
    // And each older state extends the one before it.
    for (let i = 1; i < olders.length; i++) {
      const vtx = await db.verifiableTxById(olders[i]!.txId, olders[i - 1]!.txId);
      expect(verifyConsistency(vtx, olders[i - 1]!, olders[i]!)).toEqual({ ok: true });
    }
  });

  it('fails for an entry whose value or key was changed after the proof was made', async () => {
    const state = await db.currentState();
    const e = entries[17]!;
    const ve = await db.verifiableGet(e.key, e.tx, state.txId);
    const tamperedValue = { ...ve, entry: { ...ve.entry, value: forged(ve.entry.value) } };
    expect(verifyEntry(tamperedValue, { key: e.key, atTx: e.tx }, state)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not included'),
    });
    const other = entries[18]!;
    expect(verifyEntry(ve, { key: other.key, atTx: e.tx }, state).ok).toBe(false);
    // A value that is really in the log, presented as another key's value.
    const veOther = await db.verifiableGet(other.key, other.tx, state.txId);
    expect(
      verifyEntry({ ...ve, entry: { ...ve.entry, value: veOther.entry.value } }, { key: e.key, atTx: e.tx }, state).ok,
    ).toBe(false);
  });

  it('fails for a forged proof: a changed proof term, transaction header or entries hash', async () => {
    const state = await db.currentState();
    const e = entries[5]!;
    const ve = await db.verifiableGet(e.key, e.tx, state.txId);
    const terms = ve.inclusionProof.terms.map((t, i) => (i === 0 ? forged(t) : t));
    expect(verifyEntry({ ...ve, inclusionProof: { ...ve.inclusionProof, terms } }, at(e), state).ok).toBe(false);
    const src = ve.dualProof.sourceTxHeader;
    for (const header of [
      { ...src, ts: src.ts + 1 },
      { ...src, eh: forged(src.eh) },
      { ...src, nentries: 99 },
    ]) {
      const dualProof = { ...ve.dualProof, sourceTxHeader: header };
      expect(verifyEntry({ ...ve, dualProof }, at(e), state).ok).toBe(false);
    }
    const linear = ve.dualProof.linearProof!;
    const linearProof = {
      ...linear,
      terms: linear.terms.map((t, i) => (i === linear.terms.length - 1 ? forged(t) : t)),
    };
    expect(verifyEntry({ ...ve, dualProof: { ...ve.dualProof, linearProof } }, at(e), state).ok).toBe(false);
  });

  it('fails against a forged state: a wrong hash, or a target that is not a descendant', async () => {
    const state = await db.currentState();
    const e = entries[3]!;
    const ve = await db.verifiableGet(e.key, e.tx, state.txId);
    expect(verifyEntry(ve, at(e), { txId: state.txId, txHash: forged(state.txHash) }).ok).toBe(false);
    expect(verifyEntry(ve, at(e), { txId: state.txId, txHash: randomBytes(32) }).ok).toBe(false);

    const trusted = seenStates[0]!;
    const older = trusted.txId;
    const vtx = await db.verifiableTxById(state.txId, older);
    expect(verifyConsistency(vtx, trusted, state)).toEqual({ ok: true });
    // A trusted state with a wrong hash: the current state does not extend it.
    expect(verifyConsistency(vtx, { ...trusted, txHash: forged(trusted.txHash) }, state)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not consistent'),
    });
    // A target that is not a descendant: another hash for the same id, or an id before the trusted one.
    expect(verifyConsistency(vtx, trusted, { ...state, txHash: randomBytes(32) }).ok).toBe(false);
    expect(verifyConsistency(vtx, state, trusted)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('older'),
    });
    expect(verifyConsistency(undefined, trusted, { txId: older, txHash: randomBytes(32) }).ok).toBe(false);
    // The proof of another pair of transactions does not prove this pair.
    const otherVtx = await db.verifiableTxById(state.txId, older + 1);
    expect(verifyConsistency(otherVtx, trusted, state).ok).toBe(false);
  });
});
