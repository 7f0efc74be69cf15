// History pages and daily balances on accounts of very different lengths: the same reads at 100
// and at 100 000 movements (100 a day, so over 1 and 1 000 days), so the report shows whether a
// read's cost depends on the history behind it.
// The histories are written straight to the log, and the live projections project them (the
// time they take, from the end of the write, is a backlog drained by one account's runs).
import { randomUUID } from 'node:crypto';
import { load } from '../lib/load.mjs';
import { logWriter, writeHistory } from '../lib/log-history.mjs';
import { booksReach } from './books.mjs';

/** 100 movements a day. */
const STEP_MS = 864_000;
const DAY_MS = 86_400_000;

export async function historyPages({ stack, urls, sizes, seconds, say }) {
  // One account at a time, each projected before the next is written, so no projection runs
  // under the reads measured.
  const { store, close } = logWriter(stack.env);
  const accounts = [];
  try {
    for (const size of sizes) {
      const account = `hist-${size}-${randomUUID().slice(0, 6)}`;
      say(`history pages: writing ${size} events of one account to the log`);
      const { t0, lastTx } = await writeHistory(store, account, size, { stepMs: STEP_MS });
      say(`history pages: waiting for the read model to project ${size} events`);
      accounts.push({ size, account, t0, projectSeconds: await projected(urls.queryApi, account, size) });
      // The books fold the same events after the projection: no reads are measured beside that work.
      await booksReach(urls.queryApi, lastTx);
    }
  } finally {
    await close();
  }

  const out = [];
  for (const a of accounts) {
    const { projectSeconds } = a;
    const base = `/api/v1/accounts/${a.account}/transactions`;
    const movements = a.size - 1; // every event after the opening is a deposit
    // The cursor is opaque to clients; the benchmark builds one to land anywhere in the history.
    const cursorAt = (seq) => Buffer.from(JSON.stringify({ s: seq })).toString('base64url');
    const randomSeq = () => 51 + Math.floor(Math.random() * Math.max(1, movements - 50));
    const instant = (seq) => new Date(a.t0 + (seq + 1) * STEP_MS).toISOString(); // deposit seq is event version seq + 1
    // A range of days ending on a random day of the history (or its last day).
    const days = (n) => {
      const last = Date.now() - Math.floor(Math.random() * Math.max(1, (a.size * STEP_MS) / DAY_MS)) * DAY_MS;
      const day = (t) => new Date(t).toISOString().slice(0, 10);
      return `/api/v1/accounts/${a.account}/daily-balances?from=${day(last - (n - 1) * DAY_MS)}&to=${day(last)}`;
    };
    const run = (label, pathOf) => {
      say(`history pages: ${label} at ${a.size} events (${seconds}s, 16 connections)`);
      return load({
        url: urls.queryApi,
        connections: 16,
        seconds,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: pathOf() }) }],
      });
    };
    out.push({
      events: a.size,
      projectSeconds,
      projectRate: Math.round(a.size / Math.max(projectSeconds, 0.1)),
      newest: await run('newest page of 50', () => `${base}?limit=50`),
      anywhere: await run('page of 50 at a random position', () => `${base}?limit=50&cursor=${cursorAt(randomSeq())}`),
      timeRange: await run('page of 50 in a random time range', () => {
        const seq = randomSeq();
        return `${base}?limit=50&from=${instant(seq - 200)}&to=${instant(seq)}`;
      }),
      days30: await run('daily balances over 30 days', () => days(30)),
      days366: await run('daily balances over 366 days', () => days(366)),
    });
  }
  return out;
}

/** Seconds until the account's read model reaches `version` (polling with minVersion). */
async function projected(queryApi, account, version) {
  const t = performance.now();
  for (const deadline = Date.now() + 900_000; Date.now() < deadline;) {
    const res = await fetch(`${queryApi}/api/v1/accounts/${account}?minVersion=${version}`);
    await res.arrayBuffer();
    if (res.status === 200) return Math.round((performance.now() - t) / 100) / 10;
    if (res.status !== 504 && res.status !== 404) throw new Error(`reading ${account}: ${res.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${account} was not projected to version ${version} within 15 minutes`);
}
