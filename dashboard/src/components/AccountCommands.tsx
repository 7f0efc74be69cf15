// Commands on one account: deposit, withdraw, freeze or unfreeze, close. A refusal shows the
// server's problem (title, detail, code) under the form that caused it.
import type { Account, Movement } from '../types';
import { useSession } from '../context';
import { Card, formFields, ProblemBox, useSubmit } from './ui';

export function AccountCommands({ account, onDone }: { account: Account; onDone: (version: number) => void }) {
  const { api } = useSession();
  const id = account.accountId;
  const status = useSubmit((action: 'freeze' | 'unfreeze' | 'close', reason?: string) =>
    action === 'freeze' ? api.freeze(id, reason) : action === 'unfreeze' ? api.unfreeze(id) : api.close(id),
  );
  const done = (r: { version: number } | undefined) => r && onDone(r.version);

  return (
    <Card title="Commands">
      <MovementForm
        kind="deposit"
        account={account}
        send={(body) => api.deposit(id, body)}
        done={done}
        labels={{ title: 'Deposit', field: 'Deposit', verb: 'Deposited' }}
      />
      <MovementForm
        kind="withdraw"
        account={account}
        send={(body) => api.withdraw(id, body)}
        done={done}
        labels={{ title: 'Withdraw', field: 'Withdrawal', verb: 'Withdrew' }}
      />
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

/** A deposit or a withdrawal: amount and description, the result or the server's problem. */
function MovementForm(props: {
  kind: 'deposit' | 'withdraw';
  account: Account;
  send: (body: { amount: string; description?: string }) => Promise<Movement>;
  done: (r: { version: number } | undefined) => void;
  labels: { title: string; field: string; verb: string };
}) {
  const { kind, account, labels } = props;
  const movement = useSubmit((f: Record<string, string>) =>
    props.send({ amount: f.amount ?? '', description: f.description }),
  );
  return (
    <form
      class="stack"
      data-testid={`${kind}-form`}
      onSubmit={(e) => void movement.submit(formFields(e)).then(props.done)}
    >
      <label>{labels.title}</label>
      <div class="row">
        <input
          name="amount"
          placeholder={`Amount (${account.currency})`}
          aria-label={`${labels.field} amount`}
          required
        />
        <input name="description" placeholder="Description" aria-label={`${labels.field} description`} />
      </div>
      <button type="submit" disabled={movement.busy}>
        {labels.title}
      </button>
      <ProblemBox problem={movement.problem} />
      {movement.result ? (
        <div class="ok" role="status">
          {labels.verb} {movement.result.amount}; balance {movement.result.balance}.
        </div>
      ) : null}
    </form>
  );
}
