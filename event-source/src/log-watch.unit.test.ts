import { LogWatch } from './log-watch';

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setTimeout(r, 10));
  return done;
};

it('wakes a reader waiting at the head when a later transaction commits, and tells the relay of every commit', async () => {
  const told: number[] = [];
  const watch = new LogWatch((tx) => told.push(tx));
  watch.notify(5);
  const waiting = watch.waitBeyond(5, 10_000);
  expect(await settled(waiting)).toBe(false);
  watch.notify(5); // not beyond
  expect(await settled(waiting)).toBe(false);
  watch.notify(6);
  expect(await settled(waiting)).toBe(true);
  expect(watch.waiting).toBe(0);
  expect(told).toEqual([5, 5, 6]);
});

it('answers at once when the log is already past, after the wait, or when the reader leaves', async () => {
  const watch = new LogWatch();
  watch.notify(3);
  expect(await settled(watch.waitBeyond(2, 10_000))).toBe(true);
  expect(await settled(watch.waitBeyond(3, 1))).toBe(true);
  const gone = new AbortController();
  const waiting = watch.waitBeyond(3, 10_000, gone.signal);
  gone.abort();
  expect(await settled(waiting)).toBe(true);
  expect(watch.waiting).toBe(0);
});
