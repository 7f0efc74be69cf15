// Transfers: the form (whose result is followed until it completes or fails), and the transfers
// of one account, found in its history and each asked for its status.
import { useEffect, useState } from 'preact/hooks';
import { useSession } from '../context';
import { hrefOf } from '../route';
import type { Transfer } from '../types';
import { Badge, Card, formFields, Money, ProblemBox, time, useLoad, useSubmit } from './ui';

const FINAL = new Set(['COMPLETED', 'FAILED']);

export function TransfersPage({ accountId }: { accountId?: string }) {
  return (
    <div class="grid">
      <div class="col-main">
        <AccountTransfers accountId={accountId} />
      </div>
      <div class="col-side">
        <TransferForm from={accountId} />
      </div>
    </div>
  );
}

function TransferForm({ from }: { from?: string }) {
  const { api } = useSession();
  const start = useSubmit((f: Record<string, string>) =>
    api.startTransfer({
      fromAccountId: f.fromAccountId ?? '',
      toAccountId: f.toAccountId ?? '',
      amount: f.amount ?? '',
      description: f.description,
    }),
  );
  return (
    <Card title="New transfer">
      <form class="stack" data-testid="transfer-form" onSubmit={(e) => void start.submit(formFields(e))}>
        <input name="fromAccountId" placeholder="From account" aria-label="From account" value={from} required />
        <input name="toAccountId" placeholder="To account" aria-label="To account" required />
        <input name="amount" placeholder="Amount" aria-label="Transfer amount" required />
        <input name="description" placeholder="Description" aria-label="Transfer description" />
        <button type="submit" disabled={start.busy}>
          Transfer
        </button>
      </form>
      <ProblemBox problem={start.problem} />
      {start.result ? <FollowTransfer initial={start.result} /> : null}
    </Card>
  );
}

/** Polls the transfer's status until it is final. */
function FollowTransfer({ initial }: { initial: Transfer }) {
  const { api } = useSession();
  const [transfer, setTransfer] = useState(initial);
  useEffect(() => {
    setTransfer(initial);
    if (FINAL.has(initial.status)) return undefined;
    let stopped = false;
    void (async () => {
      for (let i = 0; i < 120 && !stopped; i++) {
        await new Promise((r) => setTimeout(r, 500));
        try {
          const t = await api.transfer(initial.transferId);
          if (stopped) return;
          setTransfer(t);
          if (FINAL.has(t.status)) return;
        } catch {
          // not readable yet (404 until the read side knows it): try again
        }
      }
    })();
    return () => {
      stopped = true;
    };
  }, [initial.transferId]);
  return (
    <div class="ok" role="status" data-testid="transfer-result">
      Transfer <code>{transfer.transferId}</code>: <Badge value={transfer.status} />
      {transfer.failureCode ? <code class="problem-code">{transfer.failureCode}</code> : null}
      <div>
        <Money amount={transfer.amount} currency={transfer.currency} /> from{' '}
        <a href={hrefOf.account(transfer.fromAccountId)}>{transfer.fromAccountId}</a> to{' '}
        <a href={hrefOf.account(transfer.toAccountId)}>{transfer.toAccountId}</a>
      </div>
    </div>
  );
}

function AccountTransfers({ accountId }: { accountId?: string }) {
  const { api } = useSession();
  const transfers = useLoad(async () => {
    if (!accountId) return [];
    const history = await api.transactions(accountId, { limit: 100 });
    const ids = [...new Set(history.items.flatMap((t) => (t.transferId ? [t.transferId] : [])))];
    return Promise.all(ids.map((id) => api.transfer(id)));
  }, [accountId]);
  return (
    <Card title={accountId ? `Transfers of ${accountId}` : 'Transfers'}>
      <form
        class="filters"
        onSubmit={(e) => {
          const f = formFields(e);
          if (f.account) location.hash = hrefOf.transfers(f.account);
        }}
      >
        <input name="account" placeholder="Account id" aria-label="Account id" value={accountId} />
        <button type="submit">Show transfers</button>
      </form>
      <ProblemBox problem={transfers.problem} />
      {accountId ? (
        <table data-testid="transfers">
          <thead>
            <tr>
              <th>Created</th>
              <th>From</th>
              <th>To</th>
              <th class="num">Amount</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {transfers.data?.length === 0 ? (
              <tr>
                <td colSpan={5} class="muted">
                  No transfers in the last 100 transactions.
                </td>
              </tr>
            ) : null}
            {transfers.data?.map((t) => (
              <tr key={t.transferId}>
                <td>{time(t.createdAt)}</td>
                <td>
                  <a href={hrefOf.account(t.fromAccountId)}>{t.fromAccountId}</a>
                </td>
                <td>
                  <a href={hrefOf.account(t.toAccountId)}>{t.toAccountId}</a>
                </td>
                <td class="num">
                  <Money amount={t.amount} currency={t.currency} />
                </td>
                <td>
                  <Badge value={t.status} /> {t.failureCode ? <code>{t.failureCode}</code> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">Name an account to list the transfers in its recent history.</p>
      )}
    </Card>
  );
}
