/**
 * The client side of a read-model rebuild, shared by `npm run projections:rebuild`
 * (scripts/rebuild.mjs) and the Kubernetes Job (rebuild-job.ts): starts the rebuild through the
 * projections app's route (Dapr service invocation) and follows it to the end, printing its
 * progress. Returns the process's exit code: 0 rebuilt and switched, 1 failed, 2 another rebuild
 * is running.
 */
export type RebuildCall = (method: 'GET' | 'POST') => Promise<{ status: number; body: RebuildStatus }>;

type RebuildStatus = {
  generation?: number;
  previousGeneration?: number;
  state?: 'running' | 'succeeded' | 'failed';
  phase?: string;
  headTx: number;
  positionTx: number;
  progressTx?: number;
  events: number;
  eventsPerSecond: number;
  etaSeconds?: number | null;
  startedAt: string;
  finishedAt: string;
  error?: string;
  detail?: string;
};

export type RebuildOutput = { log: (line: string) => void; error: (line: string) => void; tty: boolean };

/** The rebuild route at `endpoint` (Dapr service invocation of the projections app), called with `headers`. */
export function httpRebuildCall(endpoint: string, headers: () => Promise<Record<string, string>>): RebuildCall {
  return async (method) => {
    const res = await fetch(endpoint, { method, headers: await headers(), signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = { detail: text };
    }
    return { status: res.status, body };
  };
}

const POLL_MS = 500;
const LINE_EVERY_MS = 2_000;
const LOST_CONTACT_MS = 10 * 60_000;

export async function followRebuild(call: RebuildCall, out: RebuildOutput): Promise<0 | 1 | 2> {
  const started = await call('POST');
  if (started.status === 409) {
    out.error(`Refused: ${started.body.detail ?? JSON.stringify(started.body)}`);
    return 2;
  }
  if (started.status !== 202) {
    out.error(`The projections app answered ${started.status}: ${JSON.stringify(started.body)}`);
    return 1;
  }
  const t0 = Date.now();
  out.log(
    `Rebuilding the read model into generation ${started.body.generation} ` +
      `(queries keep reading the live one until the switch) ...`,
  );
  let lastLine = 0;
  let lastPhase: string | undefined;
  let lastText: string | undefined;
  for (;;) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const answer = await call('GET').catch((err: Error) => ({ status: 0, body: { error: err.message } }));
    if (answer.status !== 200) {
      if (Date.now() - t0 > LOST_CONTACT_MS) {
        throw new Error(`lost contact with the projections app: ${(answer.body as { error?: string }).error}`);
      }
      continue; // a restart of the sidecar or app: keep asking
    }
    const s = answer.body as RebuildStatus;
    if (s.generation !== started.body.generation) {
      out.error(`The projections app no longer knows this rebuild (restarted?): ${JSON.stringify(s)}`);
      return 1;
    }
    const line = describe(s);
    if (out.tty) process.stdout.write(`\r${line}\x1b[K`);
    else if (
      (line !== lastText && Date.now() - lastLine >= LINE_EVERY_MS) ||
      s.phase !== lastPhase ||
      s.state !== 'running'
    ) {
      out.log(line);
      lastLine = Date.now();
      lastText = line;
    }
    lastPhase = s.phase;
    if (s.state === 'running') continue;
    if (out.tty) process.stdout.write('\n');
    const seconds = (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000;
    if (s.state === 'succeeded') {
      out.log(
        `Rebuilt generation ${s.generation} from ${s.positionTx} log transactions: ${s.events} events in ` +
          `${seconds.toFixed(1)} s (${s.eventsPerSecond} events/s while projecting; the rest is waiting for every process ` +
          `to see the switch). It is live; generation ${s.previousGeneration} will be dropped shortly.`,
      );
      return 0;
    }
    out.error(`Rebuild failed after ${seconds.toFixed(1)} s: ${s.error}`);
    return 1;
  }
}

function bar(fraction: number, width = 30): string {
  const filled = Math.round(Math.min(Math.max(fraction, 0), 1) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function eta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return 'ETA ?';
  return seconds >= 60
    ? `ETA ${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`
    : `ETA ${seconds}s`;
}

function describe(s: RebuildStatus): string {
  const at = s.progressTx ?? s.positionTx;
  const fraction = s.headTx > 0 ? at / s.headTx : 0;
  return (
    `${bar(fraction)} ${(fraction * 100).toFixed(1).padStart(5)}%  ` +
    `tx ${at}/${s.headTx}  ${s.events} events  ${s.eventsPerSecond} events/s  ` +
    `${s.phase === 'projecting' ? eta(s.etaSeconds) : s.phase}`
  );
}
