/**
 * A Server-Sent Events client for tests: opens a stream with fetch (so it can send a bearer
 * token and Last-Event-ID), parses frames as they arrive, and lets a test wait for them.
 */
export type SseFrame = { id?: string; event?: string; data?: string; comment?: string; retry?: number };

export type SseConnection = {
  status: number;
  headers: Headers;
  /** The frames received so far (comments included), in order. */
  frames: SseFrame[];
  /** The event frames (those with data) received so far. */
  events(): SseFrame[];
  /** Resolves once `predicate` holds for the frames received, or rejects after `ms`. */
  until(predicate: (frames: SseFrame[]) => boolean, ms?: number): Promise<SseFrame[]>;
  /** The body, when the answer was not a stream (a problem document). */
  body?: unknown;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close(): void;
};

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const frames: SseFrame[] = [];
  const listeners = new Set<() => void>();
  const conn: SseConnection = {
    status: res.status,
    headers: res.headers,
    frames,
    events: () => frames.filter((f) => f.data !== undefined),
    until(predicate, ms = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(frames)) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(frames);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`stream: condition not met within ${ms} ms; frames: ${JSON.stringify(frames)}`));
        }, ms);
        listeners.add(check);
        check();
      });
    },
    ended: Promise.resolve(),
    close: () => abort.abort(),
  };
  if (!res.headers.get('content-type')?.startsWith('text/event-stream')) {
    conn.body = await res.json().catch(() => undefined);
    return conn;
  }
  conn.ended = (async () => {
    const decoder = new TextDecoder();
    let text = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = text.indexOf('\n\n')) >= 0) {
          frames.push(parseFrame(text.slice(0, end)));
          text = text.slice(end + 2);
        }
        for (const listener of [...listeners]) listener();
      }
    } catch {
      // closed by the test
    }
  })();
  return conn;
}

function parseFrame(block: string): SseFrame {
  const frame: SseFrame = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    else {
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') frame.id = value;
      else if (field === 'event') frame.event = value;
      else if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
      else if (field === 'retry') frame.retry = Number(value);
    }
  }
  return frame;
}
