// The live event stream: how long after a deposit's 201 its event reaches clients of
// GET /api/v1/stream, with several streams open (each a separate connection, as browsers are).
import { percentiles } from '../lib/load.mjs';

/** Opens one SSE stream; calls `onEvent(data)` for each event. Returns a close function. */
async function openStream(url, onEvent) {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
  if (res.status !== 200) throw new Error(`stream answered ${res.status}`);
  const body = res.body;
  if (!body) throw new Error('stream answered without a body');
  void (async () => {
    const decoder = new TextDecoder();
    let text = '';
    try {
      for await (const chunk of body) {
        text += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const data = text
            .slice(0, end)
            .split('\n')
            .find((l) => l.startsWith('data: '));
          text = text.slice(end + 2);
          if (data) onEvent(JSON.parse(data.slice(6)));
        }
      }
    } catch {
      // closed
    }
  })();
  return () => abort.abort();
}

export async function streamDelivery({ urls, accounts, samples, say, streams = 8 }) {
  say(`live stream: ${samples} deposits, one at a time, ${streams} streams open`);
  // accountId -> the deposit in flight on it: when its event reached each stream.
  const waiting = new Map();
  const closers = [];
  for (let i = 0; i < streams; i++) {
    closers.push(
      await openStream(`${urls.queryApi}/api/v1/stream`, (e) => {
        const w = waiting.get(e.accountId);
        if (!w || e.type !== 'MoneyDeposited') return;
        w.arrivals.push(performance.now());
        if (w.arrivals.length === streams) w.resolve();
      }),
    );
  }
  const first = [];
  const all = [];
  let missed = 0;
  try {
    for (let i = 0; i < samples; i++) {
      const id = accounts[i % accounts.length];
      const w = { arrivals: [] };
      const done = new Promise((resolve) => (w.resolve = resolve));
      waiting.set(id, w);
      const res = await fetch(`${urls.commandApi}/api/v1/accounts/${id}/deposits`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"amount":"0.01"}',
      });
      await res.arrayBuffer();
      // From the 201, as the read-your-writes lag: an event that came before it counts as 0.
      const answered = performance.now();
      const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 5_000));
      if ((await Promise.race([done, timeout])) === 'timeout') missed++;
      else {
        first.push(Math.max(0, Math.min(...w.arrivals) - answered));
        all.push(Math.max(0, Math.max(...w.arrivals) - answered));
      }
      waiting.delete(id);
    }
  } finally {
    for (const close of closers) close();
  }
  return { streams, firstStream: percentiles(first), allStreams: percentiles(all), missed };
}
