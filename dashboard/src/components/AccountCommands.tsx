// Commands on one account: deposit, withdraw, freeze or unfreeze, close. A refusal shows the
// server's problem (title, detail, code) under the form that caused it.
import type { Account } from '../types';
import { useSession } from '../context';
import { Card, formFields, ProblemBox, useSubmit } from './ui';

export function AccountCommands({ account, onDone }: { account: Account; onDone: (version: number) => void }) {
  const { api } = useSession();
  const id = account.accountId;
  const deposit = useSubmit((f: Record<string, string>) =>
    api.deposit(id, { amount: f.amount ?? '', description: f.description }),
  );
  const withdraw = useSubmit((f: Record<string, string>) =>
    api.withdraw(id, { amount: f.amount ?? '', description: f.description }),
  );
  const status = useSubmit((action: 'freeze' | 'unfreeze' | 'close', reason?: string) =>
    action === 'freeze' ? api.freeze(id, reason) : action === 'unfreeze' ? api.unfreeze(id) : api.close(id),
  );
  const done = (r: { version: number } | undefined) => r && onDone(r.version);

  return (
    <Card title="Commands">
      <form class="stack" data-testid="deposit-form" onSubmit={(e) => void deposit.submit(formFields(e)).then(done)}>
        <label>Deposit</label>
        <div class="row">
          <input name="amount" placeholder={`Amount (${account.currency})`} aria-label="Deposit amount" required />
          <input name="description" placeholder="Description" aria-label="Deposit description" />
        </div>
        <button type="submit" disabled={deposit.busy}>
          Deposit
        </button>
        <ProblemBox problem={deposit.problem} />
        {deposit.result ? (
          <div class="ok" role="status">
            Deposited {deposit.result.amount}; balance {deposit.result.balance}.
          </div>
        ) : null}
      </form>
      <form class="stack" data-testid="withdraw-form" onSubmit={(e) => void withdraw.submit(formFields(e)).then(done)}>
        <label>Withdraw</label>
        <div class="row">
          <input name="amount" placeholder={`Amount (${account.currency})`} aria-label="Withdrawal amount" required />
          <input name="description" placeholder="Description" aria-label="Withdrawal description" />
        </div>
        <button type="submit" disabled={withdraw.busy}>
          Withdraw
        </button>
        <ProblemBox problem={withdraw.problem} />
        {withdraw.result ? (
          <div class="ok" role="status">
            Withdrew {withdraw.result.amount}; balance {withdraw.result.balance}.
          </div>
        ) : null}
      </form>
      <form
        class="stack"
        data-testid="status-form"
        onSubmit={(e) => {
          const f = formFields(e);
          const submitter = (e as SubmitEvent).submitter as HTMLButtonElement | null;
          const action = (submitter?.value ?? 'freeze') as 'freeze' | 'unfreeze' | 'close';
          void status.submit(action, f.reason).then(done);
        }}
      >
        <label>Status</label>
        <input name="reason" placeholder="Reason for freezing" aria-label="Freeze reason" />
        <div class="row">
          <button type="submit" value="freeze" disabled={status.busy || account.status !== 'ACTIVE'}>
            Freeze
          </button>
          <button type="submit" value="unfreeze" disabled={status.busy || account.status !== 'FROZEN'}>
            Unfreeze
          </button>
          <button type="submit" value="close" class="danger" disabled={status.busy || account.status === 'CLOSED'}>
            Close
          </button>
        </div>
        <ProblemBox problem={status.problem} />
        {status.result ? (
          <div class="ok" role="status">
            Account is now {status.result.status}.
          </div>
        ) : null}
      </form>
    </Card>
  );
}
