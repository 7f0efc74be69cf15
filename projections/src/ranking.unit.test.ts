import { byRank, topOfRanking, type RankedAccount } from '@bank/contracts';
import { AccountFacts } from './books';
import { deposit, logOf, opened, withdrawal } from './fixtures.test';
import { Ranking, Rankings } from './ranking';

const facts = () =>
  new AccountFacts(async (id) => {
    throw new Error(`looked up ${id}`);
  });

/** A deterministic sequence of numbers in [0, 1). */
function random(seed: number) {
  let x = seed;
  return () => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

describe('the ranking of accounts by balance', () => {
  it('tells the top n exactly whenever it answers, however balances move, and answers while the richest stay rich', async () => {
    const rnd = random(7);
    const ids = Array.from({ length: 40 }, (_, i) => `a${String(i).padStart(2, '0')}`);
    const txs: Array<Array<[string, ReturnType<typeof deposit>]>> = ids.map((id) => [
      [id, opened(id, 'EUR', `owner ${id}`)],
    ]);
    const balances = new Map(ids.map((id) => [id, 0]));
    for (let i = 0; i < 600; i++) {
      const id = ids[Math.floor(rnd() * ids.length)]!;
      const amount = 1 + Math.floor(rnd() * 1_000);
      const out = rnd() < 0.4 && balances.get(id)! >= amount;
      balances.set(id, balances.get(id)! + (out ? -amount : amount));
      txs.push([[id, out ? withdrawal(amount) : deposit(amount)]]);
    }
    const log = logOf(txs);
    const rankings = new Rankings(0, new Map(), 8); // keeps 8 of 40 accounts
    let answered = 0;
    const known = facts();
    for (let tx = 1; tx <= log.length; tx += 17) {
      await rankings.fold(log, tx, known); // folded in pieces, as the probe does
      const truth = new Map<string, number>();
      for (const e of log.filter((e) => e.logTx <= tx)) truth.set(e.streamId, 0);
      for (const [id] of truth) truth.set(id, balanceAt(log, id, tx));
      const expected = [...truth]
        .map(([accountId, balance]): RankedAccount => ({ accountId, ownerName: `owner ${accountId}`, balance }))
        .sort(byRank);
      const doc = rankings.toDocs()[0]!;
      for (const n of [1, 3, 5, 8]) {
        const top = topOfRanking(doc, n);
        if (top) answered++;
        if (top) expect([tx, n, top]).toEqual([tx, n, expected.slice(0, n)]);
      }
    }
    expect(answered).toBeGreaterThan(0);
  });

  it('lists every account (no floor) while there are no more than it keeps, and tells no top once a balance is unknown', async () => {
    const log = logOf([[['a', opened('a', 'USD')]], [['b', opened('b', 'USD')]], [['b', deposit(5)]]]);
    const rankings = new Rankings(0, new Map(), 8);
    await rankings.fold(log, 3, facts());
    const doc = rankings.toDocs()[0]!;
    expect(doc).toMatchObject({ _id: 'top:USD', tx: 3, floor: null });
    expect(topOfRanking(doc, 10)!.map((e) => [e.accountId, e.balance])).toEqual([
      ['b', 5],
      ['a', 0],
    ]);
    const ranking = Ranking.fromDoc(doc, 8);
    ranking.set('a', 'O', undefined); // a movement of an old schema, without its balance
    expect(topOfRanking(ranking.toDoc('USD'), 1)).toBeUndefined();
  });

  it('asks to be refilled once its richest accounts emptied below the floor, and answers again once refilled', async () => {
    // Ten accounts of 100, 200, ... 1000; it keeps 4 (1000 ... 700), the floor is 600.
    const ids = Array.from({ length: 10 }, (_, i) => `r${i}`);
    const txs: Array<Array<[string, ReturnType<typeof deposit>]>> = ids.map((id) => [[id, opened(id, 'USD')]]);
    ids.forEach((id, i) => txs.push([[id, deposit((i + 1) * 100)]]));
    const rankings = new Rankings(0, new Map(), 4);
    await rankings.fold(logOf(txs), txs.length, facts());
    expect(rankings.needingRefill()).toEqual([]);
    const ranking = Ranking.fromDoc(rankings.toDocs()[0]!, 4);
    expect(topOfRanking(ranking.toDoc('USD'), 4)!.map((e) => e.balance)).toEqual([1000, 900, 800, 700]);
    // The three richest empty: only 700 is still known to be above the floor.
    for (const id of ['r9', 'r8', 'r7']) ranking.set(id, 'O', 0);
    expect(ranking.needsRefill()).toBe(true);
    expect(
      Rankings.fromDocs([ranking.toDoc('USD')], 4)
        .needingRefill()
        .map(([currency]) => currency),
    ).toEqual(['USD']);
    expect(topOfRanking(ranking.toDoc('USD'), 2)).toBeUndefined();
    // From the account documents: the 5 highest balances (one more than it keeps).
    const highest = [700, 600, 500, 400, 300].map((balance) => ({
      accountId: `r${balance / 100 - 1}`,
      ownerName: 'O',
      balance,
    }));
    ranking.refill(highest);
    expect(ranking.needsRefill()).toBe(false);
    expect(ranking.toDoc('USD')).toMatchObject({ floor: 300 });
    expect(topOfRanking(ranking.toDoc('USD'), 4)!.map((e) => e.balance)).toEqual([700, 600, 500, 400]);
    // Fewer accounts than it keeps: every one is listed (no floor).
    ranking.refill(highest.slice(0, 3));
    expect(ranking.toDoc('USD')).toMatchObject({ floor: null });
  });

  it('starts at the lowest stored position, and folds each ranking only past its own', async () => {
    const log = logOf([
      [['a', opened('a', 'USD')]],
      [['e', opened('e', 'EUR')]],
      [['a', deposit(5)]],
      [['e', deposit(7)]],
    ]);
    const all = new Rankings();
    await all.fold(log, 4, facts());
    expect(Rankings.fromDocs([]).tx).toBe(0);
    // USD was stored at 4, EUR still at 2 (the process died between the two writes).
    const half = new Rankings();
    await half.fold(log, 2, facts());
    const stored = Rankings.fromDocs([
      all.toDocs().find((d) => d._id === 'top:USD')!,
      half.toDocs().find((d) => d._id === 'top:EUR')!,
    ]);
    expect(stored.tx).toBe(2);
    const known = facts();
    known.note('a', { currency: 'USD', ownerName: 'O' });
    known.note('e', { currency: 'EUR', ownerName: 'O' });
    await stored.fold(log, 4, known);
    expect(stored.toDocs()).toEqual(all.toDocs());
  });
});

function balanceAt(log: ReturnType<typeof logOf>, id: string, tx: number): number {
  const last = log.filter((e) => e.streamId === id && e.logTx <= tx && 'balanceAfter' in (e.data as object)).pop();
  return last ? Number((last.data as { balanceAfter: string }).balanceAfter) : 0;
}
