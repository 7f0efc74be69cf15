import { Coalescer } from './coalesce';

/** A computation the test finishes by hand; `started` counts how many began. */
function controlled() {
  const pending: Array<{ resolve: (v: number) => void; reject: (e: Error) => void }> = [];
  let started = 0;
  const compute = () =>
    new Promise<number>((resolve, reject) => {
      started++;
      pending.push({ resolve, reject });
    });
  return { compute, pending, started: () => started };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Coalescer', () => {
  it('shares one computation among requests that arrive while none runs, then one more among the rest', async () => {
    const c = new Coalescer<number>();
    const { compute, pending, started } = controlled();
    const a = c.run('k', compute);
    const b = c.run('k', compute); // arrives while a's computation runs: waits for the next
    const d = c.run('k', compute);
    expect(started()).toBe(1);
    pending[0]!.resolve(1);
    expect(await a).toBe(1);
    await tick();
    expect(started()).toBe(2); // the next one starts once the first has ended
    pending[1]!.resolve(2);
    expect([await b, await d]).toEqual([2, 2]);
    // Nothing running: a new request computes afresh.
    const e = c.run('k', compute);
    expect(started()).toBe(3);
    pending[2]!.resolve(3);
    expect(await e).toBe(3);
  });

  it('keeps keys apart', async () => {
    const c = new Coalescer<number>();
    const { compute, pending, started } = controlled();
    const a = c.run('USD', compute);
    const b = c.run('EUR', compute);
    expect(started()).toBe(2);
    pending[0]!.resolve(1);
    pending[1]!.resolve(2);
    expect([await a, await b]).toEqual([1, 2]);
  });

  it('passes a failure to the requests that shared it, and recovers for the next', async () => {
    const c = new Coalescer<number>();
    const { compute, pending } = controlled();
    const a = c.run('k', compute);
    const b = c.run('k', compute);
    pending[0]!.reject(new Error('database down'));
    await expect(a).rejects.toThrow('database down');
    await tick();
    pending[1]!.resolve(7);
    expect(await b).toBe(7);
    const d = c.run('k', compute);
    pending[2]!.resolve(8);
    expect(await d).toBe(8);
  });

  it('with a least interval, starts computations of a key that far apart, and lets requests share one still waiting', async () => {
    let clock = 10_000;
    const sleeps: number[] = [];
    let wake: () => void = () => undefined;
    const c = new Coalescer<number>({
      minIntervalMs: 1_000,
      now: () => clock,
      sleep: (ms) => {
        sleeps.push(ms);
        return new Promise<void>((resolve) => (wake = resolve));
      },
    });
    const { compute, pending, started } = controlled();
    const a = c.run('k', compute); // nothing ran before: starts at once
    expect(started()).toBe(1);
    pending[0]!.resolve(1);
    expect(await a).toBe(1);

    clock += 100;
    const b = c.run('k', compute); // 100 ms after the last start: waits 900 ms, having read nothing
    const d = c.run('k', compute); // shares it
    await tick();
    expect([started(), sleeps]).toEqual([1, [900]]);
    clock += 900;
    wake();
    await tick();
    expect(started()).toBe(2);
    const e = c.run('k', compute); // b's computation has started: e waits for the next one
    pending[1]!.resolve(2);
    expect([await b, await d]).toEqual([2, 2]);
    await tick();
    expect(sleeps).toEqual([900, 1_000]); // the next start is a whole interval after b's
    clock += 1_000;
    wake();
    await tick();
    pending[2]!.resolve(3);
    expect(await e).toBe(3);
    expect(started()).toBe(3);
    // Other keys have their own interval.
    const f = c.run('other', compute);
    expect(started()).toBe(4);
    pending[3]!.resolve(4);
    expect(await f).toBe(4);
  });

  it('with a most age, answers from the last result while it started at most that long before the request', async () => {
    let clock = 10_000;
    const c = new Coalescer<number>({ maxAgeMs: 1_000, now: () => clock });
    const { compute, pending, started } = controlled();
    const a = c.run('k', compute);
    clock += 50;
    const b = c.run('k', compute); // a is running, and no result yet: b waits for the next one
    pending[0]!.resolve(1);
    expect(await a).toBe(1);
    await tick();
    expect(started()).toBe(2);
    clock += 900; // a started 950 ms ago: its result still serves
    expect(await c.run('k', compute)).toBe(1);
    pending[1]!.resolve(2);
    expect(await b).toBe(2);
    // b's computation started at 10 050, after the request that took it: its result is the latest.
    expect(await c.run('k', compute)).toBe(2);
    clock += 101; // it started more than 1 s ago now: a new computation
    const d = c.run('k', compute);
    expect(started()).toBe(3);
    pending[2]!.reject(new Error('down'));
    await expect(d).rejects.toThrow('down');
    // A failure is not remembered; the last success is too old: another computation.
    void c.run('k', compute).catch(() => undefined);
    expect(started()).toBe(4);
  });
});
