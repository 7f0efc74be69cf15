import { createHash, randomUUID } from 'node:crypto';
import type { StoredEvent } from '@bank/domain';
import { EventStore } from './event-store';
import { ImmuClient, PreconditionFailed } from './immudb/client';
import { events } from './fixtures.test';

const db = new ImmuClient({
  address: process.env.IMMUDB_ADDRESS!,
  user: process.env.IMMUDB_USER!,
  password: process.env.IMMUDB_PASSWORD!,
  database: process.env.IMMUDB_DATABASE!,
});
const store = new EventStore(db);
afterAll(() => db.close());

const stream = () => `it-${randomUUID()}`;

describe('EventStore on a real ImmuDB', () => {
  it('appends and reads a stream back in version order', async () => {
    const id = stream();
    const first = events(id, 1, 2);
    const second = events(id, 3, 3);
    expect(await store.append(id, 0, first)).toMatchObject({ ok: true, version: 2, duplicate: false });
    expect(await store.append(id, 2, second)).toMatchObject({ ok: true, version: 5 });
    const read = await store.read(id);
    expect(read.streamVersion).toBe(5);
    expect(read.events.map((e) => e.eventId)).toEqual([...first, ...second].map((e) => e.eventId));
    expect((await store.read(id, 4)).events.map((e) => e.version)).toEqual([4, 5]);
  });

  it('rejects an append whose expected version is stale, writing nothing', async () => {
    const id = stream();
    await store.append(id, 0, events(id, 1, 1));
    await store.append(id, 1, events(id, 2, 1));
    const result = await store.append(id, 1, events(id, 2, 2));
    expect(result).toEqual({ ok: false, code: 'VERSION_CONFLICT', currentVersion: 2 });
    expect((await store.read(id)).events).toHaveLength(2);
  });

  it('rejects an append that would leave a gap', async () => {
    const id = stream();
    await store.append(id, 0, events(id, 1, 1));
    expect(await store.append(id, 3, events(id, 4, 1))).toMatchObject({ ok: false, currentVersion: 1 });
  });

  it('treats a retried append with the same event ids as a duplicate, not a conflict', async () => {
    const id = stream();
    const batch = events(id, 1, 2);
    const first = await store.append(id, 0, batch);
    const retry = await store.append(id, 0, batch);
    expect(retry).toEqual({ ok: true, version: 2, logTx: first.ok ? first.logTx : -1, duplicate: true });
    expect((await store.read(id)).events).toHaveLength(2);
  });

  it('lets exactly one of many concurrent appends at the same version win', async () => {
    const id = stream();
    const results = await Promise.all(Array.from({ length: 10 }, () => store.append(id, 0, events(id, 1, 1))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect((await store.read(id)).events).toHaveLength(1);
  });

  it('reads the global log in transaction order with positions', async () => {
    const id = stream();
    const before = (await db.currentState()).txId;
    await store.append(id, 0, events(id, 1, 2));
    await store.append(id, 2, events(id, 3, 1));
    const { events: log, lastTx } = await store.readLog(before, 100);
    const mine = log.filter((e) => e.streamId === id);
    expect(mine.map((e) => [e.version, e.logIndex])).toEqual([
      [1, 0],
      [2, 1],
      [3, 0],
    ]);
    expect(mine[0]!.logTx).toBeLessThan(mine[2]!.logTx);
    expect(lastTx).toBeGreaterThanOrEqual(mine[2]!.logTx);
  });

  it('reads a page of large transactions that together exceed one gRPC message (4 MiB), in order', async () => {
    const before = (await db.currentState()).txId;
    const big = 'x'.repeat(2_000);
    const ids = Array.from({ length: 24 }, stream);
    // 24 transactions of 100 events of ~2 KB: about 5 MB in one page of the log.
    for (const id of ids) {
      const batch = events(id, 1, 100).map((e) => ({ ...e, data: { ...(e.data as object), description: big } }));
      expect((await store.append(id, 0, batch)).ok).toBe(true);
    }
    const mine = new Set(ids);
    const { events: log } = await store.readLog(before, 500, 100_000);
    expect(log.filter((e) => mine.has(e.streamId)).map((e) => `${e.streamId}/${e.version}`)).toEqual(
      ids.flatMap((id) => Array.from({ length: 100 }, (_, i) => `${id}/${i + 1}`)),
    );
    expect(log.find((e) => e.streamId === ids[0])?.data).toMatchObject({ description: big });
  });

  describe('group commit', () => {
    it('puts concurrent appends of many streams into shared transactions, each read back in order', async () => {
      const ids = Array.from({ length: 40 }, stream);
      const before = (await db.currentState()).txId;
      const results = await Promise.all(ids.map((id) => store.append(id, 0, events(id, 1, 2))));
      expect(results.every((r) => r.ok && !r.duplicate && r.version === 2)).toBe(true);
      const txs = new Set(results.map((r) => (r.ok ? r.logTx : 0)));
      expect(txs.size).toBeLessThan(ids.length); // some appends shared a transaction
      for (const id of ids) expect((await store.read(id)).events.map((e) => e.version)).toEqual([1, 2]);
      const { events: log } = await store.readLog(before, 1000);
      for (const id of ids) {
        const mine = log.filter((e) => e.streamId === id);
        expect(mine.map((e) => e.version)).toEqual([1, 2]); // within a shared transaction too
        expect(new Set(mine.map((e) => e.logTx)).size).toBe(1);
      }
      // Positions are unique: (transaction, index) names one event.
      const positions = log.map((e) => `${e.logTx}/${e.logIndex}`);
      expect(new Set(positions).size).toBe(positions.length);
    });

    it('gives each member of a failed group its own answer: success, duplicate, conflict, used key', async () => {
      const [fresh, retried, moved, keyed] = [stream(), stream(), stream(), stream()];
      const retriedEvents = events(retried, 1, 1);
      await store.append(retried, 0, retriedEvents);
      await store.append(moved, 0, events(moved, 1, 1));
      const keyHash = createHash('sha256').update(randomUUID()).digest('hex');
      const rec = { requestHash: keyHash, streamId: keyed, recordedAt: new Date().toISOString(), result: 'first' };
      await store.append(keyed, 0, events(keyed, 1, 1), { keyHash, record: rec });
      // A slow lone append first, so the four below arrive during its commit and form one group.
      const filler = stream();
      const [, a, b, c, d] = await Promise.all([
        store.append(filler, 0, events(filler, 1, 1)),
        store.append(fresh, 0, events(fresh, 1, 1)),
        store.append(retried, 0, retriedEvents),
        store.append(moved, 0, events(moved, 1, 1)),
        store.append(keyed, 1, events(keyed, 2, 1), { keyHash, record: { ...rec, result: 'second' } }),
      ]);
      expect(a).toMatchObject({ ok: true, duplicate: false, version: 1 });
      expect(b).toMatchObject({ ok: true, duplicate: true, version: 1 });
      expect(c).toEqual({ ok: false, code: 'VERSION_CONFLICT', currentVersion: 1 });
      expect(d).toEqual({ ok: false, code: 'IDEMPOTENCY_KEY_EXISTS', record: rec });
      expect((await store.read(keyed)).events).toHaveLength(1);
    });
  });

  describe('idempotency records', () => {
    const hash = () => createHash('sha256').update(randomUUID()).digest('hex');
    const record = (streamId: string, result: unknown) => ({
      requestHash: hash(),
      streamId,
      recordedAt: new Date().toISOString(),
      result,
    });

    it('commits the record atomically with the events and finds it afterwards', async () => {
      const id = stream();
      const keyHash = hash();
      const rec = record(id, { ok: true, answer: 42 });
      expect(await store.append(id, 0, events(id, 1, 1), { keyHash, record: rec })).toMatchObject({ ok: true });
      expect(await store.idempotencyRecord(keyHash)).toEqual(rec);
      expect(await store.idempotencyRecord(hash())).toBeUndefined();
    });

    it('refuses a second use of a key, even on another stream, and writes none of its events', async () => {
      const [a, b] = [stream(), stream()];
      const keyHash = hash();
      const first = record(a, 'first');
      await store.append(a, 0, events(a, 1, 1), { keyHash, record: first });
      const second = await store.append(b, 0, events(b, 1, 1), { keyHash, record: record(b, 'second') });
      expect(second).toEqual({ ok: false, code: 'IDEMPOTENCY_KEY_EXISTS', record: first });
      expect((await store.read(b)).events).toHaveLength(0);
    });

    it('records a key for a command with no events only at the version it saw', async () => {
      const id = stream();
      await store.append(id, 0, events(id, 1, 2));
      expect(await store.append(id, 2, [], { keyHash: hash(), record: record(id, 'noop') })).toMatchObject({
        ok: true,
        version: 2,
      });
      expect(await store.append(id, 1, [], { keyHash: hash(), record: record(id, 'stale') })).toEqual({
        ok: false,
        code: 'VERSION_CONFLICT',
        currentVersion: 2,
      });
    });
  });

  describe('appends to several streams in one transaction (transfer steps)', () => {
    const transfer = () => `transfer.${randomUUID()}`;

    it('commits the events of both streams in one log transaction', async () => {
      const [account, own] = [stream(), transfer()];
      await store.append(account, 0, events(account, 1, 1));
      const result = await store.appendAll([
        { streamId: account, expectedVersion: 1, events: events(account, 2, 1) },
        { streamId: own, expectedVersion: 0, events: events(own, 1, 1) },
      ]);
      expect(result).toMatchObject({ ok: true, version: 2, duplicate: false });
      const [a, t] = await Promise.all([store.read(account), store.read(own)]);
      expect([a.streamVersion, t.streamVersion]).toEqual([2, 1]);
      const page = await store.readLog(result.ok ? result.logTx - 1 : 0, 1);
      expect(page.events.map((e) => e.streamId).sort()).toEqual([account, own].sort());
    });

    it('of two steps decided from the same transfer version, exactly one commits; the other writes nothing', async () => {
      const [source, destination, own] = [stream(), stream(), transfer()];
      await Promise.all([
        store.append(source, 0, events(source, 1, 1)),
        store.append(destination, 0, events(destination, 1, 1)),
        store.append(own, 0, events(own, 1, 1)),
      ]);
      // a credit of the destination and a refund of the source, both at transfer version 1
      const results = await Promise.all([
        store.appendAll([
          { streamId: destination, expectedVersion: 1, events: events(destination, 2, 1) },
          { streamId: own, expectedVersion: 1, events: events(own, 2, 1) },
        ]),
        store.appendAll([
          { streamId: source, expectedVersion: 1, events: events(source, 2, 1) },
          { streamId: own, expectedVersion: 1, events: events(own, 2, 1) },
        ]),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.find((r) => !r.ok)).toMatchObject({ code: 'VERSION_CONFLICT', streamId: own, currentVersion: 2 });
      const versions = await Promise.all([store.version(source), store.version(destination), store.version(own)]);
      expect(versions[0]! + versions[1]!).toBe(3); // one of the two accounts moved, never both
      expect(versions[2]).toBe(2);
    });

    it('a stream given without events pins its version', async () => {
      const [account, own] = [stream(), transfer()];
      await store.append(account, 0, events(account, 1, 2));
      const stale = await store.appendAll([
        { streamId: account, expectedVersion: 1, events: [] },
        { streamId: own, expectedVersion: 0, events: events(own, 1, 1) },
      ]);
      expect(stale).toMatchObject({ ok: false, code: 'VERSION_CONFLICT', streamId: account, currentVersion: 2 });
      expect(await store.version(own)).toBe(0);
      const current = await store.appendAll([
        { streamId: account, expectedVersion: 2, events: [] },
        { streamId: own, expectedVersion: 0, events: events(own, 1, 1) },
      ]);
      expect(current).toMatchObject({ ok: true, version: 2 });
    });

    it('answers a retried multi-stream append (same event ids) as a duplicate', async () => {
      const [account, own] = [stream(), transfer()];
      const parts = [
        { streamId: account, expectedVersion: 0, events: events(account, 1, 1) },
        { streamId: own, expectedVersion: 0, events: events(own, 1, 1) },
      ];
      const first = await store.appendAll(parts);
      expect(await store.appendAll(parts)).toEqual({ ...first, duplicate: true });
    });
  });

  describe('balance at an instant', () => {
    const at = (minute: number) => `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`;
    /** Opened at minute 0, then deposits of 10 at minutes 1..n (v3 events record balanceAfter), frozen at n+1. */
    function history(id: string, n: number, schemaVersion = 3): StoredEvent[] {
      const base = { streamId: id, metadata: { correlationId: 'it' } };
      const out: StoredEvent[] = [
        {
          ...base,
          eventId: randomUUID(),
          version: 1,
          type: 'AccountOpened',
          schemaVersion: 2,
          occurredAt: at(0),
          data: {
            accountId: id,
            ownerId: 'o',
            ownerName: 'O',
            accountType: 'CHECKING',
            currency: 'CHF',
            overdraftLimit: '0',
          },
        },
      ];
      for (let i = 1; i <= n; i++) {
        const data: Record<string, unknown> = { transactionId: randomUUID(), amount: '10', description: null };
        if (schemaVersion >= 3) data.balanceAfter = String(10 * i);
        out.push({
          ...base,
          eventId: randomUUID(),
          version: i + 1,
          type: 'MoneyDeposited',
          schemaVersion,
          occurredAt: at(i),
          data,
        });
      }
      out.push({
        ...base,
        eventId: randomUUID(),
        version: n + 2,
        type: 'AccountFrozen',
        schemaVersion: 1,
        occurredAt: at(n + 1),
        data: { reason: null },
      });
      return out;
    }

    it.each([3, 2])('finds the balance and version at any instant (events at schema v%d)', async (schemaVersion) => {
      const id = stream();
      await store.append(id, 0, history(id, 20, schemaVersion));
      expect(await store.balanceAt(id, '2025-12-31T23:59:59.999Z')).toBeUndefined();
      expect(await store.balanceAt(id, at(0))).toEqual({ version: 1, balance: 0, currency: 'CHF' });
      expect(await store.balanceAt(id, '2026-01-01T00:07:30.000Z')).toEqual({
        version: 8,
        balance: 70,
        currency: 'CHF',
      });
      expect(await store.balanceAt(id, at(20))).toEqual({ version: 21, balance: 200, currency: 'CHF' });
      // The last event is a freeze: the balance is the one the deposit before it recorded.
      expect(await store.balanceAt(id, '2030-01-01T00:00:00.000Z')).toEqual({
        version: 22,
        balance: 200,
        currency: 'CHF',
      });
    });

    it('answers nothing for a stream that does not exist', async () => {
      expect(await store.balanceAt(stream(), at(5))).toBeUndefined();
    });
  });

  it('surfaces failed preconditions as PreconditionFailed', async () => {
    const key = Buffer.from(`it-raw/${randomUUID()}`);
    await db.execAll([{ key, value: Buffer.from('1') }], [{ keyMustNotExist: { key } }]);
    await expect(db.execAll([{ key, value: Buffer.from('2') }], [{ keyMustNotExist: { key } }])).rejects.toBeInstanceOf(
      PreconditionFailed,
    );
  });
});
