import { randomBytes, randomUUID } from 'node:crypto';
import type { StoredEvent } from '@bank/domain';
import { EventStore } from '../event-store';
import { ImmuClient } from '../immudb/client';
import type { ImmuState, VerifiableEntry } from '../immudb/verify';
import { AnchorRecord } from './anchor-record';
import { AuditLog } from './audit-log';
import { memoryTrustedStateStore } from './trusted-state';
import { events } from '../fixtures.test';

const db = new ImmuClient({
  address: process.env.IMMUDB_ADDRESS!,
  user: process.env.IMMUDB_USER!,
  password: process.env.IMMUDB_PASSWORD!,
  database: process.env.IMMUDB_DATABASE!,
});
const store = new EventStore(db);
afterAll(() => db.close());

/** A stream written in `txs` transactions of 1 to 3 events each, interleaved with another stream. */
async function stream(txs: number): Promise<{ id: string; written: StoredEvent[] }> {
  const id = `audit-${randomUUID()}`;
  const other = `audit-other-${randomUUID()}`;
  const written: StoredEvent[] = [];
  for (let t = 0; t < txs; t++) {
    const batch = events(id, written.length + 1, (t % 3) + 1);
    expect(await store.append(id, written.length, batch)).toMatchObject({ ok: true });
    written.push(...batch);
    await store.append(other, t, events(other, t + 1, 1));
  }
  return { id, written };
}

/** The real client, with some answers replaced: what a compromised or buggy server would send. */
function lying(overrides: {
  currentState?: (real: ImmuState) => ImmuState;
  verifiableGet?: (real: VerifiableEntry) => VerifiableEntry;
}) {
  return {
    scan: db.scan.bind(db),
    verifiableTxById: db.verifiableTxById.bind(db),
    currentState: async () => (overrides.currentState ?? ((s) => s))(await db.currentState()),
    verifiableGet: async (key: Buffer, atTx: number, since: number) =>
      (overrides.verifiableGet ?? ((v) => v))(await db.verifiableGet(key, atTx, since)),
  };
}

const flip = (b: Buffer) => Buffer.from(b.map((x, i) => (i === b.length - 1 ? x ^ 1 : x)));
const hex = (s: ImmuState) => ({ txId: s.txId, txHash: s.txHash.toString('hex') });

describe('audit read from ImmuDB with client-side proofs', () => {
  it('verifies a stream written across many transactions and trusts the state on first use', async () => {
    const { id, written } = await stream(30);
    const trust = memoryTrustedStateStore();
    const page = await new AuditLog(db, trust).read(id, 1, 500);
    expect(page!.events).toEqual(written);
    expect(page!.nextFromVersion).toBeNull();
    expect(page!.verification).toMatchObject({
      verified: true,
      trustedState: null,
      checks: { consistency: 'FIRST_USE', inclusion: 'PASSED' },
      entriesVerified: written.length,
      failure: null,
    });
    expect(trust.saved.map(hex)).toEqual([page!.verification.state]);
  });

  it('checks the next reads against the trusted state and moves it forward, durably in the store', async () => {
    const { id } = await stream(3);
    const trust = memoryTrustedStateStore();
    const audit = new AuditLog(db, trust);
    const first = (await audit.read(id, 1, 100))!.verification;
    await stream(5);
    const second = (await audit.read(id, 1, 100))!.verification;
    expect(second).toMatchObject({ verified: true, checks: { consistency: 'PASSED', inclusion: 'PASSED' } });
    expect(second.trustedState).toEqual(first.state);
    expect(second.state!.txId).toBeGreaterThan(first.state!.txId);
    expect(trust.saved.map(hex)).toEqual([first.state, second.state]);
    // A new AuditLog (a restarted event-source) starts from what the store kept.
    const third = (await new AuditLog(db, trust).read(id, 1, 100))!.verification;
    expect(third.trustedState).toEqual(second.state);
  });

  it('pages with fromVersion and limit', async () => {
    const { id, written } = await stream(6); // 1+2+3+1+2+3 = 12 events
    const audit = new AuditLog(db, memoryTrustedStateStore());
    const p1 = await audit.read(id, 1, 5);
    expect(p1!.events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
    expect(p1!.nextFromVersion).toBe(6);
    const p3 = await audit.read(id, 11, 5);
    expect(p3!.events.map((e) => e.eventId)).toEqual(written.slice(10).map((e) => e.eventId));
    expect(p3!.nextFromVersion).toBeNull();
    const beyond = await audit.read(id, 13, 5);
    expect(beyond).toMatchObject({ events: [], nextFromVersion: null, verification: { verified: true } });
    expect(await audit.read(`audit-none-${randomUUID()}`, 1, 5)).toBeUndefined();
  });

  it('fails, hands out nothing and keeps the trusted state when an entry was tampered with', async () => {
    const { id } = await stream(4);
    const trust = memoryTrustedStateStore();
    await new AuditLog(db, trust).read(id, 1, 100);
    const trustedBefore = [...trust.saved];
    await stream(1);
    const tamper = (ve: VerifiableEntry) => {
      const event = JSON.parse(ve.entry.value.toString()) as StoredEvent;
      if (event.version !== 3) return ve;
      const forged = { ...event, data: { ...(event.data as object), amount: 1_000_000 } };
      return { ...ve, entry: { ...ve.entry, value: Buffer.from(JSON.stringify(forged)) } };
    };
    const page = await new AuditLog(lying({ verifiableGet: tamper }), trust).read(id, 1, 100);
    expect(page!.events).toEqual([]);
    expect(page!.verification).toMatchObject({
      verified: false,
      checks: { consistency: 'PASSED', inclusion: 'FAILED' },
      failure: expect.stringContaining('not included'),
    });
    expect(trust.saved).toEqual(trustedBefore);
  });

  it('fails for an entry presented under another key (a real value moved to another version)', async () => {
    const { id } = await stream(3);
    const swap = (ve: VerifiableEntry) =>
      ve.entry.key.toString().endsWith('0000000000000002')
        ? { ...ve, entry: { ...ve.entry, key: Buffer.from('x') } }
        : ve;
    const page = await new AuditLog(lying({ verifiableGet: swap }), memoryTrustedStateStore()).read(id, 1, 100);
    // The key checked is the one asked for, so a forged key in the answer changes nothing...
    expect(page!.verification.verified).toBe(true);
    // ...while a value that is not the asked key's value fails.
    let first: Buffer | undefined;
    const reuse = (ve: VerifiableEntry) => {
      first ??= ve.entry.value;
      return { ...ve, entry: { ...ve.entry, value: first } };
    };
    const bad = await new AuditLog(lying({ verifiableGet: reuse }), memoryTrustedStateStore()).read(id, 1, 100);
    expect(bad!.verification).toMatchObject({ verified: false, checks: { inclusion: 'FAILED' } });
  });

  it('fails when the server state is not consistent with the trusted one, and never trusts it', async () => {
    const { id } = await stream(2);
    const real = await db.currentState();
    // The server reports a state with a forged hash.
    const trust = memoryTrustedStateStore();
    await new AuditLog(db, trust).read(id, 1, 10);
    await stream(1);
    const forgedState = await new AuditLog(
      lying({ currentState: (s) => ({ ...s, txHash: flip(s.txHash) }) }),
      trust,
    ).read(id, 1, 10);
    expect(forgedState!.verification).toMatchObject({
      verified: false,
      checks: { consistency: 'FAILED', inclusion: 'NOT_CHECKED' },
      failure: expect.stringContaining('not consistent'),
    });
    expect(forgedState!.events).toEqual([]);
    expect(trust.saved).toHaveLength(1);

    // A trusted state with a wrong hash: the real log does not extend it.
    const wrongAnchor = memoryTrustedStateStore({ txId: real.txId - 1, txHash: randomBytes(32) });
    const v1 = (await new AuditLog(db, wrongAnchor).read(id, 1, 10))!.verification;
    expect(v1).toMatchObject({ verified: false, checks: { consistency: 'FAILED' } });
    expect(wrongAnchor.saved).toEqual([]);

    // A trusted state the server cannot reach (a rolled-back or forked log): not a descendant.
    const ahead = memoryTrustedStateStore({ txId: real.txId + 1_000_000, txHash: randomBytes(32) });
    const v2 = (await new AuditLog(db, ahead).read(id, 1, 10))!.verification;
    expect(v2).toMatchObject({ verified: false, checks: { consistency: 'FAILED' } });
    expect(ahead.saved).toEqual([]);
  });

  it('never moves the trusted state backwards, and checks an older server state against it', async () => {
    const { id } = await stream(2);
    const older = await db.currentState();
    await stream(2);
    const newer = await db.currentState();
    const trust = memoryTrustedStateStore(newer);
    // The server answers with an older (but genuine) state: verified, the anchor stays.
    const page = await new AuditLog(lying({ currentState: () => older }), trust).read(id, 1, 10);
    expect(page!.verification).toMatchObject({ verified: true, checks: { consistency: 'PASSED' } });
    expect(trust.saved).toEqual([]);
    expect((await trust.load()).state).toEqual(newer);
    // An older state with a forged hash is not an ancestor of the trusted one.
    const forked = await new AuditLog(
      lying({ currentState: () => ({ ...older, txHash: flip(older.txHash) }) }),
      trust,
    ).read(id, 1, 10);
    expect(forked!.verification).toMatchObject({ verified: false, checks: { consistency: 'FAILED' } });
  });

  it('under concurrent reads the trusted state only moves forward', async () => {
    const { id } = await stream(2);
    const trust = memoryTrustedStateStore();
    const audit = new AuditLog(db, trust);
    const writes = (async () => {
      for (let i = 0; i < 10; i++) await stream(1);
    })();
    const reads = Array.from({ length: 12 }, async () => (await audit.read(id, 1, 10))!.verification);
    const results = await Promise.all([...reads, writes.then(() => undefined)]);
    for (const v of results) if (v) expect(v.verified).toBe(true);
    const ids = trust.saved.map((s) => s.txId);
    expect(ids.length).toBeGreaterThan(0);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  describe('when the store loses the trusted state', () => {
    it('checks against the copy this process kept, and saves it back', async () => {
      const { id } = await stream(2);
      const trust = memoryTrustedStateStore();
      const audit = new AuditLog(db, trust);
      const first = await audit.read(id, 1, 10);
      trust.wipe();
      await stream(1); // the log moves on
      const second = await audit.read(id, 1, 10);
      expect(second!.verification).toMatchObject({
        verified: true,
        trustedState: first!.verification.state,
        checks: { consistency: 'PASSED', inclusion: 'PASSED' },
      });
      expect(hex((await trust.load()).state!)).toEqual(second!.verification.state);
    });

    it('says the anchor was re-established, not first used, when no copy survived either', async () => {
      const { id } = await stream(2);
      const noteKey = `a/test-anchor-${randomUUID()}`;
      const before = await new AuditLog(db, memoryTrustedStateStore(), new AnchorRecord(db, noteKey)).read(id, 1, 10);
      expect(before!.verification.checks.consistency).toBe('FIRST_USE');
      // A restarted event-source whose store was wiped: nothing trusted, no copy in memory.
      const restarted = new AuditLog(db, memoryTrustedStateStore(), new AnchorRecord(db, noteKey));
      const lost = await restarted.read(id, 1, 10);
      expect(lost!.verification).toMatchObject({
        verified: true,
        trustedState: null,
        checks: { consistency: 'REESTABLISHED', inclusion: 'PASSED' },
      });
      expect((await restarted.read(id, 1, 10))!.verification.checks.consistency).toBe('PASSED');
    });
  });
});
