/**
 * Request coalescing for reads that cost a scan (the trial balance, top accounts): requests
 * for the same key share one computation instead of each running its own, so 16 clients asking
 * at once cost the database one scan, not 16.
 *
 * No answer is older than its request: a request that arrives while a computation is running
 * does not take that computation's result (it may have read the data before the request came),
 * it waits for the next one, which starts when the running one ends and is shared by every
 * request that arrived meanwhile. So at most one computation per key runs at a time, and one
 * more waits.
 */
export class Coalescer<T> {
  private readonly byKey = new Map<string, { running: Promise<T>; next?: Promise<T> }>();

  run(key: string, compute: () => Promise<T>): Promise<T> {
    const state = this.byKey.get(key);
    if (!state) {
      const running = compute();
      this.byKey.set(key, { running });
      this.whenSettled(running, () => this.advance(key, running));
      return running;
    }
    if (!state.next) {
      // Starts once the running computation has settled, whatever its outcome.
      state.next = state.running.then(compute, compute);
    }
    return state.next;
  }

  private advance(key: string, finished: Promise<T>): void {
    const state = this.byKey.get(key);
    if (!state || state.running !== finished) return;
    if (!state.next) {
      this.byKey.delete(key);
      return;
    }
    const running = state.next;
    this.byKey.set(key, { running });
    this.whenSettled(running, () => this.advance(key, running));
  }

  /** Runs `then` after `p` settles, without creating a promise that could reject unhandled. */
  private whenSettled(p: Promise<T>, then: () => void): void {
    p.then(then, then);
  }
}
