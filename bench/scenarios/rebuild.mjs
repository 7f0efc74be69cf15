// Read-model rebuild (`npm run projections:rebuild`), once on a quiet system and once while
// deposits keep arriving at a fixed offered rate. Compared in the report with the raw FerretDB
// upsert rate of the same run: the rebuild writes each account's events of a log page as one run,
// so it should project several events per raw upsert.
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../../scripts/stack/stack.mjs';
import { openLoop } from '../lib/open-loop.mjs';

const DONE = /Rebuilt generation (\d+) from (\d+) log transactions: (\d+) events in ([\d.]+) s \((\d+) events\/s/;

function rebuildOnce({ stack, dataDir }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/rebuild.mjs'], {
      cwd: REPO_ROOT,
      env: { ...process.env, BANK_PORT_BASE: String(stack.layout.base), BANK_DATA_DIR: dataDir },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      const m = DONE.exec(out);
      if (code !== 0 || !m) return reject(new Error(`rebuild exited ${code}: ${out.slice(-500)}`));
      const [, generation, txs, events, seconds, projectingRate] = m.map(Number);
      // Wall time includes fixed waits (every process must see the switch, twice ~2.5 s); the
      // projecting rate is over the time spent projecting the log, what grows with its size.
      resolve({ generation, txs, events, seconds, eventsPerSecond: Math.round(events / seconds), projectingRate });
    });
  });
}

export async function rebuild({ stack, dataDir, urls, accounts, seconds, say, depositRate }) {
  say('rebuild of the read model, quiet system');
  const quiet = await rebuildOnce({ stack, dataDir });
  say(`rebuild while deposits arrive at ${depositRate}/s`);
  let done = false;
  const rebuilding = rebuildOnce({ stack, dataDir }).finally(() => (done = true));
  const writes = [];
  // Keep writing until the rebuild has ended (in steps of `seconds`, so the figures are per step).
  while (!done) {
    writes.push(
      await openLoop({
        url: urls.commandApi,
        rate: depositRate,
        seconds,
        request: () => {
          const id = accounts[Math.floor(Math.random() * accounts.length)];
          return { method: 'POST', path: `/api/v1/accounts/${id}/deposits`, body: '{"amount":"1.00"}' };
        },
      }),
    );
  }
  const underWrites = await rebuilding;
  const worst = writes.reduce((w, s) => ((s.p99 ?? 0) > (w.p99 ?? 0) ? s : w), writes[0]);
  return {
    quiet,
    underWrites: {
      ...underWrites,
      depositRate,
      deposits: writes.reduce((n, s) => n + s.requests, 0),
      depositErrors: writes.reduce((n, s) => n + s.errors, 0),
      depositP99: worst?.p99 ?? null,
    },
  };
}
