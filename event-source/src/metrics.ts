/**
 * The event log's metrics, on event-source's GET /metrics with the rest of the process's (see
 * service-kit metrics.ts): appends by outcome, how group commit fills ImmuDB transactions, and
 * what the relay publishes.
 */
import { Counter, Gauge, Histogram, metricsRegistry, registered, type Registry } from '@bank/service-kit';
import type { AppendResult } from '@bank/contracts';

/** One ImmuDB transaction tried by group commit. */
export type CommitObservation = {
  /** Appends (with their preconditions) carried by the transaction. */
  writes: number;
  /** Key-value entries written: events, idempotency records, checkpoints. */
  entries: number;
  seconds: number;
  outcome: 'committed' | 'precondition_failed' | 'error';
};

export type CommitObserver = (commit: CommitObservation) => void;

const counter = (registry: Registry, name: string, help: string, labelNames: string[] = []) =>
  registered(registry, name, () => new Counter({ name, help, labelNames, registers: [registry] }));
const histogram = (registry: Registry, name: string, help: string, buckets: number[]) =>
  registered(
    registry,
    name,
    () => new Histogram({ name, help, labelNames: ['outcome'], buckets, registers: [registry] }),
  );

export class EventLogMetrics {
  private readonly appends: Counter;
  private readonly commits: Counter;
  private readonly commitWrites: Histogram;
  private readonly commitEntries: Histogram;
  private readonly commitSeconds: Histogram;
  private readonly publishedEvents: Counter;
  private readonly publishedMessages: Counter;

  constructor(private readonly registry: Registry = metricsRegistry) {
    this.appends = counter(
      registry,
      'bank_event_log_appends_total',
      'Appends answered, by outcome (appended, duplicate, version_conflict, idempotency_key_exists, error)',
      ['outcome'],
    );
    this.commits = counter(
      registry,
      'bank_event_log_commits_total',
      'ImmuDB transactions tried by group commit, by outcome (committed, precondition_failed, error)',
      ['outcome'],
    );
    this.commitWrites = histogram(
      registry,
      'bank_event_log_commit_writes',
      'Appends per ImmuDB transaction (group commit batch size), by outcome',
      [1, 2, 4, 8, 16, 32, 64],
    );
    this.commitEntries = histogram(
      registry,
      'bank_event_log_commit_entries',
      'Key-value entries per ImmuDB transaction, by outcome',
      [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    );
    this.commitSeconds = histogram(
      registry,
      'bank_event_log_commit_duration_seconds',
      'Time of one ImmuDB transaction (a synced commit), by outcome',
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    );
    this.publishedEvents = counter(
      registry,
      'bank_relay_published_events_total',
      'Events published to pub/sub by the relay',
    );
    this.publishedMessages = counter(
      registry,
      'bank_relay_published_messages_total',
      'Pub/sub messages published by the relay',
    );
  }

  readonly commit: CommitObserver = ({ writes, entries, seconds, outcome }) => {
    this.commits.inc({ outcome });
    this.commitWrites.observe({ outcome }, writes);
    this.commitEntries.observe({ outcome }, entries);
    this.commitSeconds.observe({ outcome }, seconds);
  };

  append(result: AppendResult | 'error'): void {
    const outcome =
      result === 'error'
        ? 'error'
        : result.ok
          ? result.duplicate
            ? 'duplicate'
            : 'appended'
          : result.code.toLowerCase();
    this.appends.inc({ outcome });
  }

  published(events: number): void {
    this.publishedMessages.inc();
    this.publishedEvents.inc(events);
  }

  /** The relay's cursor and the log's head as it knows it, read when scraped. */
  relayPosition(status: () => { cursorTx: number; headTx: number }): void {
    const gauge = (name: string, help: string, read: (s: { cursorTx: number; headTx: number }) => number) =>
      registered(
        this.registry,
        name,
        () =>
          new Gauge({
            name,
            help,
            registers: [this.registry],
            collect() {
              this.set(read(status()));
            },
          }),
      );
    gauge('bank_relay_cursor_tx', 'Last log transaction the relay published', (s) => s.cursorTx);
    gauge(
      'bank_relay_lag_transactions',
      'Log transactions committed and not yet published by the relay',
      (s) => s.headTx - s.cursorTx,
    );
  }
}
