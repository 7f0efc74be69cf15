// The reads over the whole bank at a size: the trial balance (from the books' totals, folded from
// the log) and the top accounts (a scan, capped at one per currency per second), with the bank
// grown to `total` accounts. The extra accounts are written straight to the log (opened with one
// deposit each, 200 accounts per ImmuDB transaction) and projected by the live projections.
import { randomUUID } from 'node:crypto';
import { load } from '../lib/load.mjs';
import { depositEvent, logWriter, openedEvent } from '../lib/log-history.mjs';

const PER_TX = 200;

export async function booksAtScale({ stack, urls, total, existing, seconds, say, settle }) {
  const extra = Math.max(0, total - existing);
  say(`books: writing ${extra} more accounts to the log (${total} in all)`);
  const { store, close } = logWriter(stack.env);
  let lastTx = 0;
  const t0 = performance.now();
  try {
    for (let i = 0; i < extra; i += PER_TX) {
      const parts = [];
      for (let k = i; k < Math.min(extra, i + PER_TX); k++)
        parts.push(openedWithDeposit(`books-${k}-${randomUUID().slice(0, 8)}`));
      const result = await store.appendAll(parts);
      if (!result.ok) throw new Error(`writing accounts: ${JSON.stringify(result)}`);
      lastTx = result.logTx;
    }
  } finally {
    await close();
  }
  say(`books: waiting for the read model and the books to include log transaction ${lastTx}`);
  const position = await booksReach(urls.queryApi, lastTx);
  const projectSeconds = Math.round((performance.now() - t0) / 100) / 10;
  // The books include everything, but redelivered messages may still be in flight: let them end.
  await settle();
  const run = (label, path) => {
    say(`books: ${label} at ${total} accounts (${seconds}s, 16 connections)`);
    return load({ url: urls.queryApi, connections: 16, seconds, requests: [{ method: 'GET', path }] });
  };
  return {
    accounts: total,
    written: extra,
    projectSeconds,
    booksPosition: position,
    trialBalance: await run('trial balance', '/api/v1/ledger/trial-balance?currency=USD'),
    topAccounts: await run('top 10 accounts', '/api/v1/reports/top-accounts?currency=USD&limit=10'),
  };
}

/** An account's first two events, as its actor would have written them: opened, one deposit. */
function openedWithDeposit(accountId) {
  const at = new Date().toISOString();
  const amount = 1 + Math.floor(Math.random() * 100_000);
  return {
    streamId: accountId,
    expectedVersion: 0,
    events: [openedEvent(accountId, at, 'bench-books'), depositEvent(accountId, 2, amount, amount, at, 'bench-books')],
  };
}

/** Polls the trial balance until its books are at log transaction `tx` or beyond; returns their position. */
export async function booksReach(queryApi, tx) {
  for (const deadline = Date.now() + 900_000; Date.now() < deadline;) {
    const res = await fetch(`${queryApi}/api/v1/ledger/trial-balance?currency=USD`);
    await res.arrayBuffer();
    const position = Number(res.headers.get('x-books-log-position'));
    if (res.status === 200 && position >= tx) return position;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the books did not reach log transaction ${tx} within 15 minutes`);
}
