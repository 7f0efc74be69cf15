// Load generation with autocannon (an established HTTP load generator), reduced to the
// figures the report needs.
import autocannon from 'autocannon';
import { credentialsFor } from './auth.mjs';

/**
 * `url` is the base URL, `requests` autocannon's request specs, `rate` the offered requests/s
 * (omit for as-fast-as-possible with `connections` in flight).
 * @param {{ url: string, requests: object[], connections?: number, seconds: number, rate?: number,
 *   timeoutS?: number }} opts
 */
export async function load({ url, requests, connections = 16, seconds, rate, timeoutS = 10 }) {
  const result = await autocannon({
    url,
    headers: credentialsFor(url),
    connections,
    duration: seconds,
    timeout: timeoutS,
    requests,
    ...(rate ? { overallRate: rate } : {}),
  });
  return summarize(result, seconds);
}

export function summarize(r, seconds) {
  const ok = r['2xx'] ?? 0;
  return {
    offeredRate: r.overallRate ?? null,
    throughput: round(ok / seconds),
    requests: r.requests.total,
    ok,
    errors: (r.errors ?? 0) + (r.timeouts ?? 0) + (r.non2xx ?? 0),
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
  };
}

/** Percentiles of a list of millisecond samples. */
export function percentiles(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? null;
  return {
    samples: s.length,
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    max: round(s[s.length - 1] ?? null),
  };
}

export const round = (x, digits = 1) =>
  x === null || x === undefined ? null : Math.round(x * 10 ** digits) / 10 ** digits;

/** Runs `fn` repeatedly with `concurrency` in flight for `seconds`; returns ops/s and latency. */
export async function closedLoop(fn, { seconds, concurrency = 1 }) {
  const latencies = [];
  const deadline = Date.now() + seconds * 1000;
  let i = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const t = performance.now();
      await fn(i++);
      latencies.push(performance.now() - t);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  return { opsPerSec: round(latencies.length / elapsed), ...percentiles(latencies) };
}
