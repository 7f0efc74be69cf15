import type { Request, Response } from 'express';
import { ApiError } from './problem';
import { rateLimit } from './rate-limit';

// The bucket arithmetic with a hand-driven clock.
let clock = 0;
const limit = rateLimit({ perSecond: 2, burst: 3, exempt: new Set(['service']), now: () => clock });

function call(sub: string): { passed: boolean; retryAfter?: string; code?: string } {
  const headers: Record<string, string> = {};
  let outcome: { passed: boolean; code?: string } = { passed: false };
  limit(
    { principal: { sub, roles: new Set() } } as unknown as Request,
    { setHeader: (k: string, v: string) => (headers[k] = v) } as unknown as Response,
    (err?: unknown) => (outcome = err ? { passed: false, code: (err as ApiError).code } : { passed: true }),
  );
  return { ...outcome, ...(headers['Retry-After'] ? { retryAfter: headers['Retry-After'] } : {}) };
}

it('lets a burst through, refuses the next with RATE_LIMITED and Retry-After, and recovers at the rate', () => {
  clock = 0;
  expect([call('a'), call('a'), call('a')].every((r) => r.passed)).toBe(true);
  expect(call('a')).toEqual({ passed: false, code: 'RATE_LIMITED', retryAfter: '1' });
  clock = 499; // not yet one token back (2 per second)
  expect(call('a').passed).toBe(false);
  clock = 1_000; // two tokens back
  expect([call('a'), call('a'), call('a')].map((r) => r.passed)).toEqual([true, true, false]);
  clock = 10_000; // back to the burst, not beyond
  expect([call('a'), call('a'), call('a'), call('a')].map((r) => r.passed)).toEqual([true, true, true, false]);
});

it('keeps one bucket per principal and never limits an exempt one', () => {
  clock = 20_000;
  for (let i = 0; i < 3; i++) call('b');
  expect(call('b').passed).toBe(false);
  expect(call('c').passed).toBe(true);
  expect(Array.from({ length: 50 }, () => call('service').passed).every(Boolean)).toBe(true);
});
