import { Gate, GateFull } from './gate';

it('runs at most `running` at once, queues `waiting` more, refuses the rest, and hands slots on', async () => {
  const gate = new Gate(2, 1);
  const releases: Array<() => void> = [];
  let inFlight = 0;
  let most = 0;
  const job = () =>
    gate.run(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise<void>((r) => releases.push(r));
      inFlight--;
      return 'done';
    });
  const a = job();
  const b = job();
  const c = job(); // queued
  await expect(job()).rejects.toBeInstanceOf(GateFull);
  await new Promise((r) => setImmediate(r));
  expect(releases).toHaveLength(2);
  releases.shift()!();
  await new Promise((r) => setImmediate(r));
  expect(releases).toHaveLength(2); // c took the freed slot
  releases.splice(0).forEach((r) => r());
  await new Promise((r) => setImmediate(r));
  releases.splice(0).forEach((r) => r());
  expect(await Promise.all([a, b, c])).toEqual(['done', 'done', 'done']);
  expect(most).toBe(2);
  expect(await gate.run(async () => 'free again')).toBe('free again');
});
