// Long account histories written straight to the ImmuDB log (through the event store, as
// event-source appends them), for scenarios that need thousands of events on one account fast.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { ImmuClient } = require('../../event-source/dist/immudb/client.js');
const { EventStore } = require('../../event-source/dist/event-store.js');

const BATCH = 500;

/** An event store on the stack's log database, and how to close it. */
export function logWriter(env) {
  const db = new ImmuClient({
    address: env.IMMUDB_ADDRESS,
    user: env.IMMUDB_USER,
    password: env.IMMUDB_PASSWORD,
    database: env.IMMUDB_DATABASE,
  });
  return { store: new EventStore(db), close: () => db.close() };
}

/** An account's opening (USD, owner "bench"), as its actor stores it (schema v2). */
export function openedEvent(accountId, occurredAt, correlationId) {
  return {
    eventId: randomUUID(),
    streamId: accountId,
    version: 1,
    type: 'AccountOpened',
    schemaVersion: 2,
    data: {
      accountId,
      ownerId: 'bench',
      ownerName: 'Bench',
      accountType: 'CHECKING',
      currency: 'USD',
      overdraftLimit: '0',
    },
    metadata: { correlationId },
    occurredAt,
  };
}

/** A deposit as its actor stores it (schema v3, with the balance it recorded; money as minor-unit strings). */
export function depositEvent(accountId, version, amount, balanceAfter, occurredAt, correlationId) {
  return {
    eventId: randomUUID(),
    streamId: accountId,
    version,
    type: 'MoneyDeposited',
    schemaVersion: 3,
    data: {
      transactionId: randomUUID(),
      amount: String(amount),
      description: null,
      balanceAfter: String(balanceAfter),
    },
    metadata: { correlationId },
    occurredAt,
  };
}

/**
 * An opened account followed by deposits of 1 minor unit `stepMs` apart (default one
 * millisecond), in batches of one ImmuDB transaction each. Returns the instant before the first,
 * and the log transaction of the last batch.
 */
export async function writeHistory(store, accountId, size, { stepMs = 1 } = {}) {
  const t0 = Date.now() - size * stepMs - 60_000;
  const at = (version) => new Date(t0 + version * stepMs).toISOString();
  const event = (version) =>
    version === 1
      ? openedEvent(accountId, at(1), 'bench-history')
      : depositEvent(accountId, version, 1, version - 1, at(version), 'bench-history');
  let lastTx = 0;
  for (let from = 1; from <= size; from += BATCH) {
    const batch = [];
    for (let v = from; v < from + BATCH && v <= size; v++) batch.push(event(v));
    const result = await store.append(accountId, from - 1, batch);
    if (!result.ok) throw new Error(`history of ${accountId}: ${JSON.stringify(result)}`);
    lastTx = result.logTx;
  }
  return { t0, lastTx };
}
