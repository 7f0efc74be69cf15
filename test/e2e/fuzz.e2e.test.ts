import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { EmptyBody, FreezeBody, MoneyMovementBody, OpenAccountBody, TransferBody } from '../../command-api/src/schemas';
import { appUrl, appUrls, commandApi, get, post } from './http';

const logHead = async () => (await get(`${appUrl('event-source')}/relay`)).body.headTx as number;
/**
 * Events in the log after transaction `tx`. (The log head itself may move: the relay writes a
 * checkpoint of its cursor into the log database after earlier tests' appends.)
 */
const eventsAfter = async (tx: number) =>
  ((await get(`${appUrl('event-source')}/log?afterTx=${tx}&limit=1000`)).body.events as unknown[]).length;
const streamVersion = async (id: string) =>
  (await get(`${appUrl('event-source')}/streams/${id}/events`)).body.streamVersion;

/** Bodies each route's schema refuses: random JSON, near-misses of valid bodies, and non-JSON text. */
function malformed(schema: { safeParse: (v: unknown) => { success: boolean } }, nearMiss: Record<string, unknown>) {
  const json = fc.oneof(
    fc.jsonValue(),
    fc.record({
      amount: fc.oneof(fc.double(), fc.string(), fc.constantFrom('1e3', '-5', ' 5', '5.', '0.001', '1,00')),
    }),
    fc
      .dictionary(fc.string(), fc.jsonValue())
      .map((extra) => ({ ...nearMiss, ...extra, ['unknown_' + Object.keys(extra).length]: 1 })),
  );
  return fc.oneof(
    json.filter((v) => !schema.safeParse(v).success).map((v) => JSON.stringify(v)),
    fc.string().filter((s) => {
      if (s.trim() === '') return false; // an empty body is an empty object, valid for some commands
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    }),
  );
}

describe('malformed input on every POST route', () => {
  it('is refused with a 4xx problem, appends nothing and crashes nothing', async () => {
    const id = `fuzz-${randomUUID()}`;
    expect(
      (
        await post(`${commandApi()}/api/v1/accounts`, {
          accountId: id,
          ownerId: 'o',
          ownerName: 'F',
          type: 'CHECKING',
          currency: 'USD',
        })
      ).status,
    ).toBe(201);
    const versionBefore = await streamVersion(id);
    const headBefore = await logHead();

    const routes = [
      {
        url: `${commandApi()}/api/v1/accounts`,
        bodies: malformed(OpenAccountBody, { ownerId: 'o', ownerName: 'n', type: 'CHECKING', currency: 'USD' }),
      },
      {
        url: `${commandApi()}/api/v1/accounts/${id}/deposits`,
        bodies: malformed(MoneyMovementBody, { amount: '1.00' }),
      },
      {
        url: `${commandApi()}/api/v1/accounts/${id}/withdrawals`,
        bodies: malformed(MoneyMovementBody, { amount: '1.00' }),
      },
      { url: `${commandApi()}/api/v1/accounts/${id}/freeze`, bodies: malformed(FreezeBody, { reason: 'r' }) },
      { url: `${commandApi()}/api/v1/accounts/${id}/unfreeze`, bodies: malformed(EmptyBody, {}) },
      { url: `${commandApi()}/api/v1/accounts/${id}/close`, bodies: malformed(EmptyBody, {}) },
      {
        url: `${commandApi()}/api/v1/transfers`,
        bodies: malformed(TransferBody, { fromAccountId: id, toAccountId: `${id}-2`, amount: '1.00' }),
      },
    ];
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(route.bodies, async (body) => {
          const res = await post(route.url, body);
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
        }),
        { numRuns: 60 },
      );
    }

    expect(await streamVersion(id)).toBe(versionBefore);
    expect(await eventsAfter(headBefore)).toBe(0);
    for (const url of Object.values(appUrls())) {
      expect((await get(`${url}/readyz`)).status).toBe(200);
    }
  });
});
