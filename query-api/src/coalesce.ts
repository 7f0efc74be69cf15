/**
 * Request coalescing for reads many clients ask at once (the top accounts' scan, the books): requests
 * for the same key share one computation instead of each running its own, so 16 clients asking
 * at once cost the database one scan, not 16.
 *
 * No answer is older than its request: a request that arrives while a computation is running
 * does not take that computation's result (it may have read the data before the request came),
 * it waits for the next one, which starts when the running one ends and is shared by every
 * request that arrived meanwhile. So at most one computation per key runs at a time, and one
 * more waits.
 *
 * With `minIntervalMs`, computations of one key also start at least that far apart: however many
 * requests come, a key costs at most one scan per interval (a cost cap), and a request waits at
 * most about one interval longer. A computation that is still waiting for its turn has read
 * nothing yet, so a request that arrives meanwhile shares it.
 *
 * With `maxAgeMs`, a request may instead take the result of the last computation if it started at
 * most that long before the request arrived: an answer "as of" at most that age, at no cost.
 */
export type CoalescerOptions = {
  /** Least time between the starts of two computations of one key (0: none). */
  minIntervalMs?: number;
  /** How long before a request the computation whose result it takes may have started (0: after it arrived). */
  maxAgeMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

type Round<T> = { readonly promise: Promise<T>; readonly started: boolean };

export class Coalescer<T> {
  private readonly byKey = new Map<string, { running: Round<T>; next?: Round<T> }>();
  /** When the last computation of each key started (keys are few: currencies, limits). */
  private readonly lastStart = new Map<string, number>();
  /** The result of the latest computation of each key that succeeded, and when it started. */
  private readonly lastResult = new Map<string, { startedAt: number; value: T }>();
  private readonly minIntervalMs: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(opts: CoalescerOptions = {}) {
    this.minIntervalMs = opts.minIntervalMs ?? 0;
    this.maxAgeMs = opts.maxAgeMs ?? 0;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  run(key: string, compute: () => Promise<T>): Promise<T> {
    const last = this.lastResult.get(key);
    if (last && this.maxAgeMs > 0 && this.now() - last.startedAt <= this.maxAgeMs) return Promise.resolve(last.value);
    const state = this.byKey.get(key);
    if (!state) {
      const running = this.round(key, compute);
      this.byKey.set(key, { running });
      this.whenSettled(running.promise, () => this.advance(key, running));
      return running.promise;
    }
    // Still waiting for its turn: it has read nothing yet, so its answer is not older than this request.
    if (!state.running.started) return state.running.promise;
    // Starts once the running computation has settled, whatever its outcome.
    state.next ??= this.round(key, compute, state.running.promise);
    return state.next.promise;
  }

  /** One computation: after `after` settles, and no sooner than the interval allows. */
  private round(key: string, compute: () => Promise<T>, after?: Promise<T>): Round<T> {
    let started = false;
    const promise = (async (): Promise<T> => {
      if (after) await after.then(noop, noop);
      const wait = (this.lastStart.get(key) ?? -Infinity) + this.minIntervalMs - this.now();
      if (wait > 0) await this.sleep(wait);
      started = true;
      const startedAt = this.now();
      this.lastStart.set(key, startedAt);
      const value = await compute();
      if (startedAt >= (this.lastResult.get(key)?.startedAt ?? -Infinity))
        this.lastResult.set(key, { startedAt, value });
      return value;
    })();
    return {
      promise,
      get started() {
        return started;
      },
    };
  }

  private advance(key: string, finished: Round<T>): void {
    const state = this.byKey.get(key);
    if (!state || state.running !== finished) return;
    if (!state.next) {
      this.byKey.delete(key);
      return;
    }
    const running = state.next;
    this.byKey.set(key, { running });
    this.whenSettled(running.promise, () => this.advance(key, running));
  }

  /** Runs `then` after `p` settles, without creating a promise that could reject unhandled. */
  private whenSettled(p: Promise<T>, then: () => void): void {
    p.then(then, then);
  }
}

const noop = () => undefined;
