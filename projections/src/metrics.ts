/**
 * The projections app's metrics, on its GET /metrics with the rest of the process's (see
 * service-kit metrics.ts): the lag and rebuild gauges, read when scraped, and the live
 * projection's throughput.
 */
import { Counter, Gauge, Histogram, metricsRegistry, registered, type Registry } from '@bank/service-kit';
import type { LagSnapshot } from './lag';
import type { RebuildStatus } from './rebuild';
import type { SweepStatus } from './transfer-sweep';

export type GaugeSources = {
  lag: () => LagSnapshot;
  rebuild: () => RebuildStatus;
  sweep?: () => SweepStatus;
};

/** A gauge without labels whose value is read when scraped; left out while `read` says undefined. */
function scrapedGauge(registry: Registry, name: string, help: string, read: () => number | undefined): void {
  registered(
    registry,
    name,
    () =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          const value = read();
          if (value === undefined) this.remove();
          else this.set(value);
        },
      }),
  );
}

/** Registers the lag, rebuild and sweep gauges (same names as before prom-client, see docs/operations.md). */
export function registerProjectionGauges(sources: GaugeSources, registry: Registry = metricsRegistry): void {
  // Until the first probe ran, the lag is unknown: leave its gauges out rather than report 0.
  const lag = (value: (l: LagSnapshot) => number) => () => {
    const l = sources.lag();
    return l.measuredAt === null ? undefined : value(l);
  };
  const swept = (value: (s: SweepStatus) => number) => () => {
    const s = sources.sweep?.();
    return s?.sweptAt ? value(s) : undefined;
  };
  const gauges: [string, string, () => number | undefined][] = [
    ['bank_projection_lag_events', 'Events in the log not yet in the live read model', lag((l) => l.behindEvents)],
    [
      'bank_projection_lag_seconds',
      'Age of the oldest event in the log not yet in the live read model (0 when none)',
      lag((l) => l.behindMs / 1000),
    ],
    ['bank_projection_lag_transactions', 'Log transactions after the applied position', lag((l) => l.behindTxs)],
    ['bank_projection_log_head_tx', 'Last committed log transaction', lag((l) => l.headTx)],
    [
      'bank_projection_applied_tx',
      'Highest log transaction up to which every event is in the live read model',
      lag((l) => l.appliedTx),
    ],
    [
      'bank_projection_lag_measured_timestamp_seconds',
      'When the lag was last measured (Unix time)',
      lag((l) => Date.parse(l.measuredAt!) / 1000),
    ],
    ['bank_read_model_generation', 'The live read-model generation', () => sources.lag().generation],
    [
      'bank_read_model_rebuild_running',
      '1 while a read-model rebuild runs in this process',
      () => (sources.rebuild().state === 'running' ? 1 : 0),
    ],
    [
      'bank_read_model_rebuild_position_tx',
      'Log transaction the current or last rebuild reached',
      () => sources.rebuild().positionTx,
    ],
    [
      'bank_transfers_stuck',
      'Transfers still PENDING long after they started, found by the last sweep (each was resumed; alert when this stays above 0)',
      swept((s) => s.stuck),
    ],
    [
      'bank_transfer_sweep_timestamp_seconds',
      'When unfinished transfers were last looked for (Unix time)',
      swept((s) => Date.parse(s.sweptAt!) / 1000),
    ],
  ];
  for (const [name, help, read] of gauges) scrapedGauge(registry, name, help, read);
}

/** What the live projection does with the messages the relay publishes. */
export class ProjectionMetrics {
  private readonly events: Counter;
  private readonly batches: Counter;
  private readonly duration: Histogram;

  constructor(registry: Registry = metricsRegistry) {
    this.events = registered(
      registry,
      'bank_projection_events_applied_total',
      () =>
        new Counter({
          name: 'bank_projection_events_applied_total',
          help: 'Account events applied to the live read model from pub/sub messages (duplicates skipped included)',
          registers: [registry],
        }),
    );
    this.batches = registered(
      registry,
      'bank_projection_batches_total',
      () =>
        new Counter({
          name: 'bank_projection_batches_total',
          help: 'Pub/sub messages handled, by outcome (applied, retry: failed and left to redelivery, dropped: unreadable)',
          labelNames: ['outcome'],
          registers: [registry],
        }),
    );
    this.duration = registered(
      registry,
      'bank_projection_batch_duration_seconds',
      () =>
        new Histogram({
          name: 'bank_projection_batch_duration_seconds',
          help: 'Time to apply one message (to every generation it is written to)',
          buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers: [registry],
        }),
    );
  }

  /** Starts timing one message; call the result with its outcome and the events it applied. */
  batch(): (outcome: 'applied' | 'retry' | 'dropped', events?: number) => void {
    const stop = this.duration.startTimer();
    return (outcome, events = 0) => {
      this.batches.inc({ outcome });
      if (outcome === 'applied') {
        stop();
        this.events.inc(events);
      }
    };
  }
}
