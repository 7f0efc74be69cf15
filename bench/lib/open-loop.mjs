// An open-loop load generator: requests start on a fixed schedule (one every 1/rate s), whatever
// the earlier ones are doing, and each latency is measured from the moment its request was due.
// autocannon's `overallRate` is not that: each connection sends its share of a second back to
// back and then waits for the next second, so the load arrives in bursts of `connections`
// requests, and its coordinated-omission correction assumes a 1 ms interval.
import http from 'node:http';
import { credentialsFor } from './auth.mjs';
import { percentiles, round } from './load.mjs';

/**
 * @param opts.url base URL; opts.rate requests per second; opts.request(i) → { method, path, body? }
 * @returns the same figures as load() (throughput, errors, p50/p90/p99/max) plus `late`: how many
 *   requests this process could not even start within 10 ms of their due time (the generator
 *   itself was the bottleneck when that is not small).
 */
export async function openLoop({ url, rate, seconds, request, timeoutS = 10 }) {
  const { hostname, port } = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
  const total = Math.round(rate * seconds);
  const latencies = [];
  let ok = 0;
  let errors = 0;
  let late = 0;
  const start = performance.now();
  const inFlight = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (performance.now() - due > 10) late++;
    const spec = request(i);
    inFlight.push(
      send(agent, hostname, port, spec, timeoutS * 1000).then(
        (status) => {
          latencies.push(performance.now() - due);
          if (status >= 200 && status < 300) ok++;
          else errors++;
        },
        () => {
          latencies.push(performance.now() - due);
          errors++;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  const p = percentiles(latencies);
  return {
    offeredRate: rate,
    throughput: round(ok / seconds),
    requests: total,
    ok,
    errors,
    late,
    p50: p.p50,
    p90: p.p90,
    p99: p.p99,
    max: p.max,
  };
}

function send(agent, host, port, { method, path, body }, timeoutMs) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(body);
    const req = http.request({
      host,
      port,
      method,
      path,
      agent,
      headers: {
        ...credentialsFor(`http://${host}:${port}`),
        ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
      },
    });
    const timer = setTimeout(() => req.destroy(new Error('timeout')), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
      });
      res.on('error', reject);
    });
    req.end(payload);
  });
}
