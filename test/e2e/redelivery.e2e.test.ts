import { randomUUID } from 'node:crypto';
import { appUrl, sidecarUrl, commandApi, get, post, queryApi, sleep } from './http';

// Invariant 4 through the real pub/sub: every event of an account published again, twice, in a
// shuffled order, leaves the read model exactly as it was.

async function readModelOf(accountId: string) {
  const [account, summary, history, daily] = await Promise.all([
    get(`${queryApi()}/api/v1/accounts/${accountId}`),
    get(`${queryApi()}/api/v1/accounts/${accountId}/summary`),
    get(`${queryApi()}/api/v1/accounts/${accountId}/transactions?limit=500`),
    get(`${queryApi()}/api/v1/accounts/${accountId}/daily-balances`),
  ]);
  return { account: account.body, summary: summary.body, history: history.body, daily: daily.body };
}

describe('redelivery through Dapr pub/sub', () => {
  it('publishing every event twice, out of order, changes nothing in the read model', async () => {
    const accountId = `redeliver-${randomUUID()}`;
    await post(`${commandApi()}/api/v1/accounts`, {
      accountId,
      ownerId: 'r',
      ownerName: 'R',
      type: 'CHECKING',
      currency: 'GBP',
      initialDeposit: '10',
    });
    for (const amount of ['1.10', '2.20', '3.30'])
      await post(`${commandApi()}/api/v1/accounts/${accountId}/deposits`, { amount });
    const last = await post(`${commandApi()}/api/v1/accounts/${accountId}/withdrawals`, { amount: '4.40' });
    await post(`${commandApi()}/api/v1/accounts/${accountId}/freeze`, {});
    expect((await get(`${queryApi()}/api/v1/accounts/${accountId}?minVersion=${last.body.version + 1}`)).status).toBe(
      200,
    );
    const before = await readModelOf(accountId);

    const { events } = (await get(`${appUrl('event-source')}/streams/${accountId}/events`)).body;
    const copies = [...events, ...events].sort(() => Math.random() - 0.5);
    // Published as the relay does, through event-source's sidecar (the one publisher allowed).
    const publish = `${sidecarUrl('event-source')}/v1.0/publish/pubsub/account-events`;
    await Promise.all(
      copies.map(async (e: { version: number }, i: number) => {
        // Same shape as the relay's messages; logTx/logIndex are positions in the log.
        const res = await post(publish, { ...e, logTx: 1_000_000 + i, logIndex: 0 });
        expect(res.status).toBe(204);
      }),
    );
    // A marker after the copies: once it is projected, the copies were delivered before it.
    const marker = await post(`${commandApi()}/api/v1/accounts/${accountId}/unfreeze`, {});
    expect((await get(`${queryApi()}/api/v1/accounts/${accountId}?minVersion=${marker.body.version}`)).status).toBe(
      200,
    );
    await sleep(500);

    const after = await readModelOf(accountId);
    expect(after.history).toEqual(before.history);
    expect(after.summary).toEqual(before.summary);
    expect(after.daily).toEqual(before.daily);
    expect(after.account).toEqual({
      ...before.account,
      status: 'ACTIVE',
      version: marker.body.version,
      updatedAt: after.account.updatedAt,
    });
  });
});
