/**
 * Bounds expensive work: at most `running` at a time, at most `waiting` queued behind them; a
 * caller beyond that is refused at once (GateFull) instead of piling up memory and latency.
 */
export class GateFull extends Error {
  override readonly name = 'GateFull';
}

export class Gate {
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly running: number,
    private readonly waiting: number,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.running) {
      if (this.queue.length >= this.waiting) throw new GateFull('too much of this work is in progress');
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      if (next)
        next(); // the slot passes on as it is
      else this.active--;
    }
  }
}
