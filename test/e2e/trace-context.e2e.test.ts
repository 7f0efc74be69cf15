/**
 * W3C trace context through the real stack (docs/operations.md, "Traces"): the traceparent a
 * client sends with a command crosses command-api -> its sidecar -> the actors' sidecar -> the
 * BankAccount actor -> event-source and ends up in the metadata of the events in the log.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { bearer } from './auth';
import { commandApi, get, post, queryApi } from './http';

it("records the client's trace id in the metadata of the events its command wrote", async () => {
  const traceId = randomBytes(16).toString('hex');
  const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
  const accountId = `trace-${randomUUID()}`;
  const opened = await post(
    `${commandApi()}/api/v1/accounts`,
    { accountId, ownerId: 'owner-trace', ownerName: 'Trace', type: 'CHECKING', currency: 'USD', initialDeposit: '10' },
    { traceparent },
  );
  expect(opened.status).toBe(201);
  const untraced = await post(`${commandApi()}/api/v1/accounts/${accountId}/deposits`, { amount: '1' });
  expect(untraced.status).toBe(201);

  const audit = await get(
    `${queryApi()}/api/v1/accounts/${accountId}/events`,
    await bearer('auditor-trace', ['auditor']),
  );
  expect(audit.status).toBe(200);
  const [openedEvent, initialDeposit, deposit] = audit.body.items as { metadata: { traceparent?: string } }[];
  // The command's events carry the client's trace (each hop may add its own span id).
  for (const event of [openedEvent, initialDeposit])
    expect(event!.metadata.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
  // A command sent without one is not given someone else's.
  expect(deposit!.metadata.traceparent ?? '').not.toContain(traceId);
});
