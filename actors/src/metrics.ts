import { Counter, metricsRegistry, registered, type Registry } from '@bank/service-kit';

const STEPS = ['credit', 'finish'];

const counter = (registry: Registry, name: string, help: string) =>
  registered(registry, name, () => {
    const c = new Counter({ name, help, labelNames: ['step'], registers: [registry] });
    for (const step of STEPS) c.inc({ step }, 0); // shown at 0 before the first one
    return c;
  });

/**
 * The Transfer actor's counters, on the actors app's GET /metrics. A transfer step refused
 * outright means the books disagree with a transfer: its money stays in transit until someone
 * looks, so it is counted here (and logged at error level) for an alert, instead of being
 * retried in silence.
 */
export class TransferMetrics {
  private readonly refused: Counter;
  private readonly unavailable: Counter;

  constructor(registry: Registry = metricsRegistry) {
    this.refused = counter(
      registry,
      'bank_transfer_step_refusals_total',
      'Transfer steps refused outright by an account (the transfer stays in flight; alert on any)',
    );
    this.unavailable = counter(
      registry,
      'bank_transfer_step_unavailable_total',
      'Transfer steps not completed because a part was unavailable (retried by the reminder)',
    );
  }

  stepRefused(step: string): void {
    this.refused.inc({ step });
  }

  stepUnavailable(step: string): void {
    this.unavailable.inc({ step });
  }
}
