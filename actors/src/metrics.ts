/**
 * The actors app's metrics, in the Prometheus text exposition format (version 0.0.4), on
 * GET /metrics. A transfer step refused outright means the books disagree with a transfer: its
 * money stays in transit until someone looks, so it is counted here (and logged at error level)
 * for an alert, instead of being retried in silence.
 */
export class TransferMetrics {
  private readonly refused = new Map<string, number>();
  private readonly unavailable = new Map<string, number>();

  stepRefused(step: string): void {
    this.refused.set(step, (this.refused.get(step) ?? 0) + 1);
  }

  stepUnavailable(step: string): void {
    this.unavailable.set(step, (this.unavailable.get(step) ?? 0) + 1);
  }

  prometheusText(): string {
    const counter = (name: string, help: string, values: Map<string, number>) =>
      [
        `# HELP ${name} ${help}`,
        `# TYPE ${name} counter`,
        ...['credit', 'finish'].map((step) => `${name}{step="${step}"} ${values.get(step) ?? 0}`),
        '',
      ].join('\n');
    return (
      counter(
        'bank_transfer_step_refusals_total',
        'Transfer steps refused outright by an account (the transfer stays in flight; alert on any)',
        this.refused,
      ) +
      counter(
        'bank_transfer_step_unavailable_total',
        'Transfer steps not completed because a part was unavailable (retried by the reminder)',
        this.unavailable,
      )
    );
  }
}
