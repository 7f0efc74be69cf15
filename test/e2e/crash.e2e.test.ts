import { randomUUID } from 'node:crypto';
import { appUrl, commandApi, get, post, control, sleep } from './http';

// Crash tests: kill -9 one app in the middle of a stream of commands, restart it, and check that
// every acknowledged command is in the log exactly once and the read model converges to the log.
// Clients retry with the same Idempotency-Key, as the contract tells them to.

type Command = { accountId: string; key: string; transactionId?: string };

/** Sends one deposit until it is acknowledged (201), retrying with the same key on any failure. */
async function untilAcknowledged(c: Command, deadline: number): Promise<void> {
  for (;;) {
    try {
      const res = await post(
        `${commandApi()}/api/v1/accounts/${c.accountId}/deposits`,
        { amount: '1.00' },
        { 'Idempotency-Key': c.key },
      );
      if (res.status === 201) {
        if (c.transactionId && c.transactionId !== res.body.transactionId)
          throw new Error('a replay answered differently');
        c.transactionId = res.body.transactionId;
        return;
      }
      if (res.status < 500) throw new Error(`unexpected ${res.status}: ${JSON.stringify(res.body)}`);
    } catch (err) {
      if (err instanceof Error && /unexpected|differently/.test(err.message)) throw err;
    }
    if (Date.now() > deadline) throw new Error(`command ${c.key} never acknowledged`);
    await sleep(200);
  }
}

async function logOf(
  accountId: string,
): Promise<Array<{ type: string; version: number; data: { transactionId?: string } }>> {
  for (;;) {
    const res = await get(`${appUrl('event-source')}/streams/${accountId}/events`).catch(() => undefined);
    if (res?.status === 200) return res.body.events;
    await sleep(200);
  }
}

describe.each(['actors', 'event-source', 'projections'])('kill -9 of %s mid-stream', (victim) => {
  it('loses no acknowledged command, applies none twice, and the read model converges', async () => {
    const accounts = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const accountId = `crash-${victim}-${randomUUID()}`;
        const res = await post(`${commandApi()}/api/v1/accounts`, {
          accountId,
          ownerId: 'c',
          ownerName: 'Crash',
          type: 'CHECKING',
          currency: 'EUR',
        });
        expect(res.status).toBe(201);
        return accountId;
      }),
    );
    const commands: Command[] = Array.from({ length: 45 }, (_, i) => ({
      accountId: accounts[i % 3]!,
      key: `crash-${randomUUID()}`,
    }));
    const deadline = Date.now() + 90_000;

    // Four clients work through the commands; the victim dies after the first dozen are sent.
    const queue = [...commands];
    let sent = 0;
    const clients = Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let c = queue.shift(); c; c = queue.shift()) {
          sent++;
          await untilAcknowledged(c, deadline);
        }
      }),
    );
    while (sent < 12) await sleep(20);
    await control('kill', victim);
    await sleep(1500);
    await control('restart', victim);
    await clients;

    for (const accountId of accounts) {
      const mine = commands.filter((c) => c.accountId === accountId);
      const log = await logOf(accountId);
      const deposits = log.filter((e) => e.type === 'MoneyDeposited').map((e) => e.data.transactionId);
      expect([...deposits].sort()).toEqual(mine.map((c) => c.transactionId).sort()); // each exactly once
      expect(log.map((e) => e.version)).toEqual(log.map((_, i) => i + 1)); // no gaps, no duplicates

      const version = log.length;
      let read;
      for (let i = 0; i < 24; i++) {
        read = await get(`${process.env.QUERY_API_URL}/api/v1/accounts/${accountId}?minVersion=${version}`);
        if (read.status === 200) break;
      }
      expect(read!.status).toBe(200);
      expect(read!.body).toMatchObject({ version, balance: `${mine.length}.00` });
      const history = await get(`${process.env.QUERY_API_URL}/api/v1/accounts/${accountId}/transactions?limit=500`);
      expect(history.body.items).toHaveLength(mine.length);
    }
  });
});
