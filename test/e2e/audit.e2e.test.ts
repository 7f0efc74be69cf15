import { randomUUID } from 'node:crypto';
import { commandApi, get, post, queryApi } from './http';

const q = (path: string) => get(`${queryApi()}/api/v1${path}`);
type Item = {
  eventId: string;
  version: number;
  type: string;
  data: Record<string, unknown>;
  metadata: { correlationId: string };
  occurredAt: string;
};

describe('audit trail from the ImmuDB log with proofs', () => {
  const accountId = `audit-${randomUUID()}`;
  const produced: { version: number; transactionId?: string; occurredAt?: string; type: string }[] = [];

  beforeAll(async () => {
    const opened = await post(
      `${commandApi()}/api/v1/accounts`,
      { accountId, ownerId: 'aud', ownerName: 'Audit', type: 'CHECKING', currency: 'EUR', initialDeposit: '10.00' },
      { 'X-Correlation-Id': 'audit-open' },
    );
    expect(opened.status).toBe(201);
    produced.push({ version: 1, type: 'AccountOpened' }, { version: 2, type: 'MoneyDeposited' });
    for (let i = 0; i < 5; i++) {
      const kind = i % 2 === 0 ? 'deposits' : 'withdrawals';
      const res = await post(
        `${commandApi()}/api/v1/accounts/${accountId}/${kind}`,
        { amount: `${i + 1}.25` },
        { 'X-Correlation-Id': `audit-${i}` },
      );
      expect(res.status).toBe(201);
      produced.push({
        version: res.body.version,
        transactionId: res.body.transactionId,
        occurredAt: res.body.occurredAt,
        type: i % 2 === 0 ? 'MoneyDeposited' : 'MoneyWithdrawn',
      });
    }
    const frozen = await post(`${commandApi()}/api/v1/accounts/${accountId}/freeze`, { reason: 'audit' });
    produced.push({ version: frozen.body.version, type: 'AccountFrozen' });
  });

  it('returns exactly the events the commands produced, verified against ImmuDB', async () => {
    const res = await q(`/accounts/${accountId}/events`);
    expect(res.status).toBe(200);
    const items = res.body.items as Item[];
    expect(items.map((e) => [e.version, e.type])).toEqual(produced.map((p) => [p.version, p.type]));
    expect(items[0]!.data).toMatchObject({ accountId, ownerName: 'Audit', currency: 'EUR' });
    expect(items[0]!.metadata.correlationId).toBe('audit-open');
    for (const [i, p] of produced.entries()) {
      if (p.transactionId) {
        expect(items[i]!.data).toMatchObject({
          transactionId: p.transactionId,
          amount: String((i - 2 + 1) * 100 + 25),
        });
        expect(items[i]!.occurredAt).toBe(p.occurredAt);
        expect(items[i]!.metadata.correlationId).toBe(`audit-${i - 2}`);
      }
    }
    expect(new Set(items.map((e) => e.eventId)).size).toBe(items.length);
    expect(res.body.nextFromVersion).toBeNull();
    expect(res.body.verification).toMatchObject({
      verified: true,
      checks: { inclusion: 'PASSED', consistency: expect.stringMatching(/^(PASSED|FIRST_USE)$/) },
      entriesVerified: produced.length,
      failure: null,
      state: { txId: expect.any(Number), txHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  });

  it('checks each read against the state trusted by the previous one, kept by event-source', async () => {
    const first = (await q(`/accounts/${accountId}/events`)).body.verification;
    await post(`${commandApi()}/api/v1/accounts/${accountId}/unfreeze`, {});
    const second = (await q(`/accounts/${accountId}/events`)).body.verification;
    expect(second.checks.consistency).toBe('PASSED');
    expect(second.trustedState.txId).toBeGreaterThanOrEqual(first.state.txId);
    expect(second.state.txId).toBeGreaterThan(first.state.txId);
  });

  it('pages with fromVersion and limit', async () => {
    const p1 = await q(`/accounts/${accountId}/events?limit=3`);
    expect(p1.body.items.map((e: Item) => e.version)).toEqual([1, 2, 3]);
    expect(p1.body.nextFromVersion).toBe(4);
    const p2 = await q(`/accounts/${accountId}/events?fromVersion=${p1.body.nextFromVersion}&limit=3`);
    expect(p2.body.items.map((e: Item) => e.version)).toEqual([4, 5, 6]);
    expect(p2.body.verification.verified).toBe(true);
    const past = await q(`/accounts/${accountId}/events?fromVersion=1000`);
    expect([past.status, past.body.items, past.body.nextFromVersion]).toEqual([200, [], null]);
  });

  it('answers 404 for an unknown account and 400 for bad parameters', async () => {
    const missing = await q(`/accounts/nobody-${randomUUID()}/events`);
    expect([missing.status, missing.body.code]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    for (const bad of [
      'fromVersion=0',
      'fromVersion=-1',
      'fromVersion=x',
      'limit=0',
      'limit=501',
      'limit=2.5',
      'colour=red',
    ]) {
      const res = await q(`/accounts/${accountId}/events?${bad}`);
      expect([bad, res.status, res.body.code]).toEqual([bad, 400, 'VALIDATION_FAILED']);
    }
    expect((await q(`/accounts/${'x'.repeat(65)}/events`)).status).toBe(400);
  });
});
