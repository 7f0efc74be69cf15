// Actor rehydration: how long the first command on an account takes after its actor was
// deactivated, for histories of different lengths, with a persisted snapshot and without one.
import { randomUUID } from 'node:crypto';
import { percentiles } from '../lib/load.mjs';

import { logWriter, writeHistory } from '../lib/log-history.mjs';

export async function rehydration({ stack, sizes, say }) {
  // The long synthetic histories are for the actors only; the read model is left out of it.
  await stack.supervisor.kill('projections');
  const { store, close } = logWriter(stack.env);
  const sidecar = `http://127.0.0.1:${stack.layout.apps['command-api'].daprHTTPPort}`;
  const deposit = async (accountId) => {
    const t = performance.now();
    const res = await fetch(`${sidecar}/v1.0/actors/BankAccount/${accountId}/method/execute`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'Deposit', correlationId: 'bench', transactionId: randomUUID(), amount: '1' }),
      signal: AbortSignal.timeout(600_000),
    });
    const body = /** @type {{ ok: boolean }} */ (await res.json()); // the actor's result
    if (!body.ok) throw new Error(`deposit on ${accountId}: ${JSON.stringify(body)}`);
    return Math.round((performance.now() - t) * 10) / 10;
  };

  const accounts = [];
  for (const size of sizes) {
    say(`rehydration: writing two histories of ${size} events straight to the log`);
    const pair = {
      size,
      withSnapshot: `rehy-s-${size}-${randomUUID().slice(0, 6)}`,
      withoutSnapshot: `rehy-n-${size}-${randomUUID().slice(0, 6)}`,
    };
    pair.t0 = (await writeHistory(store, pair.withSnapshot, size)).t0;
    pair.t0Without = (await writeHistory(store, pair.withoutSnapshot, size)).t0;
    say(`rehydration: first command on the ${size}-event account that will keep a snapshot`);
    pair.firstActivationMs = await deposit(pair.withSnapshot); // replays everything once, then persists a snapshot
    accounts.push(pair);
  }
  await close();

  say('rehydration: restarting the actors app so every actor is deactivated');
  await stack.supervisor.kill('actors');
  const entry = stack.supervisor.restart('actors');
  await waitReady(`http://127.0.0.1:${stack.layout.apps.actors.appPort}/readyz`, entry);
  // The first actor call after a restart waits for placement; keep that out of the figures.
  for (let ok = false, i = 0; !ok && i < 120; i++) {
    ok = await fetch(`${sidecar}/v1.0/actors/Ping/warm-up/method/ping`, { method: 'PUT' }).then(
      (r) => r.ok,
      () => false,
    );
    if (!ok) await new Promise((r) => setTimeout(r, 250));
  }

  const results = [];
  for (const pair of accounts) {
    say(`rehydration: ${pair.size} events, with and without a snapshot`);
    const withSnapshotMs = await deposit(pair.withSnapshot);
    const withoutSnapshotMs = await deposit(pair.withoutSnapshot);
    const warmMs = await deposit(pair.withoutSnapshot);
    results.push({ events: pair.size, withSnapshotMs, withoutSnapshotMs, warmCommandMs: warmMs });
  }
  return {
    snapshotEvery: Number(process.env.SNAPSHOT_EVERY ?? 100),
    results,
    histories: accounts.map((p) => ({ size: p.size, account: p.withoutSnapshot, t0: p.t0Without })),
  };
}

/**
 * balance-at through the query API at random instants of each history: answered from the log by
 * binary search, so it should grow with log(events), not with events.
 */
export async function balanceAt({ urls, histories, samples, say }) {
  const out = [];
  for (const h of histories) {
    say(`balance-at: ${samples} reads at random instants of a ${h.size}-event history`);
    const latencies = [];
    for (let i = 0; i < samples; i++) {
      const v = 1 + Math.floor(Math.random() * h.size);
      const instant = new Date(h.t0 + v).toISOString();
      const t = performance.now();
      const res = await fetch(`${urls.queryApi}/api/v1/accounts/${h.account}/balance-at?timestamp=${instant}`);
      const body = /** @type {{ version?: number }} */ (await res.json());
      latencies.push(performance.now() - t);
      if (res.status !== 200 || body.version !== v)
        throw new Error(`balance-at v${v}: ${res.status} ${JSON.stringify(body)}`);
    }
    out.push({ events: h.size, ...percentiles(latencies) });
  }
  return out;
}

async function waitReady(url, entry) {
  for (let i = 0; i < 360; i++) {
    if (entry.exited) throw new Error('actors did not restart');
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('actors not ready after restart');
}
