/**
 * Lets a reader of the global log wait for the next commit instead of polling: the append
 * routes report each committed transaction, and `GET /log?waitMs=` (the query API's live stream)
 * waits here until the log has grown past what it has read, or until its time is up.
 */
export class LogWatch {
  private lastTx = 0;
  private readonly waiters = new Set<{ afterTx: number; wake: () => void }>();

  /** @param onCommit told of every commit too (the relay). */
  constructor(private readonly onCommit: (tx: number) => void = () => {}) {}

  /** Transaction `tx` was committed. */
  notify(tx: number): void {
    this.onCommit(tx);
    if (tx <= this.lastTx) return;
    this.lastTx = tx;
    for (const waiter of this.waiters) if (tx > waiter.afterTx) waiter.wake();
  }

  /** Resolves once a transaction after `afterTx` was committed, or after `ms`, or when `signal` aborts. */
  waitBeyond(afterTx: number, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.lastTx > afterTx || ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { afterTx, wake: done };
      const timer = setTimeout(done, ms);
      const waiters = this.waiters;
      signal?.addEventListener('abort', done, { once: true });
      waiters.add(waiter);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        waiters.delete(waiter);
        resolve();
      }
    });
  }

  /** Readers waiting now. */
  get waiting(): number {
    return this.waiters.size;
  }
}
