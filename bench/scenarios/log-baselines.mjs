// Baselines of the event log's parts, measured on fresh ImmuDB databases of the run's own server
// (never the bank's log): synced conditional appends with ImmuDB's default settings and with the
// log's tuned ones, Set against ExecAll, scans while appends run, and the event store's group
// commit. Every write is synced; every append carries a KeyMustNotExist precondition.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { closedLoop } from '../lib/load.mjs';

const require = createRequire(import.meta.url);
// event-source's own code (compiled by `npm run build`): the same client and store as production.
const { ImmuClient } = require('../../event-source/dist/immudb/client.js');
const { EventStore } = require('../../event-source/dist/event-store.js');
const { ensureLogDatabase, LOG_DATABASE_SETTINGS } = require('../../event-source/dist/log-database.js');

/** ImmuDB's defaults for a new database (defaultdb's): fsync grouped every 20 ms, no preallocation. */
const DEFAULT_SETTINGS = { syncFrequencyMs: 20, preallocFiles: false };

export async function logBaselines({ env, seconds, say }) {
  const login = { address: env.IMMUDB_ADDRESS, user: env.IMMUDB_USER, password: env.IMMUDB_PASSWORD };
  const suffix = randomUUID().slice(0, 8).replaceAll('-', '');
  const database = async (name, settings) => {
    await ensureLogDatabase(login, `${name}${suffix}`, settings);
    const db = new ImmuClient({ ...login, database: `${name}${suffix}` });
    await db.open();
    return db;
  };

  const appendOne = (db, method) => (i) => {
    const key = Buffer.from(`raw/${method}/${i}`);
    return db[method]([{ key, value: Buffer.from('{"bench":true}') }], [{ keyMustNotExist: { key } }]);
  };
  const pair = async (label, db, method) => {
    say(`baseline: ImmuDB ${label}, ${method}, 1 and 16 in flight`);
    const sequential = await closedLoop(appendOne(db, method), { seconds, concurrency: 1 });
    const concurrent = await closedLoop((i) => appendOne(db, method)(1e9 + i), { seconds, concurrency: 16 });
    return { sequential, concurrent };
  };

  const defaults = await database('benchdefault', DEFAULT_SETTINGS);
  const defaultSettings = await pair('default settings (sync every 20 ms)', defaults, 'execAll');
  await defaults.close();

  const tuned = await database('benchtuned', LOG_DATABASE_SETTINGS);
  const tunedExecAll = await pair(`tuned (sync every ${LOG_DATABASE_SETTINGS.syncFrequencyMs} ms)`, tuned, 'execAll');
  const tunedSet = await pair(`tuned (sync every ${LOG_DATABASE_SETTINGS.syncFrequencyMs} ms)`, tuned, 'set');

  say('baseline: scans of one stream while 16 appends are in flight, ExecAll vs Set');
  const scan = (i) => tuned.scan(Buffer.from('raw/set/'), { seekKey: Buffer.from(`raw/set/${i % 1000}`), limit: 10 });
  const scansDuring = async (method) => {
    const [, scans] = await Promise.all([
      closedLoop((i) => appendOne(tuned, method)(2e9 + i), { seconds, concurrency: 16 }),
      closedLoop(scan, { seconds, concurrency: 4 }),
    ]);
    return scans;
  };
  const scansDuringExecAll = await scansDuring('execAll');
  const scansDuringSet = await scansDuring('set');
  await tuned.close();

  say('baseline: group-committed appends through the event store (one event per append), 16 and 64 in flight');
  const storeDb = await database('benchgroup', LOG_DATABASE_SETTINGS);
  const store = new EventStore(storeDb);
  const event = (stream) => ({
    eventId: randomUUID(),
    streamId: stream,
    version: 1,
    type: 'MoneyDeposited',
    schemaVersion: 1,
    data: { transactionId: randomUUID(), amount: 1, description: null },
    metadata: { correlationId: 'bench' },
    occurredAt: new Date().toISOString(),
  });
  const storeAppend = async (i) => {
    const stream = `g${i}`;
    const r = await store.append(stream, 0, [event(stream)]);
    if (!r.ok) throw new Error(`group-commit baseline: append refused: ${JSON.stringify(r)}`);
  };
  const group16 = await closedLoop(storeAppend, { seconds, concurrency: 16 });
  const group64 = await closedLoop((i) => storeAppend(1e9 + i), { seconds, concurrency: 64 });
  const groupStats = store.commitStats();
  await storeDb.close();

  return {
    settings: { default: DEFAULT_SETTINGS, tuned: LOG_DATABASE_SETTINGS },
    defaultSettings,
    tunedExecAll,
    tunedSet,
    scansDuringExecAll,
    scansDuringSet,
    groupCommit: {
      concurrency16: group16,
      concurrency64: group64,
      appendsPerCommit: Math.round((groupStats.writes / Math.max(1, groupStats.commits)) * 10) / 10,
      largestGroup: groupStats.largestGroup,
    },
  };
}
