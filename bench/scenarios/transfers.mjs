// Transfer scenario: clients submit transfers between random accounts as fast as they are
// answered; each transfer is followed until it ends, through its Location on the query API.
import { randomUUID } from 'node:crypto';
import { percentiles, round } from '../lib/load.mjs';

const json = { 'content-type': 'application/json' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Throughput of completed transfers, the latency of POST /transfers, and the completion time:
 * from sending the POST until the transfer is COMPLETED (the 202 already says so when the
 * Transfer actor finished inline; otherwise GET /transfers/{id} is polled every 20 ms).
 */
export async function transfers({ urls, accounts, seconds, concurrency = 16, say }) {
  say(`transfers between ${accounts.length} accounts, ${concurrency} clients (${seconds}s)`);
  return runTransfers({ urls, accounts, seconds, concurrency });
}

/**
 * The same transfers offered at a fixed rate (open loop: each starts on schedule, whatever the
 * others are doing), to read the completion time at a load the system sustains.
 */
export async function pacedTransfers({ urls, accounts, seconds, rate, say }) {
  say(`transfers offered at ${rate}/s between ${accounts.length} accounts (${seconds}s)`);
  const result = await runTransfers({ urls, accounts, seconds, rate });
  return { rate, ...result };
}

/**
 * @param {{ urls: { commandApi: string, queryApi: string }, accounts: string[], seconds: number,
 *   concurrency?: number, rate?: number }} opts one of `concurrency` (closed loop) or `rate`
 */
async function runTransfers({ urls, accounts, seconds, concurrency, rate }) {
  const posts = [];
  const completions = [];
  let completed = 0;
  let failed = 0;
  let errors = 0;
  let inline = 0;
  const deadline = Date.now() + seconds * 1000;
  const start = performance.now();
  const client = async (once) => {
    for (let first = true; first || (!once && Date.now() < deadline); first = false) {
      const from = accounts[Math.floor(Math.random() * accounts.length)];
      let to = from;
      while (to === from) to = accounts[Math.floor(Math.random() * accounts.length)];
      const t0 = performance.now();
      const res = await fetch(`${urls.commandApi}/api/v1/transfers`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ transferId: `b-${randomUUID()}`, fromAccountId: from, toAccountId: to, amount: '1.00' }),
      });
      const body = /** @type {{ status?: string, transferId?: string }} */ (await res.json());
      posts.push(performance.now() - t0);
      if (res.status !== 202) {
        errors++;
        continue;
      }
      let status = body.status;
      if (status === 'PENDING') {
        while (status === 'PENDING' && performance.now() - t0 < 60_000) {
          await sleep(20);
          const r = await fetch(`${urls.queryApi}/api/v1/transfers/${body.transferId}`);
          status = r.status === 200 ? /** @type {{ status: string }} */ (await r.json()).status : 'PENDING';
        }
      } else inline++;
      completions.push(performance.now() - t0);
      if (status === 'COMPLETED') completed++;
      else failed++;
    }
  };
  if (rate) {
    // One transfer every 1/rate s, each followed by a client of its own.
    const running = [];
    for (let i = 0; Date.now() < deadline; i++) {
      running.push(client(true));
      await sleep(Math.max(0, start + ((i + 1) * 1000) / rate - performance.now()));
    }
    await Promise.all(running);
  } else {
    if (!concurrency) throw new Error('transfers need a rate or a number of concurrent clients');
    await Promise.all(Array.from({ length: concurrency }, () => client(false)));
  }
  const elapsedS = (performance.now() - start) / 1000;
  return {
    ...(concurrency ? { concurrency } : {}),
    throughput: round(completed / elapsedS),
    completed,
    failed,
    errors,
    endedInline: inline,
    post: percentiles(posts),
    completion: percentiles(completions),
  };
}
