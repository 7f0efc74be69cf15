import fs from 'node:fs';
import path from 'node:path';
import { verifyConsistency, verifyEntry, type ImmuState, type VerifiableEntry, type VerifiableTx } from '.';

// Real answers of ImmuDB v1.11.1 (22 transactions of 1 to 3 entries), captured once from the test
// stack's server: the verifier must accept them as they are and reject any single changed bit.
type Fixture = {
  state: ImmuState;
  trusted: ImmuState;
  entry: { key: Buffer; atTx: number; ve: VerifiableEntry };
  lastEntry: { key: Buffer; atTx: number; ve: VerifiableEntry };
  consistency: VerifiableTx;
};
const load = (): Fixture =>
  JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'immudb-1.11.1-proofs.json'), 'utf8'), (_k, v) =>
    typeof v === 'string' && v.startsWith('hex:') ? Buffer.from(v.slice(4), 'hex') : v,
  ) as Fixture;

/** Every Buffer inside `root`, with a function that flips one bit of it in place. */
function buffers(root: unknown, at = ''): { path: string; flip: () => void }[] {
  if (Buffer.isBuffer(root)) return [];
  if (!root || typeof root !== 'object') return [];
  return Object.entries(root as Record<string, unknown>).flatMap(([k, v]) => {
    const p = `${at}.${k}`;
    if (Buffer.isBuffer(v) && v.length > 0) return [{ path: p, flip: () => void (v[0] = v[0]! ^ 0x80) }];
    return buffers(v, p);
  });
}

describe('client-side verification (pure) on real ImmuDB proofs', () => {
  it('accepts the entries and the consistency proof as the server sent them', () => {
    const f = load();
    expect(verifyEntry(f.entry.ve, f.entry, f.state)).toEqual({ ok: true });
    expect(verifyEntry(f.lastEntry.ve, f.lastEntry, f.state)).toEqual({ ok: true });
    expect(verifyConsistency(f.consistency, f.trusted, f.state)).toEqual({ ok: true });
  });

  it('rejects an entry when any bit of its value or of any proof changes', () => {
    const paths = buffers(load().entry.ve, 've').filter(
      // Not part of what is checked: the key is the one asked for, the header is taken from the dual proof.
      (b) => !b.path.startsWith('ve.txHeader') && b.path !== 've.entry.key',
    );
    expect(paths.length).toBeGreaterThan(15);
    for (const { path: p } of paths) {
      const f = load();
      buffers(f.entry.ve, 've')
        .find((b) => b.path === p)!
        .flip();
      expect([p, verifyEntry(f.entry.ve, f.entry, f.state).ok]).toEqual([p, false]);
    }
  });

  it('rejects a changed number in a transaction header', () => {
    for (const field of ['id', 'ts', 'version', 'nentries', 'blTxId'] as const) {
      for (const which of ['sourceTxHeader', 'targetTxHeader'] as const) {
        const f = load();
        f.entry.ve.dualProof[which][field] += 1;
        expect([which, field, verifyEntry(f.entry.ve, f.entry, f.state).ok]).toEqual([which, field, false]);
      }
    }
  });

  it('rejects another key, another transaction, or a state it is not proven against', () => {
    const f = load();
    expect(verifyEntry(f.entry.ve, { key: f.lastEntry.key, atTx: f.entry.atTx }, f.state).ok).toBe(false);
    expect(verifyEntry(f.entry.ve, { key: f.entry.key, atTx: f.entry.atTx + 1 }, f.state).ok).toBe(false);
    expect(verifyEntry(f.entry.ve, f.entry, f.trusted).ok).toBe(false);
    expect(verifyEntry(f.entry.ve, f.entry, { ...f.state, txId: f.state.txId + 1 }).ok).toBe(false);
  });

  it('rejects a consistency proof when any bit changes, or for states it does not link', () => {
    const paths = buffers(load().consistency, 'c').filter((b) => !b.path.startsWith('c.txHeader'));
    expect(paths.length).toBeGreaterThan(10);
    for (const { path: p } of paths) {
      const f = load();
      buffers(f.consistency, 'c')
        .find((b) => b.path === p)!
        .flip();
      expect([p, verifyConsistency(f.consistency, f.trusted, f.state).ok]).toEqual([p, false]);
    }
    const f = load();
    const flipped = (s: ImmuState) => ({ ...s, txHash: Buffer.from(s.txHash.map((x, i) => (i ? x : x ^ 1))) });
    expect(verifyConsistency(f.consistency, flipped(f.trusted), f.state).ok).toBe(false);
    expect(verifyConsistency(f.consistency, f.trusted, flipped(f.state)).ok).toBe(false);
    expect(verifyConsistency(f.consistency, f.state, f.trusted)).toMatchObject({ ok: false });
    expect(verifyConsistency(f.consistency, { ...f.trusted, txId: f.trusted.txId + 1 }, f.state).ok).toBe(false);
  });
});
