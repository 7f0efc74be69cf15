import { GroupCommit, type Write } from './group-commit';
import { PreconditionFailed, type KV, type Precondition, type TxHeader } from './immudb/client';

/**
 * A stand-in for ImmuDB's conditional commit over a key set: all or nothing, preconditions
 * checked against what was committed before. Commits are released one by one by the test.
 */
class FakeDb {
  keys = new Set<string>();
  txs: string[][] = [];
  private waiting: Array<() => void> = [];
  hold = false;

  commit = async (kvs: KV[], preconditions: Precondition[]): Promise<TxHeader> => {
    if (this.hold) await new Promise<void>((r) => this.waiting.push(r));
    const ok = preconditions.every((p) =>
      'keyMustExist' in p
        ? this.keys.has(p.keyMustExist.key.toString())
        : !this.keys.has(p.keyMustNotExist.key.toString()),
    );
    if (!ok) throw new PreconditionFailed('tx precondition failed');
    kvs.forEach((kv) => this.keys.add(kv.key.toString()));
    this.txs.push(kvs.map((kv) => kv.key.toString()));
    return { id: this.txs.length, ts: 0, nentries: kvs.length };
  };

  release(): void {
    this.hold = false;
    this.waiting.splice(0).forEach((r) => r());
  }
}

const key = (s: string) => Buffer.from(s);
/** Appends event `version` of `stream`, expecting `version - 1` to exist. */
function append(stream: string, version: number): Write {
  const k = key(`${stream}/${version}`);
  const preconditions: Precondition[] = [{ keyMustNotExist: { key: k } }];
  if (version > 1) preconditions.push({ keyMustExist: { key: key(`${stream}/${version - 1}`) } });
  return { kvs: [{ key: k, value: key('v') }], preconditions, exclusive: [stream] };
}
const settle = <T>(p: Promise<T>) =>
  p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  );

describe('GroupCommit', () => {
  it('commits a lone write at once, in a transaction of its own', async () => {
    const db = new FakeDb();
    const group = new GroupCommit(db.commit);
    expect(await group.submit(append('a', 1))).toMatchObject({ id: 1 });
    expect(db.txs).toEqual([['a/1']]);
  });

  it('puts the writes that arrive during a commit into one next transaction', async () => {
    const db = new FakeDb();
    const group = new GroupCommit(db.commit);
    db.hold = true;
    const first = group.submit(append('a', 1));
    const rest = ['b', 'c', 'd'].map((s) => group.submit(append(s, 1)));
    db.release();
    await first;
    db.release();
    const headers = await Promise.all(rest);
    expect(db.txs).toEqual([['a/1'], ['b/1', 'c/1', 'd/1']]);
    expect(headers.map((h) => h.id)).toEqual([2, 2, 2]);
    expect(group.stats()).toMatchObject({ commits: 2, writes: 4, largestGroup: 3 });
  });

  it('never puts two writes of one stream in one transaction, and keeps their order', async () => {
    const db = new FakeDb();
    const group = new GroupCommit(db.commit);
    db.hold = true;
    const first = group.submit(append('x', 1));
    const a2 = group.submit(append('a', 1));
    const a3 = group.submit(append('a', 2)); // same stream: waits for the next transaction
    const b = group.submit(append('b', 1));
    db.release();
    await first;
    db.release();
    await Promise.all([a2, a3, b]);
    expect(db.txs).toEqual([['x/1'], ['a/1', 'b/1'], ['a/2']]);
  });

  it('splits a group that fails a precondition: each write gets its own answer', async () => {
    const db = new FakeDb();
    db.keys.add('b/1'); // b's append conflicts
    const group = new GroupCommit(db.commit);
    db.hold = true;
    const first = group.submit(append('x', 1));
    const results = [append('a', 1), append('b', 1), append('c', 1)].map((w) => settle(group.submit(w)));
    db.release();
    await first;
    db.release();
    const [a, b, c] = await Promise.all(results);
    expect(a).toMatchObject({ ok: true });
    expect(b).toMatchObject({ ok: false, e: expect.any(PreconditionFailed) });
    expect(c).toMatchObject({ ok: true });
    expect(db.keys.has('a/1') && db.keys.has('c/1')).toBe(true);
    expect(group.stats().splitGroups).toBe(1);
  });

  it('rejects every member of a group whose outcome is unknown', async () => {
    let calls = 0;
    const group = new GroupCommit(async () => {
      calls++;
      if (calls === 1) await new Promise((r) => setTimeout(r, 5));
      if (calls === 2) throw new Error('connection reset');
      return { id: calls, ts: 0, nentries: 1 };
    });
    const first = group.submit(append('x', 1));
    const rest = ['a', 'b'].map((s) => settle(group.submit(append(s, 1))));
    await first;
    expect((await Promise.all(rest)).map((r) => r.ok)).toEqual([false, false]);
    expect(calls).toBe(2); // not retried here: the caller retries with the same event ids
  });

  it('bounds a group by writes and by entries', async () => {
    const db = new FakeDb();
    const group = new GroupCommit(db.commit, { maxWrites: 2, maxEntries: 1000, maxPreconditions: 1000 });
    db.hold = true;
    const first = group.submit(append('x', 1));
    const rest = ['a', 'b', 'c', 'd', 'e'].map((s) => group.submit(append(s, 1)));
    db.release();
    await first;
    db.release();
    await Promise.all(rest);
    expect(db.txs.map((t) => t.length)).toEqual([1, 2, 2, 1]);
  });
});
