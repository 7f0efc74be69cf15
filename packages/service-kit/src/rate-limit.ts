/**
 * Per-principal rate limits on the public APIs: a token bucket per token subject, refilled at
 * `perSecond` up to `burst`. A request that finds the bucket empty is refused with 429
 * RATE_LIMITED and `Retry-After` (whole seconds until a request would pass). Buckets live in
 * this process: with N replicas behind a load balancer a principal gets up to N times the rate.
 * Subjects in `exempt` (trusted service principals, the benchmark's) are not limited.
 */
import type { RequestHandler } from 'express';
import { envPositiveInt } from './config';
import { ApiError } from './problem';

export type RateLimitOptions = {
  perSecond: number;
  burst: number;
  exempt: ReadonlySet<string>;
  now?: () => number;
};

/** RATE_LIMIT_PER_SECOND (50), RATE_LIMIT_BURST (100), RATE_LIMIT_EXEMPT_SUBJECTS (comma-separated). */
export function rateLimitFromEnv(env: NodeJS.ProcessEnv = process.env): RateLimitOptions {
  return {
    perSecond: envPositiveInt('RATE_LIMIT_PER_SECOND', 50),
    burst: envPositiveInt('RATE_LIMIT_BURST', 100),
    exempt: new Set(
      (env.RATE_LIMIT_EXEMPT_SUBJECTS ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  };
}

type Bucket = { tokens: number; at: number };
/** Past this many buckets, full ones (principals idle long enough to be back at `burst`) are dropped. */
const PRUNE_ABOVE = 10_000;

export function rateLimit(opts: RateLimitOptions): RequestHandler {
  const now = opts.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  const refill = (b: Bucket, t: number) => {
    b.tokens = Math.min(opts.burst, b.tokens + ((t - b.at) / 1000) * opts.perSecond);
    b.at = t;
  };
  return (req, res, next) => {
    const sub = req.principal?.sub;
    if (sub === undefined || opts.exempt.has(sub)) return next();
    const t = now();
    let bucket = buckets.get(sub);
    if (!bucket) {
      if (buckets.size >= PRUNE_ABOVE) {
        for (const [key, b] of buckets) {
          refill(b, t);
          if (b.tokens >= opts.burst) buckets.delete(key);
        }
      }
      bucket = { tokens: opts.burst, at: t };
      buckets.set(sub, bucket);
    }
    refill(bucket, t);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return next();
    }
    const waitSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / opts.perSecond));
    res.setHeader('Retry-After', String(waitSeconds));
    next(new ApiError('RATE_LIMITED', `more than ${opts.perSecond} requests per second; retry in ${waitSeconds} s`));
  };
}
