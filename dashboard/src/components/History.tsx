// An account's history with the query API's filters, paged by its cursor.
import { useState } from 'preact/hooks';
import type { HistoryFilter } from '../api';
import { useSession } from '../context';
import { hrefOf } from '../route';
import { TRANSACTION_TYPES } from '../types';
import { Card, CursorPager, formFields, Money, ProblemBox, time, useLoad } from './ui';

const PAGE = 20;

export function History({ accountId, seen }: { accountId: string; seen: number | undefined }) {
  const { api } = useSession();
  const [filter, setFilter] = useState<HistoryFilter>({ limit: PAGE });
  const [cursors, setCursors] = useState<string[]>([]);
  const page = useLoad(() => api.transactions(accountId, { ...filter, minVersion: seen }), [accountId, filter, seen]);
  return (
    <Card title="History">
      <form
        class="filters"
        data-testid="history-filters"
        onSubmit={(e) => {
          const f = formFields(e);
          setCursors([]);
          setFilter({
            limit: PAGE,
            type: f.type,
            from: f.from ? `${f.from}T00:00:00.000Z` : undefined,
            to: f.to ? `${f.to}T23:59:59.999Z` : undefined,
            minAmount: f.minAmount,
            maxAmount: f.maxAmount,
            order: f.order === 'asc' ? 'asc' : 'desc',
          });
        }}
      >
        <select name="type" aria-label="Type">
          <option value="">any type</option>
          {TRANSACTION_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <input name="from" type="date" aria-label="From" />
        <input name="to" type="date" aria-label="To" />
        <input name="minAmount" placeholder="min" aria-label="Minimum amount" size={6} />
        <input name="maxAmount" placeholder="max" aria-label="Maximum amount" size={6} />
        <select name="order" aria-label="Order">
          <option value="desc">newest first</option>
          <option value="asc">oldest first</option>
        </select>
        <button type="submit">Filter</button>
      </form>
      <ProblemBox problem={page.problem} />
      <table data-testid="history">
        <thead>
          <tr>
            <th>When</th>
            <th>Type</th>
            <th class="num">Amount</th>
            <th class="num">Balance after</th>
            <th>Description</th>
            <th>v</th>
          </tr>
        </thead>
        <tbody>
          {page.data?.items.length === 0 ? (
            <tr>
              <td colSpan={6} class="muted">
                No transactions match.
              </td>
            </tr>
          ) : null}
          {page.data?.items.map((t) => (
            <tr key={t.transactionId} data-type={t.type}>
              <td>{time(t.occurredAt)}</td>
              <td>{t.type}</td>
              <td class="num">
                <Money amount={t.type === 'WITHDRAWAL' || t.type === 'TRANSFER_OUT' ? `-${t.amount}` : t.amount} />
              </td>
              <td class="num">
                <Money amount={t.balanceAfter} />
              </td>
              <td>
                {t.description ?? ''}
                {t.transferId ? (
                  <span class="muted">
                    {' '}
                    transfer <a href={hrefOf.transfers(accountId)}>{t.transferId.slice(0, 8)}</a>
                    {t.counterpartyAccountId ? (
                      <>
                        {' '}
                        with <a href={hrefOf.account(t.counterpartyAccountId)}>{t.counterpartyAccountId}</a>
                      </>
                    ) : null}
                  </span>
                ) : null}
              </td>
              <td class="muted">{t.version}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <CursorPager
        cursors={cursors}
        next={page.data?.nextCursor}
        go={(list, cursor) => {
          setCursors(list);
          setFilter({ ...filter, cursor });
        }}
      />
    </Card>
  );
}
