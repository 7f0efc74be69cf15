// Write scenarios: open-loop deposits/withdrawals over many accounts with the offered rate
// stepped up until p99 passes the target, and one hot account under concurrent deposits.
import { randomUUID } from 'node:crypto';
import { cpuPerRequest, cpuSnapshot } from '../lib/cpu.mjs';
import { load } from '../lib/load.mjs';
import { openLoop } from '../lib/open-loop.mjs';

const P99_TARGET_MS = 100;
const json = { 'content-type': 'application/json' };

/** Opens `count` accounts through the API with a large enough balance for the withdrawals. */
export async function openAccounts({ urls, count, say }) {
  say(`opening ${count} accounts`);
  const ids = Array.from({ length: count }, (_, i) => `bench-${i}-${randomUUID().slice(0, 8)}`);
  const queue = [...ids];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        const res = await fetch(`${urls.commandApi}/api/v1/accounts`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            accountId: id,
            ownerId: 'bench',
            ownerName: 'Bench',
            type: 'CHECKING',
            currency: 'USD',
            initialDeposit: '1000000.00',
          }),
        });
        if (res.status !== 201) throw new Error(`open ${id}: ${res.status} ${await res.text()}`);
      }
    }),
  );
  return ids;
}

/**
 * Deposits and withdrawals (half each) on random accounts at increasing offered rates (open
 * loop: requests start on schedule), until p99 passes the target. The knee is the last rate
 * that met it.
 */
export async function steppedMovements({ stack, urls, accounts, rates, seconds, say }) {
  const steps = [];
  for (const rate of rates) {
    say(`deposits/withdrawals at ${rate}/s offered over ${accounts.length} accounts (${seconds}s)`);
    const cpuBefore = cpuSnapshot(stack.supervisor);
    const step = await openLoop({
      url: urls.commandApi,
      rate,
      seconds,
      request: movementOn(accounts),
    });
    // The projections keep working after the step; what they spend during it is counted.
    steps.push({ rate, ...step, cpu: cpuPerRequest(cpuBefore, cpuSnapshot(stack.supervisor), step.requests) });
    // Past the target: stop, but only once the chart has a curve to show (three steps).
    if (step.p99 !== null && step.p99 > P99_TARGET_MS && steps.length >= 3) break;
  }
  const within = steps.filter((s) => s.p99 !== null && s.p99 <= P99_TARGET_MS && s.errors === 0);
  const knee = within.length > 0 ? within[within.length - 1] : null;
  // The latency at half the knee, offered on its own when no step was that low (the first step is 25/s).
  let halfKnee = knee && steps.filter((s) => s.rate <= knee.rate / 2 && s.errors === 0).pop();
  if (knee && !halfKnee) {
    const rate = Math.max(1, Math.round(knee.rate / 2));
    say(`deposits/withdrawals at ${rate}/s offered, half the knee (${seconds}s)`);
    const cpuBefore = cpuSnapshot(stack.supervisor);
    const step = await openLoop({ url: urls.commandApi, rate, seconds, request: movementOn(accounts) });
    halfKnee = { rate, ...step, cpu: cpuPerRequest(cpuBefore, cpuSnapshot(stack.supervisor), step.requests) };
  }
  return {
    p99TargetMs: P99_TARGET_MS,
    steps,
    knee: knee ? { rate: knee.rate, throughput: knee.throughput, p99: knee.p99, p50: knee.p50 } : null,
    halfKnee: halfKnee ?? null,
  };
}

/** A deposit or a withdrawal (half each) of 1.00 on a random one of `accounts`, as an open-loop request. */
export function movementOn(accounts) {
  return () => {
    const id = accounts[Math.floor(Math.random() * accounts.length)];
    const kind = Math.random() < 0.5 ? 'deposits' : 'withdrawals';
    return { method: 'POST', path: `/api/v1/accounts/${id}/${kind}`, body: '{"amount":"1.00"}' };
  };
}

/** Many clients depositing into one account: bounded by the actor's one-at-a-time execution. */
export async function hotAccount({ urls, account, seconds, say }) {
  say(`one hot account, 16 concurrent depositors (${seconds}s)`);
  return load({
    url: urls.commandApi,
    connections: 16,
    seconds,
    requests: [
      { method: 'POST', path: `/api/v1/accounts/${account}/deposits`, headers: json, body: '{"amount":"0.01"}' },
    ],
  });
}

/**
 * Waits until the read model has caught up with everything written so far, so one scenario's
 * backlog is not measured as the next one's latency: a marker deposit goes through the log
 * after all earlier events, and is awaited with minVersion.
 */
export async function drain({ urls, account, say, timeoutS = 300 }) {
  const start = Date.now();
  const res = await fetch(`${urls.commandApi}/api/v1/accounts/${account}/deposits`, {
    method: 'POST',
    headers: json,
    body: '{"amount":"0.01"}',
  });
  const { version } = /** @type {{ version: number }} */ (await res.json());
  while (Date.now() - start < timeoutS * 1000) {
    const read = await fetch(`${urls.queryApi}/api/v1/accounts/${account}?minVersion=${version}`);
    await read.arrayBuffer();
    if (read.status === 200) {
      say(`read model caught up in ${((Date.now() - start) / 1000).toFixed(1)}s`);
      return (Date.now() - start) / 1000;
    }
  }
  throw new Error(`the read model did not catch up within ${timeoutS}s`);
}
