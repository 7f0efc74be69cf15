// Read scenarios and the projection lag a client sees when it reads its own write.
import { load, percentiles } from '../lib/load.mjs';
import { openLoop } from '../lib/open-loop.mjs';
import { movementOn } from './commands.mjs';

export async function reads({ urls, accounts, seconds, say }) {
  const pick = () => accounts[Math.floor(Math.random() * accounts.length)];
  const run = (label, pathOf) => {
    say(`reads: ${label} (${seconds}s, 16 connections)`);
    return load({
      url: urls.queryApi,
      connections: 16,
      seconds,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: pathOf() }) }],
    });
  };
  return {
    account: await run('account', () => `/api/v1/accounts/${pick()}`),
    transactionsPage: await run('transactions page of 50', () => `/api/v1/accounts/${pick()}/transactions?limit=50`),
    summary: await run('summary', () => `/api/v1/accounts/${pick()}/summary`),
    dailyBalances: await run('daily balances, 30 days', () => `/api/v1/accounts/${pick()}/daily-balances`),
    topAccounts: await run('top 10 accounts', () => '/api/v1/reports/top-accounts?currency=USD'),
    trialBalance: await run('trial balance', () => '/api/v1/ledger/trial-balance?currency=USD'),
  };
}

/**
 * Time from a deposit's 201 to the query API answering `?minVersion=` with that version: what a
 * client that reads its own write waits for the event to go log -> relay -> pub/sub -> projection.
 */
export async function projectionLag({ urls, accounts, samples, say }) {
  say(`projection lag: ${samples} deposits, each read back with minVersion`);
  return sampleLag(urls, accounts, (i) => i < samples);
}

/**
 * The same, while other accounts take deposits and withdrawals at `rate` per second (open loop):
 * how far behind a client reads its own write when the system is busy (half the write knee).
 */
export async function projectionLagUnderLoad({ urls, accounts, rate, seconds, say }) {
  say(`projection lag while ${rate} deposits/withdrawals a second arrive (${seconds}s)`);
  const half = Math.floor(accounts.length / 2);
  let done = false;
  const background = openLoop({
    url: urls.commandApi,
    rate,
    seconds,
    request: movementOn(accounts.slice(0, half)),
  }).finally(() => (done = true));
  const lag = await sampleLag(urls, accounts.slice(half), () => !done);
  return { rate, load: await background, ...lag };
}

async function sampleLag(urls, accounts, more) {
  const lags = [];
  let lagging = 0;
  for (let i = 0; more(i); i++) {
    const id = accounts[i % accounts.length];
    const res = await fetch(`${urls.commandApi}/api/v1/accounts/${id}/deposits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"amount":"0.01"}',
    });
    const { version } = /** @type {{ version: number }} */ (await res.json());
    const t = performance.now();
    const read = await fetch(`${urls.queryApi}/api/v1/accounts/${id}?minVersion=${version}`);
    await read.arrayBuffer();
    if (read.status === 200) lags.push(performance.now() - t);
    else lagging++;
  }
  return { ...percentiles(lags), timedOut: lagging };
}
