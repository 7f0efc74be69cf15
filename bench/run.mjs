// `npm run bench [-- --quick]`: starts the real stack on its own port block (the same launcher as
// `npm start`), runs the scenarios with progress, and writes bench/results/<date>.{json,md,svg}.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../scripts/lib/exec.mjs';
import { say as log, elapsed } from '../scripts/lib/log.mjs';
import { infraEnv } from '../scripts/stack/infra.mjs';
import { REPO_ROOT, startStack } from '../scripts/stack/stack.mjs';
import { useBenchToken } from './lib/auth.mjs';
import { latencyChart, markdown } from './lib/report.mjs';
import { baselines } from './scenarios/baselines.mjs';
import { booksAtScale } from './scenarios/books.mjs';
import { drain, hotAccount, openAccounts, steppedMovements } from './scenarios/commands.mjs';
import { historyPages } from './scenarios/history.mjs';
import { projectionLag, projectionLagUnderLoad, reads } from './scenarios/reads.mjs';
import { balanceAt, rehydration } from './scenarios/rehydration.mjs';
import { rebuild } from './scenarios/rebuild.mjs';
import { streamDelivery } from './scenarios/stream.mjs';
import { pacedTransfers, transfers } from './scenarios/transfers.mjs';

const quick = process.argv.includes('--quick');
const BENCH_PORT_BASE = Number(process.env.BANK_BENCH_PORT_BASE ?? 28000);
const RESULTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

const plan = quick
  ? {
      seconds: 4,
      accounts: 200,
      rates: [25, 50, 100, 200, 400],
      lagSamples: 60,
      histories: [10, 1000],
      pageHistories: [100, 10000],
      bankAccounts: 2000,
    }
  : {
      seconds: 10,
      accounts: 1000,
      rates: [25, 50, 100, 150, 200, 300, 400, 600, 800],
      lagSamples: 300,
      histories: [10, 1000, 100000],
      pageHistories: [100, 100000],
      bankAccounts: 10000,
    };

async function main() {
  const started = Date.now();
  const say = (m) => log('bench', m);
  say(`${quick ? 'quick' : 'full'} run: ${JSON.stringify(plan)}`);
  await run('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT });
  // The benchmark's own principal is a trusted service principal: not rate limited.
  process.env.RATE_LIMIT_EXEMPT_SUBJECTS ??= 'bench-staff';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-bench-'));
  // The scenarios that reach the databases directly do it as ImmuDB's administrator (stack.env).
  const stack = await startStack({ base: BENCH_PORT_BASE, appPorts: 'block', dataDir }).then((s) =>
    Object.assign(s, { env: infraEnv(s.layout, dataDir, { admin: true }) }),
  );
  await useBenchToken(dataDir, stack.layout);
  try {
    const ctx = { stack, urls: stack.urls, dataDir, seconds: plan.seconds, say };
    const result = { startedAt: new Date(started).toISOString(), quick, plan, machine: machine() };
    result.baselines = await baselines(ctx);
    const [marker, ...accounts] = await openAccounts({ ...ctx, count: plan.accounts + 1 });
    const settle = () => drain({ ...ctx, account: marker });
    result.drainSeconds = { afterOpen: await settle() };
    result.movements = await steppedMovements({ ...ctx, accounts, rates: plan.rates });
    result.drainSeconds.afterMovements = await settle();
    result.hotAccount = await hotAccount({ ...ctx, account: accounts[0] });
    result.drainSeconds.afterHotAccount = await settle();
    result.transfers = await transfers({ ...ctx, accounts });
    result.drainSeconds.afterTransfers = await settle();
    // Completion time at half the closed-loop rate (at least 1/s): a load the system sustains.
    const halfRate = Math.max(1, Math.round(result.transfers.throughput / 2));
    result.pacedTransfers = await pacedTransfers({ ...ctx, accounts, rate: halfRate });
    result.drainSeconds.afterPacedTransfers = await settle();
    result.reads = await reads({ ...ctx, accounts });
    result.projectionLag = await projectionLag({ ...ctx, accounts, samples: plan.lagSamples });
    const knee = result.movements.knee;
    if (knee) {
      const rate = Math.max(1, Math.round(knee.throughput / 2));
      result.projectionLagUnderLoad = await projectionLagUnderLoad({ ...ctx, accounts, rate });
      result.drainSeconds.afterLagUnderLoad = await settle();
    }
    result.streamDelivery = await streamDelivery({ ...ctx, accounts, samples: plan.lagSamples });
    result.rebuild = await rebuild({ ...ctx, accounts, depositRate: 20 });
    result.drainSeconds.afterRebuild = await settle();
    // After the rebuild, so its figures stay comparable with earlier runs.
    result.historyPages = await historyPages({ ...ctx, sizes: plan.pageHistories });
    result.books = await booksAtScale({ ...ctx, total: plan.bankAccounts, existing: plan.accounts + 1, settle });
    // Last: these stop the projections and restart the actors app.
    result.rehydration = await rehydration({ ...ctx, sizes: plan.histories });
    result.balanceAt = await balanceAt({ ...ctx, histories: result.rehydration.histories, samples: quick ? 20 : 50 });
    result.notYet = [];
    result.durationS = Math.round((Date.now() - started) / 1000);
    write(result);
    say(`done in ${elapsed(started)}`);
  } finally {
    await stack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function write(result) {
  fs.mkdirSync(RESULTS, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const name = `${stamp}${result.quick ? '-quick' : ''}`;
  result.chartFile = `${name}-latency.svg`;
  fs.writeFileSync(path.join(RESULTS, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
  fs.writeFileSync(
    path.join(RESULTS, result.chartFile),
    latencyChart(result.movements.steps, result.movements.p99TargetMs),
  );
  const md = markdown(result);
  fs.writeFileSync(path.join(RESULTS, `${name}.md`), md);
  process.stdout.write(`\n${md}\nwritten: bench/results/${name}.{json,md} and ${result.chartFile}\n`);
}

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

main().catch((err) => {
  log('bench', `FAILED: ${err.stack ?? err}`);
  process.exit(1);
});
