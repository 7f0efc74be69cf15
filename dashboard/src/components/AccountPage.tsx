// One account: balance and status, its totals, the daily-balance chart, the history, the
// commands, and the audit trail's verification; it follows the account's events live.
import { useState } from 'preact/hooks';
import { lastDays } from '../chart';
import { useSession } from '../context';
import { hrefOf } from '../route';
import type { StreamEvent } from '../types';
import { AccountCommands } from './AccountCommands';
import { AuditPanel } from './AuditPanel';
import { BalanceChart } from './BalanceChart';
import { History } from './History';
import { LiveIndicator, useStream } from './live';
import { Badge, Card, Money, ProblemBox, time, useLoad } from './ui';

export function AccountPage({ accountId }: { accountId: string }) {
  const { api, claims } = useSession();
  // The newest version this page knows of (from the stream or a command's answer): every read
  // asks the read model for at least that version, so what the page shows never goes back.
  const [seen, setSeen] = useState<number | undefined>(undefined);
  const [lastEvent, setLastEvent] = useState<StreamEvent | undefined>(undefined);
  const account = useLoad(() => api.account(accountId, seen), [accountId, seen]);
  const summary = useLoad(() => api.summary(accountId, seen), [accountId, seen]);
  const days = lastDays(30);
  const daily = useLoad(() => api.dailyBalances(accountId, days.from, days.to, seen), [accountId, seen]);
  const advance = (version: number) => setSeen((s) => (s === undefined || version > s ? version : s));

  const stream = useStream(accountId, (event) => {
    if (event.accountId !== accountId) return;
    setLastEvent(event);
    advance(event.version);
  });

  const a = account.data;
  const s = summary.data;
  const canCommand = claims.roles.some((r) => r === 'teller' || r === 'admin' || r === 'customer');
  const canAudit = claims.roles.some((r) => r === 'auditor' || r === 'admin');
  return (
    <div class="grid">
      <div class="col-main">
        <Card
          title={`Account ${accountId}`}
          actions={
            <span class="head-actions">
              <LiveIndicator state={stream} />
              <a href={hrefOf.transfers(accountId)}>Transfers</a>
            </span>
          }
        >
          <ProblemBox problem={account.problem} />
          {a ? (
            <div class="account-head">
              <div>
                <div class="balance" data-testid="balance">
                  <Money amount={a.balance} currency={a.currency} />
                </div>
                <div class="muted">
                  overdraft limit {a.overdraftLimit} · version <span data-testid="version">{a.version}</span>
                </div>
              </div>
              <dl class="facts">
                <dt>Owner</dt>
                <dd>
                  {a.ownerName} ({a.ownerId})
                </dd>
                <dt>Type</dt>
                <dd>{a.type}</dd>
                <dt>Status</dt>
                <dd data-testid="status">
                  <Badge value={a.status} />
                </dd>
                <dt>Opened</dt>
                <dd>{time(a.openedAt)}</dd>
              </dl>
            </div>
          ) : null}
          {lastEvent ? (
            <div class="muted last-event" data-testid="last-event">
              Last event: {lastEvent.type} (v{lastEvent.version}) at {time(lastEvent.occurredAt)}
            </div>
          ) : null}
          {s ? (
            <div class="tiles">
              <Tile label="Deposits" value={s.totalDeposits} />
              <Tile label="Withdrawals" value={s.totalWithdrawals} />
              <Tile label="Transfers in" value={s.totalTransfersIn} />
              <Tile label="Transfers out" value={s.totalTransfersOut} />
              <Tile label="Transactions" value={String(s.transactionCount)} />
            </div>
          ) : null}
        </Card>
        <Card title="Daily balance (last 30 days, UTC)">
          <ProblemBox problem={daily.problem} />
          {daily.data ? <BalanceChart days={daily.data.items} currency={a?.currency ?? ''} /> : null}
        </Card>
        <History accountId={accountId} seen={seen} />
      </div>
      <div class="col-side">
        {canCommand && a ? <AccountCommands account={a} onDone={advance} /> : null}
        {canAudit ? <AuditPanel accountId={accountId} seen={seen} /> : null}
      </div>
    </div>
  );
}

function Tile({ label, value }: { label: string; value: string }) {
  return (
    <div class="tile">
      <div class="tile-label">{label}</div>
      <div class="tile-value">{value}</div>
    </div>
  );
}
