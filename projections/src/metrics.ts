import type { LagSnapshot } from './lag';
import type { RebuildStatus } from './rebuild';
import type { SweepStatus } from './transfer-sweep';

type Gauge = { name: string; help: string; value: number };

/** The projections app's metrics in the Prometheus text exposition format (version 0.0.4). */
export function prometheusText(lag: LagSnapshot, rebuild: RebuildStatus, sweep?: SweepStatus): string {
  const gauges: Gauge[] = [
    {
      name: 'bank_projection_lag_events',
      help: 'Events in the log not yet in the live read model',
      value: lag.behindEvents,
    },
    {
      name: 'bank_projection_lag_seconds',
      help: 'Age of the oldest event in the log not yet in the live read model (0 when none)',
      value: lag.behindMs / 1000,
    },
    {
      name: 'bank_projection_lag_transactions',
      help: 'Log transactions after the applied position',
      value: lag.behindTxs,
    },
    { name: 'bank_projection_log_head_tx', help: 'Last committed log transaction', value: lag.headTx },
    {
      name: 'bank_projection_applied_tx',
      help: 'Highest log transaction up to which every event is in the live read model',
      value: lag.appliedTx,
    },
    {
      name: 'bank_projection_lag_measured_timestamp_seconds',
      help: 'When the lag was last measured (Unix time)',
      value: lag.measuredAt ? Date.parse(lag.measuredAt) / 1000 : 0,
    },
    { name: 'bank_read_model_generation', help: 'The live read-model generation', value: lag.generation },
    {
      name: 'bank_read_model_rebuild_running',
      help: '1 while a read-model rebuild runs in this process',
      value: rebuild.state === 'running' ? 1 : 0,
    },
    {
      name: 'bank_read_model_rebuild_position_tx',
      help: 'Log transaction the current or last rebuild reached',
      value: rebuild.positionTx,
    },
  ];
  if (sweep?.sweptAt) {
    gauges.push(
      {
        name: 'bank_transfers_stuck',
        help: 'Transfers still PENDING long after they started, found by the last sweep (each was resumed; alert when this stays above 0)',
        value: sweep.stuck,
      },
      {
        name: 'bank_transfer_sweep_timestamp_seconds',
        help: 'When unfinished transfers were last looked for (Unix time)',
        value: Date.parse(sweep.sweptAt) / 1000,
      },
    );
  }
  // Until the first probe ran, the lag is unknown: leave its gauges out rather than report 0.
  const known = lag.measuredAt !== null;
  return gauges
    .filter((g) => known || !/^bank_projection_(lag|log|applied)/.test(g.name))
    .map((g) => `# HELP ${g.name} ${g.help}\n# TYPE ${g.name} gauge\n${g.name} ${g.value}\n`)
    .join('');
}
