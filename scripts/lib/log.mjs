// Progress lines for the launcher and the installer: one line per step, with elapsed time.
const t0 = Date.now();

export function elapsed(since = t0) {
  const s = Math.round((Date.now() - since) / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export function say(scope, message) {
  process.stderr.write(`[${scope} +${elapsed()}] ${message}\n`);
}

/** Runs `work` while printing a heartbeat every `everyMs`, so long silent builds show progress. */
export async function withHeartbeat(scope, label, work, everyMs = 20_000) {
  const start = Date.now();
  say(scope, `${label} ...`);
  const timer = setInterval(() => say(scope, `${label} still running (${elapsed(start)})`), everyMs);
  try {
    const result = await work();
    say(scope, `${label} done in ${elapsed(start)}`);
    return result;
  } finally {
    clearInterval(timer);
  }
}

export class FatalError extends Error {}
