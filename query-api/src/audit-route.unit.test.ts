import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { AuditReadResult } from '@bank/contracts';
import { SidecarError } from '@bank/service-kit';
import { createTestIssuer } from '../../test/support/issuer';
import { buildApp } from './app';
import { stubDeps } from './app-stubs.test';

// The public route's mapping of event-source's answers (the proofs themselves are tested in event-source).
const verification = (verified: boolean): AuditReadResult['verification'] => ({
  verified,
  state: { txId: 9, txHash: 'a'.repeat(64) },
  trustedState: { txId: 7, txHash: 'b'.repeat(64) },
  checks: verified
    ? { consistency: 'PASSED', inclusion: 'PASSED' }
    : { consistency: 'FAILED', inclusion: 'NOT_CHECKED' },
  entriesVerified: 0,
  failure: verified ? null : 'state tx 9 is not consistent with state tx 7',
});

let answer: () => Promise<AuditReadResult | undefined>;
let server: Server;
let base: string;
let auditor: { authorization: string };
beforeAll(async () => {
  const issuer = await createTestIssuer();
  auditor = await issuer.bearer('auditor-1', ['auditor']);
  const app = buildApp(
    stubDeps({
      eventLog: { ...stubDeps().eventLog, audit: () => answer() },
      verifyToken: issuer.verifyToken,
    }),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/accounts/acc-1/events`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('GET /api/v1/accounts/{id}/events', () => {
  it('answers 502 LOG_VERIFICATION_FAILED with the verification report and no items when the log did not verify', async () => {
    answer = async () => ({ events: [], nextFromVersion: null, verification: verification(false) });
    const res = await fetch(base, { headers: auditor });
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as { detail: string; items?: unknown };
    expect(body).toMatchObject({ code: 'LOG_VERIFICATION_FAILED', status: 502, verification: verification(false) });
    expect(body.detail).toContain('not consistent');
    expect(body.items).toBeUndefined();
  });

  it('passes a verified page through with its verification', async () => {
    const event = {
      eventId: '6f9619ff-8b86-4011-b42d-00c04fc964ff',
      streamId: 'acc-1',
      version: 1,
      type: 'AccountFrozen',
      schemaVersion: 1,
      data: { reason: null },
      metadata: { correlationId: 'c' },
      occurredAt: '2026-11-22T10:00:00.000Z',
    };
    answer = async () => ({ events: [event], nextFromVersion: 2, verification: verification(true) });
    const res = await fetch(`${base}?fromVersion=1&limit=1`, { headers: auditor });
    expect(res.status).toBe(200);
    const { streamId: _streamId, ...item } = event;
    expect(await res.json()).toEqual({ items: [item], nextFromVersion: 2, verification: verification(true) });
  });

  it('answers 404 for an unknown account and 503 when event-source does not answer', async () => {
    answer = async () => undefined;
    expect(((await (await fetch(base, { headers: auditor })).json()) as { code: string }).code).toBe(
      'ACCOUNT_NOT_FOUND',
    );
    answer = async () => {
      throw new SidecarError('down', 500, undefined);
    };
    expect((await fetch(base, { headers: auditor })).status).toBe(503);
  });
});
