// Turns one run's results into a Markdown report and an SVG chart (no charting dependency).
const f = (x, unit = '') => (x === null || x === undefined ? 'n/a' : `${x}${unit}`);
const ratio = (a, b) => (a && b ? `${Math.round((a / b) * 100)}%` : 'n/a');

export function markdown(r) {
  const b = r.baselines;
  const lines = [
    `# Benchmark ${r.startedAt}${r.quick ? ' (quick)' : ''}`,
    '',
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memGiB} GiB, Node ${r.machine.node}, ${r.machine.platform}. ` +
      `Everything (load generator included) runs on this one machine; read the figures as ratios to the baselines of the same run.`,
    '',
    '## Baselines (same run)',
    '',
    '| what | ops/s | p50 ms | p99 ms |',
    '|---|---|---|---|',
    `| disk fsync (4 KiB write + fsync) | ${b.fsync.fsyncsPerSec} | ${b.fsync.meanMs} (mean) | |`,
    ...logRows(b),
    `| raw FerretDB upsert, 16 in flight | ${b.ferretUpserts.opsPerSec} | ${b.ferretUpserts.p50} | ${b.ferretUpserts.p99} |`,
    `| raw FerretDB findOne, 16 in flight | ${b.ferretReads.opsPerSec} | ${b.ferretReads.p50} | ${b.ferretReads.p99} |`,
    `| version-guarded update, 1 000 documents, condition in the filter (\`{_id, version}\`), 16 in flight | ${b.guardedServer.opsPerSec} | ${b.guardedServer.p50} | ${b.guardedServer.p99} |`,
    `| same, checked by the projector (read by \`_id\`, write by \`_id\`; what projections do on FerretDB) | ${b.guardedClient.opsPerSec} | ${b.guardedClient.p50} | ${b.guardedClient.p99} |`,
    `| raw Dapr actor call (empty actor), 16 connections | ${b.daprActor.throughput} | ${b.daprActor.p50} | ${b.daprActor.p99} |`,
    '',
    '## End to end, next to the baseline that bounds it',
    '',
    '| scenario | throughput /s | p50 ms | p90 ms | p99 ms | errors | bounded by | ratio |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const knee = r.movements.knee;
  const firstMiss = r.movements.steps.find((s) => s.p99 > r.movements.p99TargetMs || s.errors > 0);
  const best = r.movements.steps.reduce((m, s) => (s.throughput > (m?.throughput ?? 0) ? s : m), null);
  const row = (name, s, boundName, bound) =>
    `| ${name} | ${f(s.throughput)} | ${f(s.p50)} | ${f(s.p90)} | ${f(s.p99)} | ${s.errors} | ${boundName} ${f(bound)}/s | ${ratio(s.throughput, bound)} |`;
  // Runs from before the tuned log had only the default-settings baselines.
  const tuned1 = b.log?.tunedSet.sequential ?? b.immudbSequential;
  if (best)
    lines.push(
      row(`deposits/withdrawals, best step (${best.rate}/s offered)`, best, 'Dapr actor call', b.daprActor.throughput),
    );
  lines.push(
    row('one hot account, 16 clients', r.hotAccount, 'log append, 1 in flight (tuned, Set)', tuned1.opsPerSec),
  );
  if (r.transfers) {
    const t = r.transfers;
    // A transfer is three account commands (debit, credit, settle), each one conditional append.
    lines.push(
      `| transfers, ${t.concurrency} clients (POST latency) | ${f(t.throughput)} | ${f(t.post.p50)} | ${f(t.post.p90)} | ${f(t.post.p99)} | ${t.errors} | write knee ${f(knee?.throughput)}/s | ${ratio(t.throughput, knee?.throughput)} |`,
    );
  }
  lines.push(row('read account', r.reads.account, 'FerretDB findOne', b.ferretReads.opsPerSec));
  lines.push(row('read transactions page (50)', r.reads.transactionsPage, 'FerretDB findOne', b.ferretReads.opsPerSec));
  if (r.reads.summary) lines.push(row('read summary', r.reads.summary, 'FerretDB findOne', b.ferretReads.opsPerSec));
  for (const [key, what] of [
    ['dailyBalances', 'read daily balances (30 days)'],
    ['topAccounts', 'read top 10 accounts'],
    ['trialBalance', `trial balance (${r.plan.accounts + 1}+ accounts)`],
  ]) {
    if (r.reads[key]) lines.push(row(what, r.reads[key], 'FerretDB findOne', b.ferretReads.opsPerSec));
  }
  lines.push(
    '',
    `Knee of the open-loop write load (last offered rate with p99 ≤ ${r.movements.p99TargetMs} ms and no errors): ` +
      (knee
        ? `**${knee.rate}/s offered, ${knee.throughput}/s served, p99 ${knee.p99} ms**`
        : '**none: even the lowest step missed it**') +
      (firstMiss ? `; first miss at ${firstMiss.rate}/s offered (p99 ${firstMiss.p99} ms).` : '.'),
    '',
    '| offered /s | served /s | p50 ms | p90 ms | p99 ms | errors |',
    '|---|---|---|---|---|---|',
    ...r.movements.steps.map((s) => `| ${s.rate} | ${s.throughput} | ${s.p50} | ${s.p90} | ${s.p99} | ${s.errors} |`),
    ...(r.movements.halfKnee && !r.movements.steps.includes(r.movements.halfKnee)
      ? [
          '',
          `At half the knee, offered after the steps: ${r.movements.halfKnee.rate}/s offered, ${r.movements.halfKnee.throughput}/s served, p50 ${r.movements.halfKnee.p50} ms, p99 ${r.movements.halfKnee.p99} ms, ${r.movements.halfKnee.errors} errors.`,
        ]
      : []),
    '',
    `![latency percentiles over offered load](${r.chartFile})`,
    '',
    ...cpuRows(r),
    ...(r.transfers
      ? [
          '## Transfers',
          '',
          `${r.transfers.completed} completed, ${r.transfers.failed} failed, ${r.transfers.errors} refused; ${r.transfers.endedInline} had already ended when the 202 came back. ` +
            `Completion time (POST sent → COMPLETED): p50 ${f(r.transfers.completion.p50)} ms, p90 ${f(r.transfers.completion.p90)} ms, p99 ${f(r.transfers.completion.p99)} ms, max ${f(r.transfers.completion.max)} ms.`,
          '',
          ...(r.pacedTransfers
            ? [
                `Offered at ${r.pacedTransfers.rate}/s (half the rate above, open loop): ${r.pacedTransfers.completed} completed, ${r.pacedTransfers.failed} failed, ${r.pacedTransfers.errors} refused; ` +
                  `completion p50 ${f(r.pacedTransfers.completion.p50)} ms, p90 ${f(r.pacedTransfers.completion.p90)} ms, p99 ${f(r.pacedTransfers.completion.p99)} ms, max ${f(r.pacedTransfers.completion.max)} ms.`,
                '',
              ]
            : []),
        ]
      : []),
    ...targets(r),
    '## Projection lag (read-your-writes)',
    '',
    `Time from a deposit's 201 until \`GET /accounts/{id}?minVersion=\` answers with it (${r.projectionLag.samples} samples, one at a time): ` +
      `p50 ${f(r.projectionLag.p50)} ms, p90 ${f(r.projectionLag.p90)} ms, p99 ${f(r.projectionLag.p99)} ms, max ${f(r.projectionLag.max)} ms; ` +
      `${r.projectionLag.timedOut} not caught up within 5 s. Bounded below by one FerretDB upsert (p50 ${b.ferretUpserts.p50} ms).`,
    '',
    ...(r.projectionLagUnderLoad
      ? [
          `The same while other accounts took ${r.projectionLagUnderLoad.rate} deposits/withdrawals a second (half the write knee, open loop; ` +
            `${r.projectionLagUnderLoad.load.ok} served, ${r.projectionLagUnderLoad.load.errors} errors, p99 ${f(r.projectionLagUnderLoad.load.p99)} ms): ` +
            `${r.projectionLagUnderLoad.samples} samples, p50 ${f(r.projectionLagUnderLoad.p50)} ms, p90 ${f(r.projectionLagUnderLoad.p90)} ms, p99 ${f(r.projectionLagUnderLoad.p99)} ms, max ${f(r.projectionLagUnderLoad.max)} ms; ` +
            `${r.projectionLagUnderLoad.timedOut} not caught up within 5 s.`,
          '',
        ]
      : []),
    ...(r.streamDelivery
      ? [
          '## Live stream delivery',
          '',
          `Time from a deposit's 201 until its event reached clients of \`GET /api/v1/stream\` (${r.streamDelivery.streams} streams open, ${r.streamDelivery.firstStream.samples} deposits, one at a time): ` +
            `first stream p50 ${f(r.streamDelivery.firstStream.p50)} ms, p99 ${f(r.streamDelivery.firstStream.p99)} ms; ` +
            `all ${r.streamDelivery.streams} streams p50 ${f(r.streamDelivery.allStreams.p50)} ms, p99 ${f(r.streamDelivery.allStreams.p99)} ms, max ${f(r.streamDelivery.allStreams.max)} ms; ` +
            `${r.streamDelivery.missed} not delivered within 5 s.`,
          '',
        ]
      : []),
    '## Read-model catch-up after each load',
    '',
    `Seconds until the projections had applied everything written (measured before the next scenario, so backlogs are not counted twice): ` +
      Object.entries(r.drainSeconds ?? {})
        .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
        .join(', ') +
      '.',
    '',
    ...(r.rebuild
      ? [
          '## Read-model rebuild (`npm run projections:rebuild`)',
          '',
          `Quiet system: ${r.rebuild.quiet.events} events (${r.rebuild.quiet.txs} log transactions) in ${r.rebuild.quiet.seconds} s, ` +
            `**${r.rebuild.quiet.eventsPerSecond} events/s** over the wall time` +
            (r.rebuild.quiet.projectingRate
              ? `, **${r.rebuild.quiet.projectingRate} events/s while projecting** (the rest is waiting for every projections process to see the rebuild, then the switch, and the drop of the old generation's lock)`
              : '') +
            `; ${((r.rebuild.quiet.projectingRate ?? r.rebuild.quiet.eventsPerSecond) / b.ferretUpserts.opsPerSec).toFixed(1)} events per raw FerretDB upsert of the same run (${b.ferretUpserts.opsPerSec}/s; one write per event would be at most 1).`,
          '',
          `While deposits were offered at ${r.rebuild.underWrites.depositRate}/s: ${r.rebuild.underWrites.events} events in ${r.rebuild.underWrites.seconds} s, ` +
            `${r.rebuild.underWrites.eventsPerSecond} events/s; ${r.rebuild.underWrites.deposits} deposits sent, ${r.rebuild.underWrites.depositErrors} errors, worst step p99 ${f(r.rebuild.underWrites.depositP99)} ms. ` +
            `Catch-up after it: ${(r.drainSeconds?.afterRebuild ?? 0).toFixed(1)} s.`,
          '',
        ]
      : []),
    ...historyRows(r),
    ...booksRows(r),
    ...readModelTargets(r),
    '## Actor rehydration',
    '',
    `First command on an account whose actor was deactivated (actors app restarted), through a sidecar. ` +
      `Snapshots are persisted every ${r.rehydration.snapshotEvery} events; "without" is an account whose history was written straight to the log, so its actor has never saved one and replays everything.`,
    '',
    '| events in the account | with snapshot ms | without snapshot ms | warm command ms |',
    '|---|---|---|---|',
    ...r.rehydration.results.map(
      (x) => `| ${x.events} | ${x.withSnapshotMs} | ${x.withoutSnapshotMs} | ${x.warmCommandMs} |`,
    ),
    '',
    '## Balance at an instant (from the log)',
    '',
    'GET /accounts/{id}/balance-at at random instants of each history, one at a time, through the query API and event-source (binary search over the log).',
    '',
    '| events in the account | samples | p50 ms | p90 ms | p99 ms |',
    '|---|---|---|---|---|',
    ...(r.balanceAt ?? []).map((x) => `| ${x.events} | ${x.samples} | ${x.p50} | ${x.p90} | ${x.p99} |`),
    '',
    ...(r.notYet.length > 0 ? ['## Not measured yet', '', ...r.notYet.map((n) => `- ${n}`), ''] : []),
  );
  return lines.join('\n');
}

/** History pages on a short and a long account, beside the raw findOne of the same run. */
function historyRows(r) {
  if (!r.historyPages) return [];
  const findOne = r.baselines.ferretReads.opsPerSec;
  const row = (what, events, x) =>
    `| ${what} | ${events} | ${x.throughput} | ${x.p50} | ${x.p90} | ${x.p99} | ${x.errors} | ${Math.round((100 * x.throughput) / findOne)}% |`;
  return [
    '## History pages by history length',
    '',
    `GET /accounts/{id}/transactions?limit=50 and /daily-balances, 16 connections, on accounts whose histories (100 movements a day) were written straight to the log and projected by the live projections. Ratio: to the raw FerretDB findOne of this run (${findOne}/s).`,
    '',
    '| read | events in the account | reads/s | p50 ms | p90 ms | p99 ms | errors | of findOne |',
    '|---|---|---|---|---|---|---|---|',
    ...r.historyPages.flatMap((h) => [
      row('newest 50', h.events, h.newest),
      row('50 at a random position (cursor)', h.events, h.anywhere),
      row('50 in a random 200-movement time range (from, to)', h.events, h.timeRange),
      ...(h.days30 ? [row('daily balances, 30 days ending on a random day', h.events, h.days30)] : []),
      ...(h.days366 ? [row('daily balances, 366 days ending on a random day', h.events, h.days366)] : []),
    ]),
    '',
    'Projecting each history from the log (one account, a backlog; live projections): ' +
      r.historyPages.map((h) => `${h.events} events in ${h.projectSeconds} s (${h.projectRate} events/s)`).join(', ') +
      '.',
    '',
  ];
}

/** The reads over the whole bank, grown to thousands of accounts. */
function booksRows(r) {
  const k = r.books;
  if (!k) return [];
  const findOne = r.baselines.ferretReads.opsPerSec;
  const row = (what, x) =>
    `| ${what} | ${x.throughput} | ${x.p50} | ${x.p90} | ${x.p99} | ${x.errors} | ${Math.round((100 * x.throughput) / findOne)}% |`;
  return [
    `## The books at ${k.accounts}+ accounts`,
    '',
    `${k.written} more accounts (opened with one deposit each) written straight to the log, then projected and folded into the books in ${k.projectSeconds} s (up to log transaction ${k.booksPosition}). 16 connections; ratio to the raw FerretDB findOne of this run (${findOne}/s).`,
    '',
    '| read | /s | p50 ms | p90 ms | p99 ms | errors | of findOne |',
    '|---|---|---|---|---|---|---|',
    row('trial balance (books totals + drift documents of the currency)', k.trialBalance),
    row(
      'top 10 accounts (the ranking; a shared scan at most once a second per currency when it cannot tell)',
      k.topAccounts,
    ),
    '',
  ];
}

/** The read-model targets, with this run's figures. */
function readModelTargets(r) {
  if (!r.historyPages || !r.books) return [];
  const findOne = r.baselines.ferretReads.opsPerSec;
  const check = (ok) => (ok ? 'met' : '**not met**');
  const pages = r.historyPages.flatMap((h) => [
    [h.events, 'newest', h.newest],
    [h.events, 'cursor', h.anywhere],
  ]);
  const rows = pages.map(([events, what, x]) => [
    `page of 50 (${what}) at ${events} events: p99 ≤ 30 ms and ≥ 50 % of findOne`,
    `p99 ${x.p99} ms, ${Math.round((100 * x.throughput) / findOne)} % of ${findOne}/s`,
    check(x.p99 <= 30 && x.throughput >= 0.5 * findOne),
  ]);
  rows.push(
    ['account read p99 ≤ 20 ms', `${r.reads.account.p99} ms`, check(r.reads.account.p99 <= 20)],
    [
      'projection lag p99 ≤ 50 ms when idle',
      `${r.projectionLag.p99} ms`,
      check(r.projectionLag.p99 !== null && r.projectionLag.p99 <= 50),
    ],
    r.projectionLagUnderLoad
      ? [
          'projection lag p99 ≤ 100 ms at half the write knee',
          `${r.projectionLagUnderLoad.p99} ms at ${r.projectionLagUnderLoad.rate}/s`,
          check(r.projectionLagUnderLoad.p99 !== null && r.projectionLagUnderLoad.p99 <= 100),
        ]
      : ['projection lag p99 ≤ 100 ms at half the write knee', 'no knee in this run', '**not measured**'],
  );
  if (r.rebuild) {
    const q = r.rebuild.quiet;
    rows.push([
      'rebuild ≥ 2 000 events/s quiet (over the wall time)',
      `${q.eventsPerSecond}/s over the wall time (${q.projectingRate ?? 'n/a'}/s while projecting)`,
      check(q.eventsPerSecond >= 2000),
    ]);
  }
  rows.push([
    `trial balance p99 ≤ 50 ms at ${r.books.accounts} accounts`,
    `p99 ${r.books.trialBalance.p99} ms`,
    check(r.books.trialBalance.p99 <= 50 && r.books.trialBalance.errors === 0),
  ]);
  return targetTable('Read-model targets (this run)', rows);
}

/** The event log's baselines: default vs tuned settings, ExecAll vs Set, scans under appends, group commit. */
function logRows(b) {
  const l = b.log;
  if (!l) {
    return [
      `| raw ImmuDB synced append, 1 in flight | ${b.immudbSequential.opsPerSec} | ${b.immudbSequential.p50} | ${b.immudbSequential.p99} |`,
      `| raw ImmuDB synced append, 16 in flight | ${b.immudbConcurrent.opsPerSec} | ${b.immudbConcurrent.p50} | ${b.immudbConcurrent.p99} |`,
    ];
  }
  const r = (what, x) => `| ${what} | ${x.opsPerSec} | ${x.p50} | ${x.p99} |`;
  const d = `default settings (sync every ${l.settings.default.syncFrequencyMs} ms)`;
  const t = `tuned (sync every ${l.settings.tuned.syncFrequencyMs} ms${l.settings.tuned.preallocFiles ? ', preallocated files' : ''})`;
  return [
    r(`ImmuDB synced conditional append, ${d}, ExecAll, 1 in flight`, l.defaultSettings.sequential),
    r(`same, 16 in flight`, l.defaultSettings.concurrent),
    r(`ImmuDB synced conditional append, ${t}, ExecAll, 1 in flight`, l.tunedExecAll.sequential),
    r(`same, 16 in flight`, l.tunedExecAll.concurrent),
    r(`same, Set, 1 in flight`, l.tunedSet.sequential),
    r(`same, Set, 16 in flight`, l.tunedSet.concurrent),
    r(`scan of 10 keys while 16 ExecAll appends are in flight (scans/s, 4 in flight)`, l.scansDuringExecAll),
    r(`scan of 10 keys while 16 Set appends are in flight (scans/s, 4 in flight)`, l.scansDuringSet),
    r(
      `event store appends, group commit, 16 in flight (${l.groupCommit.appendsPerCommit} appends per transaction on average, largest ${l.groupCommit.largestGroup})`,
      l.groupCommit.concurrency16,
    ),
    r(`same, 64 in flight`, l.groupCommit.concurrency64),
  ];
}

/** CPU per command by process at the busiest step within the target (or the first step). */
function cpuRows(r) {
  const steps = r.movements.steps.filter((s) => s.cpu);
  const step = steps.filter((s) => s.rate <= (r.movements.knee?.rate ?? 0)).pop() ?? steps[0];
  if (!step) return [];
  const c = step.cpu;
  return [
    `Where the CPU went at ${step.rate}/s offered (CPU ms per request, from /proc, during the step; ` +
      `${c.totalMsPerRequest} ms in all, so ${r.machine.cpus} cores bound the rate at about ${Math.round((r.machine.cpus * 1000) / c.totalMsPerRequest)}/s):`,
    '',
    '| process | CPU ms per request |',
    '|---|---|',
    ...c.processes.map((p) => `| ${p.process} | ${p.msPerRequest} |`),
    '',
  ];
}

/** The write-path targets as ratios of this run's own baselines. */
function targets(r) {
  const b = r.baselines;
  const l = b.log;
  if (!l) return [];
  const knee = r.movements.knee;
  const half =
    r.movements.halfKnee ?? (knee && r.movements.steps.filter((s) => s.rate <= knee.rate / 2 && s.errors === 0).pop());
  const check = (ok) => (ok ? 'met' : '**not met**');
  const pct = (a, c) => (a && c ? Math.round((a / c) * 100) : 0);
  const rows = [
    [
      'appends, 16 in flight, ≥ 5× the default-settings ExecAll baseline',
      `group commit ${l.groupCommit.concurrency16.opsPerSec}/s = ${(l.groupCommit.concurrency16.opsPerSec / l.defaultSettings.concurrent.opsPerSec).toFixed(1)}×; raw tuned Set ${(l.tunedSet.concurrent.opsPerSec / l.defaultSettings.concurrent.opsPerSec).toFixed(1)}×`,
      check(l.groupCommit.concurrency16.opsPerSec >= 5 * l.defaultSettings.concurrent.opsPerSec),
    ],
    [
      'write knee ≥ 40 % of the empty-actor-call rate',
      knee
        ? `${knee.throughput}/s = ${pct(knee.throughput, b.daprActor.throughput)} % of ${b.daprActor.throughput}/s`
        : 'no knee',
      check(knee && knee.throughput >= 0.4 * b.daprActor.throughput),
    ],
    [
      'p50 at half the knee ≤ 15 ms',
      half ? `${half.p50} ms at ${half.rate}/s` : 'no step at half the knee',
      check(half && half.p50 <= 15),
    ],
    [
      'one hot account ≥ 50 % of the tuned 1-in-flight append rate',
      `${r.hotAccount.throughput}/s = ${pct(r.hotAccount.throughput, l.tunedSet.sequential.opsPerSec)} % of ${l.tunedSet.sequential.opsPerSec}/s`,
      check(r.hotAccount.throughput >= 0.5 * l.tunedSet.sequential.opsPerSec),
    ],
    ...(r.transfers && knee
      ? [
          [
            'transfers completed/s ≥ 25 % of the write knee',
            `${r.transfers.throughput}/s = ${pct(r.transfers.throughput, knee.throughput)} % of ${knee.throughput}/s`,
            check(r.transfers.throughput >= 0.25 * knee.throughput),
          ],
        ]
      : []),
    ...(r.pacedTransfers
      ? [
          [
            'transfer completion p99 ≤ 250 ms at half that rate',
            `${r.pacedTransfers.completion.p99} ms at ${r.pacedTransfers.rate}/s`,
            check(r.pacedTransfers.completion.p99 !== null && r.pacedTransfers.completion.p99 <= 250),
          ],
        ]
      : []),
  ];
  return targetTable('Write-path targets (ratios within this run)', rows);
}

/** A section of targets: each row its target, what this run measured, and whether that meets it. */
function targetTable(title, rows) {
  return [
    `## ${title}`,
    '',
    '| target | measured | |',
    '|---|---|---|',
    ...rows.map(([t, m, c]) => `| ${t} | ${m} | ${c} |`),
    '',
  ];
}

/** Latency percentiles (p50/p90/p99) against the offered rate, as a small SVG line chart. */
export function latencyChart(steps, targetMs) {
  const W = 640,
    H = 360,
    L = 60,
    R = 20,
    T = 30,
    B = 50;
  const xs = steps.map((s) => s.rate);
  const maxY = Math.max(targetMs * 1.2, ...steps.map((s) => s.p99 ?? 0));
  const x = (v) => L + ((v - Math.min(...xs)) / Math.max(1, Math.max(...xs) - Math.min(...xs))) * (W - L - R);
  const y = (v) => H - B - (v / maxY) * (H - T - B);
  const series = [
    ['p50', '#1a7f37'],
    ['p90', '#9a6700'],
    ['p99', '#cf222e'],
  ];
  const lines = series.map(([k, color]) => {
    const pts = steps.map((s) => `${x(s.rate).toFixed(1)},${y(s[k]).toFixed(1)}`).join(' ');
    const dots = steps
      .map((s) => `<circle cx="${x(s.rate).toFixed(1)}" cy="${y(s[k]).toFixed(1)}" r="3" fill="${color}"/>`)
      .join('');
    return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"/>${dots}`;
  });
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((q) => Math.round(q * maxY));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">Write latency vs offered load (deposits/withdrawals)</text>
${yTicks.map((t) => `<line x1="${L}" x2="${W - R}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/><text x="${L - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text>`).join('')}
${xs.map((v) => `<text x="${x(v)}" y="${H - B + 16}" text-anchor="middle">${v}</text>`).join('')}
<line x1="${L}" x2="${W - R}" y1="${y(targetMs)}" y2="${y(targetMs)}" stroke="#888" stroke-dasharray="4 4"/>
<text x="${W - R}" y="${y(targetMs) - 4}" text-anchor="end" fill="#555">p99 target ${targetMs} ms</text>
${lines.join('\n')}
<text x="${W / 2}" y="${H - 12}" text-anchor="middle">offered requests/s</text>
<text x="14" y="${H / 2}" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">latency ms</text>
${series.map(([k, c], i) => `<rect x="${L + 10 + i * 60}" y="${T}" width="10" height="10" fill="${c}"/><text x="${L + 24 + i * 60}" y="${T + 9}">${k}</text>`).join('')}
</svg>
`;
}
