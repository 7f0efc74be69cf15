import { Registry } from '@bank/service-kit';
import type { LagSnapshot } from './lag';
import { ProjectionMetrics, registerProjectionGauges } from './metrics';
import type { RebuildStatus } from './rebuild';

const sample = (text: string, series: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`${series} `))
    .map((l) => Number(l.slice(series.length + 1)))[0];

describe('projections metrics', () => {
  it('reads the lag gauges when scraped, and leaves them out until the lag was first measured', async () => {
    const registry = new Registry();
    let lag = {
      generation: 3,
      measuredAt: null,
      behindEvents: 0,
      behindMs: 0,
      behindTxs: 0,
      headTx: 0,
      appliedTx: 0,
    } as unknown as LagSnapshot;
    registerProjectionGauges(
      { lag: () => lag, rebuild: () => ({ state: 'running', positionTx: 12 }) as unknown as RebuildStatus },
      registry,
    );
    let text = await registry.metrics();
    expect(sample(text, 'bank_projection_lag_events')).toBeUndefined();
    expect(sample(text, 'bank_projection_applied_tx')).toBeUndefined();
    expect(sample(text, 'bank_transfers_stuck')).toBeUndefined();
    expect(sample(text, 'bank_read_model_generation')).toBe(3);
    expect(sample(text, 'bank_read_model_rebuild_running')).toBe(1);
    expect(sample(text, 'bank_read_model_rebuild_position_tx')).toBe(12);

    lag = {
      ...lag,
      measuredAt: '2026-12-01T10:00:00.000Z',
      behindEvents: 5,
      behindMs: 1500,
      headTx: 40,
      appliedTx: 38,
    };
    text = await registry.metrics();
    expect(sample(text, 'bank_projection_lag_events')).toBe(5);
    expect(sample(text, 'bank_projection_lag_seconds')).toBe(1.5);
    expect(sample(text, 'bank_projection_log_head_tx')).toBe(40);
    expect(sample(text, 'bank_projection_applied_tx')).toBe(38);
    expect(sample(text, 'bank_projection_lag_measured_timestamp_seconds')).toBe(
      Date.parse('2026-12-01T10:00:00.000Z') / 1000,
    );
  });

  it('counts the live projection throughput: events applied, messages by outcome, time per message', async () => {
    const registry = new Registry();
    const metrics = new ProjectionMetrics(registry);
    metrics.batch()('applied', 7);
    metrics.batch()('applied', 3);
    metrics.batch()('retry');
    const text = await registry.metrics();
    expect(sample(text, 'bank_projection_events_applied_total')).toBe(10);
    expect(sample(text, 'bank_projection_batches_total{outcome="applied"}')).toBe(2);
    expect(sample(text, 'bank_projection_batches_total{outcome="retry"}')).toBe(1);
    expect(sample(text, 'bank_projection_batch_duration_seconds_count')).toBe(2);
  });
});
