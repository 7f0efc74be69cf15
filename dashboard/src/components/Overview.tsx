// Accounts: the open-account form, the list with its filters, and the latest events as they arrive.
import { useRef, useState } from 'preact/hooks';
import type { AccountFilter } from '../api';
import { useSession } from '../context';
import { hrefOf } from '../route';
import { CURRENCIES, type Account, type StreamEvent } from '../types';
import { LiveIndicator, useStream } from './live';
import { Badge, Card, CursorPager, formFields, Money, ProblemBox, time, useLoad, useSubmit } from './ui';

export function Overview() {
  const [filter, setFilter] = useState<AccountFilter>({ limit: 20 });
  const [pages, setPages] = useState<string[]>([]); // cursors of the pages before this one
  const [feed, setFeed] = useState<StreamEvent[]>([]);
  const { api } = useSession();
  const list = useLoad(() => api.accounts(filter), [filter]);
  const refresh = useRef<ReturnType<typeof setTimeout>>();

  const stream = useStream(undefined, (event) => {
    setFeed((f) => [event, ...f].slice(0, 15));
    // A burst of events reloads the list once.
    clearTimeout(refresh.current);
    refresh.current = setTimeout(list.reload, 300);
  });

  return (
    <div class="grid">
      <div class="col-main">
        <Card title="Accounts" actions={<LiveIndicator state={stream} />}>
          <form
            class="filters"
            onSubmit={(e) => {
              const f = formFields(e);
              setPages([]);
              setFilter({ limit: 20, ownerId: f.ownerId, status: f.status, currency: f.currency });
            }}
          >
            <input name="ownerId" placeholder="Owner id" aria-label="Owner id" />
            <select name="status" aria-label="Status">
              <option value="">any status</option>
              <option>ACTIVE</option>
              <option>FROZEN</option>
              <option>CLOSED</option>
            </select>
            <select name="currency" aria-label="Currency">
              <option value="">any currency</option>
              {CURRENCIES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
            <button type="submit">Search</button>
          </form>
          <ProblemBox problem={list.problem} />
          <AccountTable accounts={list.data?.items ?? []} />
          <CursorPager
            cursors={pages}
            next={list.data?.nextCursor}
            go={(list, cursor) => {
              setPages(list);
              setFilter({ ...filter, cursor });
            }}
          />
        </Card>
      </div>
      <div class="col-side">
        <OpenAccountForm onOpened={list.reload} />
        <Card title="Latest events">
          {feed.length === 0 ? <p class="muted">Events appear here as they are written.</p> : null}
          <ul class="feed" data-testid="feed">
            {feed.map((e) => (
              <li key={e.position}>
                <span class="event-type">{e.type}</span>{' '}
                {e.accountId ? <a href={hrefOf.account(e.accountId)}>{e.accountId}</a> : e.transferId}
                <span class="muted">
                  {' '}
                  v{e.version} · {time(e.occurredAt)}
                </span>
              </li>
            ))}
          </ul>
        </Card>
      </div>
    </div>
  );
}

function AccountTable({ accounts }: { accounts: Account[] }) {
  return (
    <table data-testid="accounts">
      <thead>
        <tr>
          <th>Account</th>
          <th>Owner</th>
          <th>Type</th>
          <th>Status</th>
          <th class="num">Balance</th>
        </tr>
      </thead>
      <tbody>
        {accounts.length === 0 ? (
          <tr>
            <td colSpan={5} class="muted">
              No accounts match.
            </td>
          </tr>
        ) : null}
        {accounts.map((a) => (
          <tr key={a.accountId} data-account={a.accountId}>
            <td>
              <a href={hrefOf.account(a.accountId)}>{a.accountId}</a>
            </td>
            <td>
              {a.ownerName} <span class="muted">({a.ownerId})</span>
            </td>
            <td>{a.type}</td>
            <td>
              <Badge value={a.status} />
            </td>
            <td class="num">
              <Money amount={a.balance} currency={a.currency} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function OpenAccountForm({ onOpened }: { onOpened: () => void }) {
  const { api } = useSession();
  const open = useSubmit(async (f: Record<string, string>) => {
    const account = await api.open({
      accountId: f.accountId,
      ownerId: f.ownerId ?? '',
      ownerName: f.ownerName ?? '',
      type: f.type === 'SAVINGS' ? 'SAVINGS' : 'CHECKING',
      currency: f.currency ?? 'USD',
      initialDeposit: f.initialDeposit,
      overdraftLimit: f.overdraftLimit,
    });
    // Reads are eventually consistent: wait until the read model holds the new account.
    await api.account(account.accountId, account.version);
    onOpened();
    return account;
  });
  return (
    <Card title="Open an account">
      <form class="stack" data-testid="open-form" onSubmit={(e) => void open.submit(formFields(e))}>
        <input name="ownerId" placeholder="Owner id" aria-label="Owner id" required />
        <input name="ownerName" placeholder="Owner name" aria-label="Owner name" required />
        <div class="row">
          <select name="type" aria-label="Type">
            <option>CHECKING</option>
            <option>SAVINGS</option>
          </select>
          <select name="currency" aria-label="Currency">
            {CURRENCIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </div>
        <div class="row">
          <input name="initialDeposit" placeholder="Initial deposit" aria-label="Initial deposit" inputMode="decimal" />
          <input name="overdraftLimit" placeholder="Overdraft limit" aria-label="Overdraft limit" inputMode="decimal" />
        </div>
        <input name="accountId" placeholder="Account id (optional)" aria-label="Account id" />
        <button type="submit" disabled={open.busy}>
          {open.busy ? 'Opening…' : 'Open account'}
        </button>
      </form>
      <ProblemBox problem={open.problem} />
      {open.result ? (
        <div class="ok" role="status" data-testid="opened">
          Opened <a href={hrefOf.account(open.result.accountId)}>{open.result.accountId}</a> for {open.result.ownerName}
          .
        </div>
      ) : null}
    </Card>
  );
}
