// The trial balance of every currency: customer, external and transit accounts add up to zero
// whenever the books are right.
import { useSession } from '../context';
import { CURRENCIES } from '../types';
import { Card, Money, ProblemBox, useLoad } from './ui';

export function LedgerPage() {
  const { api } = useSession();
  const balances = useLoad(() => Promise.all(CURRENCIES.map((c) => api.trialBalance(c))), []);
  return (
    <Card title="Trial balance" actions={<button onClick={balances.reload}>Refresh</button>}>
      <ProblemBox problem={balances.problem} />
      <table data-testid="trial-balance">
        <thead>
          <tr>
            <th>Currency</th>
            <th class="num">Customer</th>
            <th class="num">External</th>
            <th class="num">Transit</th>
            <th class="num">Total</th>
            <th>Balanced</th>
          </tr>
        </thead>
        <tbody>
          {balances.data?.map((b) => (
            <tr key={b.currency}>
              <td>{b.currency}</td>
              <td class="num">
                <Money amount={b.accounts.customer} />
              </td>
              <td class="num">
                <Money amount={b.accounts.external} />
              </td>
              <td class="num">
                <Money amount={b.accounts.transit} />
              </td>
              <td class="num">
                <Money amount={b.total} />
              </td>
              <td class={b.balanced ? 'good' : 'bad'}>{b.balanced ? '✓ balanced' : '✗ NOT balanced'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
