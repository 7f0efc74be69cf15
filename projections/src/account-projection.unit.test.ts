import { encodeAccountEvent, type AccountEvent, type StoredEvent } from '@bank/domain';
import { type AccountDoc } from '@bank/contracts';
import { balanceDrift, project, type Projected } from './account-projection';

/** Stores events as the actor does (balanceAfter recorded on money movements) and projects them. */
function run(events: AccountEvent[]): Projected[] {
  let balance = 0;
  let doc: AccountDoc | undefined;
  return events.map((event, i) => {
    if (event.type === 'MoneyDeposited' || event.type === 'TransferCredited' || event.type === 'TransferRefunded')
      balance += event.data.amount;
    if (event.type === 'MoneyWithdrawn' || event.type === 'TransferDebited') balance -= event.data.amount;
    const stored: StoredEvent = {
      eventId: `e${i}`,
      streamId: 'acc',
      version: i + 1,
      ...encodeAccountEvent(event, balance),
      metadata: { correlationId: 'c' },
      occurredAt: `2026-11-22T10:00:0${i}.000Z`,
    };
    const out = project(doc, stored);
    doc = out.account;
    return out;
  });
}

const opened: AccountEvent = {
  type: 'AccountOpened',
  data: {
    accountId: 'acc',
    ownerId: 'o',
    ownerName: 'Ada',
    accountType: 'CHECKING',
    currency: 'EUR',
    overdraftLimit: 0,
  },
};
const leg = (id: string, amount: number) => ({ transferId: id, transactionId: `tx-${id}`, amount });

describe('account projection: transfers and postings', () => {
  const results = run([
    opened,
    { type: 'MoneyDeposited', data: { transactionId: 'd', amount: 10_000, description: null } },
    { type: 'TransferDebited', data: { ...leg('t1', 3_000), toAccountId: 'b', description: 'rent' } },
    { type: 'TransferSettled', data: { transferId: 't1' } },
    { type: 'TransferDebited', data: { ...leg('t2', 2_000), toAccountId: 'c', description: null } },
    {
      type: 'TransferRefunded',
      data: { ...leg('t2r', 2_000), transferId: 't2', toAccountId: 'c', failureCode: 'ACCOUNT_CLOSED' },
    },
    { type: 'TransferCredited', data: { ...leg('t3', 500), fromAccountId: 'b', description: null } },
    { type: 'MoneyWithdrawn', data: { transactionId: 'w', amount: 1_000, description: null } },
  ]);
  const docs = results.map((r) => r.account);

  it('keeps every account document balanced against its clearing and transit postings', () => {
    for (const d of docs) expect(d.balance + d.clearingPostings + d.transitPostings).toBe(0);
    // Debits post to transit here; the credit that takes the money out of transit posts on the
    // destination's document, the refund on this one.
    expect(docs[4]).toMatchObject({ balance: 5_000, transitPostings: 5_000, clearingPostings: -10_000 });
    expect(docs[7]).toMatchObject({ balance: 6_500, transitPostings: 2_500, clearingPostings: -9_000 });
  });

  it('numbers each movement in history and records transfer movements with their counterparty', () => {
    expect(results.map((r) => r.entry && [r.entry.seq, r.entry.type, r.entry.counterpartyAccountId ?? null])).toEqual([
      undefined,
      [1, 'DEPOSIT', null],
      [2, 'TRANSFER_OUT', 'b'],
      undefined,
      [3, 'TRANSFER_OUT', 'c'],
      [4, 'TRANSFER_REFUND', 'c'],
      [5, 'TRANSFER_IN', 'b'],
      [6, 'WITHDRAWAL', null],
    ]);
    expect(docs[7]).toMatchObject({ totalTransfersOut: 3_000, totalTransfersIn: 500, transactionCount: 6 });
  });
});

describe('account projection: a recorded balance that disagrees with the movements', () => {
  it("shows as the account's drift: zero while they agree, the difference once they do not", () => {
    const good = run([
      opened,
      { type: 'MoneyDeposited', data: { transactionId: 'd', amount: 1_000, description: null } },
    ]);
    expect(good.map((r) => balanceDrift(r.account))).toEqual([0, 0]);
    // The actor recorded 1 500 after a deposit of 1 000 onto 0 (say, from a corrupt snapshot).
    const stored: StoredEvent = {
      eventId: 'bad',
      streamId: 'acc',
      version: 3,
      ...encodeAccountEvent(
        { type: 'MoneyDeposited', data: { transactionId: 'd2', amount: 500, description: null } },
        2_000,
      ),
      metadata: { correlationId: 'c' },
      occurredAt: '2026-11-22T10:00:09.000Z',
    };
    const drifted = project(good[1]!.account, stored).account;
    expect(drifted.balance).toBe(2_000);
    expect(balanceDrift(drifted)).toBe(500);
  });
});
