import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  generationCollection,
  LIVE_POINTER_ID,
  READ_MODEL_COLLECTIONS,
  READ_MODEL_META_COLLECTION,
} from '@bank/contracts';
import { BSON, MongoClient } from 'mongodb';
import { tokenFor } from './auth';
import { formatMinor, type Currency } from '@bank/domain';
import {
  appUrl,
  commandApi,
  daprAppIdOf,
  get,
  post,
  queryApi,
  sidecarUrl,
  control,
  sleep,
  trialBalanceAtHead,
} from './http';

// Read-model rebuild (npm run projections:rebuild) and projection lag, through the real stack.

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const mongo = new MongoClient(process.env.MONGO_URL!);
const db = () => mongo.db(process.env.MONGO_DATABASE ?? 'bank');
beforeAll(async () => {
  await mongo.connect();
  // The first actor calls can fail while placement disseminates: wait until a command goes through.
  for (let i = 0; ; i++) {
    const res = await post(`${commandApi()}/api/v1/accounts`, {
      ownerId: 'warm-up',
      ownerName: 'Warm Up',
      type: 'CHECKING',
      currency: 'USD',
    }).catch(() => undefined);
    if (res?.status === 201) break;
    if (i > 120) throw new Error(`the stack does not accept commands: ${res?.status}`);
    await sleep(500);
  }
});
afterAll(() => mongo.close());

/** `npm run projections:rebuild` against the test stack (found by its port block, like `npm start`'s). */
function runRebuildCommand(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // The projections sidecar's HTTP port is the block's base + 40 (scripts/stack/ports.mjs).
  const base = Number(new URL(sidecarUrl('projections')).port) - 40;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/rebuild.mjs'], {
      cwd: REPO_ROOT,
      env: { ...process.env, BANK_PORT_BASE: String(base), BANK_DATA_DIR: process.env.BANK_TEST_DATA_DIR },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Caught up once the log is still: the relay writes its cursor to the log (a transaction without
 * events) up to RELAY_CHECKPOINT_MS (1 s in tests) after the last event.
 */
async function quiet(): Promise<void> {
  await sleep(1_500);
  await caughtUp();
}

async function metrics(): Promise<Record<string, number>> {
  const res = await fetch(`${appUrl('projections')}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const out: Record<string, number> = {};
  for (const line of (await res.text()).split('\n')) {
    const m = /^(bank_[a-z_]+)(?:\{[^}]*\})? (\S+)$/.exec(line); // labels: app="projections"
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** Waits until a lag measurement taken after this call says the read model has every event of the log. */
async function caughtUp(timeoutMs = 60_000): Promise<Record<string, number>> {
  const since = Date.now() / 1000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await metrics().catch(() => undefined);
    if (
      m &&
      m.bank_projection_lag_measured_timestamp_seconds! > since &&
      m.bank_projection_lag_events === 0 &&
      m.bank_projection_applied_tx === m.bank_projection_log_head_tx
    )
      return m;
    if (Date.now() > deadline) throw new Error(`projections did not catch up: ${JSON.stringify(m)}`);
    await sleep(250);
  }
}

async function liveGeneration(): Promise<number> {
  const pointer = await db()
    .collection<{ _id: string; generation: number }>(READ_MODEL_META_COLLECTION)
    .findOne({ _id: LIVE_POINTER_ID });
  return pointer?.generation ?? 0;
}

/** Every document of every read-model collection of a generation, as raw BSON, by _id. */
async function snapshot(generation: number): Promise<Record<string, Array<{ _id: unknown; bytes: string }>>> {
  const out: Record<string, Array<{ _id: unknown; bytes: string }>> = {};
  for (const name of Object.values(READ_MODEL_COLLECTIONS)) {
    const docs = (await db()
      .collection(generationCollection(name, generation))
      .find({}, { raw: true })
      .sort({ _id: 1 })
      .toArray()) as unknown as Buffer[];
    out[name] = docs.map((raw) => ({ _id: BSON.deserialize(raw)._id, bytes: Buffer.from(raw).toString('base64') }));
  }
  return out;
}

/** Readable form of a snapshot for a failure message; the byte comparison is the assertion. */
const readable = (snap: Awaited<ReturnType<typeof snapshot>>) =>
  Object.fromEntries(
    Object.entries(snap).map(([name, docs]) => [
      name,
      docs.map((d) => BSON.EJSON.serialize(BSON.deserialize(Buffer.from(d.bytes, 'base64'), { promoteLongs: false }))),
    ]),
  );

function expectSameReadModel(actual: Awaited<ReturnType<typeof snapshot>>, expected: typeof actual) {
  expect(readable(actual)).toEqual(readable(expected)); // shows what differs
  expect(actual).toEqual(expected); // byte for byte, document by document
}

async function openAccount(currency: string, initialDeposit: string): Promise<string> {
  const accountId = `rb-${randomUUID()}`;
  const res = await post(`${commandApi()}/api/v1/accounts`, {
    accountId,
    ownerId: `owner-${accountId.slice(3, 7)}`,
    ownerName: 'Rebuild Test',
    type: 'SAVINGS',
    currency,
    initialDeposit,
    overdraftLimit: '5',
  });
  expect(res.status).toBe(201);
  return accountId;
}

const money = (accountId: string, kind: 'deposits' | 'withdrawals', amount: string, description?: string) =>
  post(`${commandApi()}/api/v1/accounts/${accountId}/${kind}`, { amount, ...(description ? { description } : {}) });

describe('read-model rebuild from the log', () => {
  it('reproduces the live read model byte for byte, switches to it and drops the old generation', async () => {
    const currencies = ['USD', 'EUR', 'JPY', 'KWD', 'GBP', 'CHF'];
    await Promise.all(
      currencies.map(async (currency, i) => {
        const id = await openAccount(currency, currency === 'JPY' ? '1500' : '10.5');
        for (let k = 0; k < 4; k++) expect((await money(id, 'deposits', `${k + 1}`, `d${k}`)).status).toBe(201);
        expect((await money(id, 'withdrawals', '2', 'atm')).status).toBe(201);
        if (i % 2 === 0) {
          expect((await post(`${commandApi()}/api/v1/accounts/${id}/freeze`, { reason: 'test' })).status).toBe(200);
          expect((await post(`${commandApi()}/api/v1/accounts/${id}/unfreeze`, {})).status).toBe(200);
        }
      }),
    );
    const closing = await openAccount('USD', '0');
    expect((await money(closing, 'deposits', '3')).status).toBe(201);
    expect((await money(closing, 'withdrawals', '3')).status).toBe(201);
    expect((await post(`${commandApi()}/api/v1/accounts/${closing}/close`, {})).status).toBe(200);

    await caughtUp();
    const before = await liveGeneration();
    // The books, folded from the log, agree with the account documents: in every currency the
    // customer side is the sum of the balances, and the books balance.
    for (const currency of currencies as Currency[]) {
      const accounts = db().collection(generationCollection(READ_MODEL_COLLECTIONS.accounts, before));
      const sum = (await accounts.find({ currency }).toArray()).reduce((s, a) => s + BigInt(a.balance), 0n);
      const tb = (await trialBalanceAtHead(currency)).body;
      expect([currency, tb.accounts.customer, tb.total, tb.balanced]).toEqual([
        currency,
        formatMinor(sum, currency),
        formatMinor(0n, currency),
        true,
      ]);
    }
    await quiet();
    const live = await snapshot(before);
    expect(live.accounts!.length).toBeGreaterThanOrEqual(7);
    const accountBefore = await get(`${queryApi()}/api/v1/accounts/${closing}`);

    const run = await runRebuildCommand();
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/events\/s/);
    expect(run.stdout).toMatch(new RegExp(`Rebuilt generation ${before + 1} `));
    expect(await liveGeneration()).toBe(before + 1);

    expectSameReadModel(await snapshot(before + 1), live);
    // The query API reads the new generation (it re-reads the pointer every second).
    await sleep(1_500);
    const accountAfter = await get(`${queryApi()}/api/v1/accounts/${closing}`);
    expect(accountAfter.status).toBe(200);
    expect(accountAfter.body).toEqual(accountBefore.body);
    const ready = await get(`${queryApi()}/readyz`);
    expect(ready.body.checks).toContainEqual({ name: 'read-model', ok: true, details: { generation: before + 1 } });

    // The old generation is dropped once readers had time to move (REBUILD_DROP_AFTER_MS, 10 s).
    const oldNames = Object.values(READ_MODEL_COLLECTIONS).map((n) => generationCollection(n, before));
    for (let i = 0; ; i++) {
      const names = (await db().listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
      if (!oldNames.some((n) => names.includes(n))) break;
      if (i > 40) throw new Error(`old generation still there: ${names.join(', ')}`);
      await sleep(500);
    }
  });

  it('keeps serving and loses nothing when commands arrive during the rebuild; a second rebuild is refused', async () => {
    const accounts = await Promise.all(Array.from({ length: 10 }, () => openAccount('EUR', '1')));
    const seed = accounts.flatMap((id) => Array.from({ length: 15 }, () => id));
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let id = seed.pop(); id; id = seed.pop()) expect((await money(id, 'deposits', '1')).status).toBe(201);
      }),
    );

    let stop = false;
    const acked: number[] = [];
    const writeFailures: number[] = [];
    const readStatuses: number[] = [];
    const pick = () => accounts[Math.floor(Math.random() * accounts.length)]!;
    const writers = Array.from({ length: 3 }, async () => {
      while (!stop) {
        const res = await money(pick(), 'deposits', '1').catch(() => ({ status: 0 }));
        if (res.status === 201) acked.push(Date.now());
        else writeFailures.push(res.status);
      }
    });
    // A client reading at a steady pace, not a tight loop: on FerretDB's SQLite backend every
    // query but a lookup by _id scans its whole collection (docs/read-model.md, "Local MongoDB: FerretDB"),
    // so back-to-back history reads would measure that scan, starving the projections of the
    // store's single writer, rather than the rebuild.
    const reader = (async () => {
      while (!stop) {
        const id = pick();
        for (const url of [`accounts/${id}`, `accounts/${id}/transactions?limit=5`]) {
          readStatuses.push((await get(`${queryApi()}/api/v1/${url}`).catch(() => ({ status: 0 }))).status);
        }
        await sleep(250);
      }
    })();

    let startedAt = 0;
    let finishedAt = 0;
    try {
      startedAt = Date.now();
      const rebuilding = runRebuildCommand();
      const statusUrl = `${sidecarUrl('projections')}/v1.0/invoke/${daprAppIdOf('projections')}/method/internal/rebuild`;
      while ((await get(statusUrl)).body.state !== 'running') await sleep(50);
      const second = await post(statusUrl, {});
      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({ code: 'REBUILD_RUNNING' });
      expect(second.body.detail).toMatch(/already running/);
      const run = await rebuilding;
      finishedAt = Date.now();
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      await sleep(1_000);
    } finally {
      stop = true;
      await Promise.all([...writers, reader]);
    }

    expect(writeFailures).toEqual([]);
    expect(acked.filter((t) => t > startedAt && t < finishedAt).length).toBeGreaterThan(0);
    expect(readStatuses.length).toBeGreaterThan(10);
    expect(readStatuses.filter((s) => s !== 200)).toEqual([]);

    // Nothing acknowledged is missing: every account's read-model version is its log's.
    await caughtUp();
    for (const id of accounts) {
      const log = await get(`${appUrl('event-source')}/streams/${id}/events`);
      const read = await get(`${queryApi()}/api/v1/accounts/${id}`);
      expect(read.body.version).toBe(log.body.streamVersion);
      expect(read.body.balance).toBe(`${log.body.events.length - 1}.00`); // opened with 1.00 + one 1.00 per deposit
    }

    // And what the live path and the rebuild wrote together is what a rebuild alone writes. The
    // relay's last cursor checkpoint (a log transaction without events) lands first, so the
    // books of both are folded to the same position.
    await quiet();
    const mixed = await snapshot(await liveGeneration());
    const again = await runRebuildCommand();
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
    expectSameReadModel(await snapshot(await liveGeneration()), mixed);
  }, 300_000);
});

describe('projection lag', () => {
  it('is reported in /readyz and /metrics, goes back to 0 after the projections app was down, without failing readiness', async () => {
    const id = await openAccount('USD', '1');
    const caught = await caughtUp();
    const ready = await get(`${appUrl('projections')}/readyz`);
    expect(ready.status).toBe(200);
    const lagCheck = ready.body.checks.find((c: { name: string }) => c.name === 'projection-lag');
    expect(lagCheck).toMatchObject({ ok: true, details: { behindEvents: 0, behindMs: 0 } });
    expect(lagCheck.details.appliedTx).toBe(lagCheck.details.headTx);
    expect(lagCheck.details.headTx).toBeGreaterThan(0);

    await control('kill', 'projections');
    for (let i = 0; i < 5; i++) expect((await money(id, 'deposits', '1')).status).toBe(201);
    await control('restart', 'projections'); // waits for /readyz 200: lag alone never makes it 503
    const seen: number[] = [];
    const deadline = Date.now() + 60_000;
    let m = await metrics();
    while (
      m.bank_projection_lag_events !== 0 ||
      m.bank_projection_applied_tx! < caught.bank_projection_log_head_tx! + 5
    ) {
      seen.push(m.bank_projection_lag_events!);
      if (Date.now() > deadline) throw new Error(`lag never went back to 0: ${JSON.stringify(m)}`);
      await sleep(100);
      m = await metrics();
    }
    // Five deposits are five more log transactions, all applied once caught up.
    expect(m.bank_projection_log_head_tx).toBeGreaterThanOrEqual(caught.bank_projection_log_head_tx! + 5);
    expect(m.bank_projection_lag_seconds).toBe(0);
    const read = await get(`${queryApi()}/api/v1/accounts/${id}`);
    expect(read.body).toMatchObject({ version: 7, balance: '6.00' });
    // The first probe runs as the app starts, before Dapr's redelivery (retried with backoff while
    // the app was down) has brought the five deposits: it sees them behind. The int test
    // (projections/src/lag.int.test.ts) pins the figures without depending on timing.
    expect(seen.some((n) => n > 0)).toBe(true);
  });
});

describe('the Kubernetes rebuild Job (deploy/kubernetes/jobs/rebuild.yaml), as built', () => {
  /**
   * A daprd of its own beside the Job's entry point, in the stack's mTLS, as the Job's pod has:
   * with the Job's app id the projections app's access-control policy lets it start a rebuild;
   * with any other id, it is refused.
   */
  const sidecarFor = (appId: string, port: number) =>
    spawn(
      process.env.DAPRD_PATH!,
      [
        ['--app-id', appId],
        ['--dapr-http-port', String(port)],
        ['--dapr-grpc-port', String(port + 1)],
        ['--dapr-internal-grpc-port', String(port + 2)],
        ['--metrics-port', String(port + 3)],
        ['--dapr-listen-addresses', '127.0.0.1'],
        ['--dapr-internal-grpc-listen-address', '127.0.0.1'],
        ['--metrics-listen-address', '127.0.0.1'],
        ['--config', process.env.DAPR_CONFIG_PATH!],
        ['--placement-host-address', process.env.PLACEMENT_ADDRESS!],
        ['--scheduler-host-address', process.env.SCHEDULER_ADDRESS!],
        ['--enable-mtls', '--sentry-address', process.env.SENTRY_ADDRESS!],
        ['--log-level', 'warn'],
      ].flat(),
      {
        stdio: 'ignore',
        env: { ...process.env, DAPR_TRUST_ANCHORS: fs.readFileSync(process.env.BANK_TRUST_ANCHORS_FILE!, 'utf8') },
      },
    );
  const runJob = (port: number, token: string) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, 'projections', 'dist', 'rebuild-job.js')], {
        env: {
          ...process.env,
          DAPR_HTTP_PORT: String(port),
          BANK_TOKEN: token,
          PROJECTIONS_APP_ID: daprAppIdOf('projections'),
        },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (code) => resolve({ code, out }));
    });

  it('rebuilds through a sidecar with its app id, shuts that sidecar down; another app id is refused', async () => {
    const base = Number(process.env.TEST_FREE_PORT_BASE) + 20;
    const admin = await tokenFor(`job-${randomUUID()}`, ['admin']);
    const stranger = sidecarFor(daprAppIdOf('projections').replace('projections', 'not-the-job'), base + 10);
    try {
      const refused = await runJob(base + 10, admin);
      expect([refused.code, refused.out]).toEqual([1, expect.stringMatching(/403|PermissionDenied|access control/i)]);
    } finally {
      stranger.kill('SIGTERM');
    }
    await caughtUp();
    const before = await liveGeneration();
    const job = sidecarFor(daprAppIdOf('projections').replace('projections', 'read-model-rebuild'), base);
    const exited = new Promise((r) => job.once('exit', r));
    const run = await runJob(base, admin);
    expect([run.code, run.out]).toEqual([0, expect.stringContaining(`Rebuilt generation ${before + 1} `)]);
    expect(await liveGeneration()).toBe(before + 1);
    // The Job ends its sidecar, so that its pod completes.
    await Promise.race([exited, sleep(15_000).then(() => job.kill('SIGKILL'))]);
    expect(job.exitCode ?? job.signalCode).not.toBe('SIGKILL');
  });
});

describe('upgrade from an earlier read-model layout', () => {
  it('rebuilds at start when account documents predate history buckets or month documents; their reads answer 503 until the switch', async () => {
    const opened = await post(`${commandApi()}/api/v1/accounts`, {
      ownerId: 'upgrade',
      ownerName: 'Up Grade',
      type: 'CHECKING',
      currency: 'USD',
    });
    const id = opened.body.accountId as string;
    for (let i = 0; i < 3; i++) expect((await money(id, 'deposits', '1')).status).toBe(201);
    expect((await get(`${queryApi()}/api/v1/accounts/${id}?minVersion=4`)).status).toBe(200);
    const before = await liveGeneration();

    await control('kill', 'projections');
    const live = (name: string) => db().collection(generationCollection(name, before));
    // Layout 2 (a document per day): the history is served, the daily balances wait for the move.
    await live(READ_MODEL_COLLECTIONS.accounts).updateOne({ _id: id as never }, { $set: { layout: 2 } });
    expect((await get(`${queryApi()}/api/v1/accounts/${id}/transactions`)).status).toBe(200);
    const days = await get(`${queryApi()}/api/v1/accounts/${id}/daily-balances`);
    expect([days.status, days.body.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    // Layout 1: no `layout`, no history buckets.
    await live(READ_MODEL_COLLECTIONS.accounts).updateOne({ _id: id as never }, { $unset: { layout: '' } });
    await live(READ_MODEL_COLLECTIONS.history).deleteMany({ accountId: id });
    const early = await get(`${queryApi()}/api/v1/accounts/${id}/transactions`);
    expect([early.status, early.body.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);

    await control('restart', 'projections');
    const deadline = Date.now() + 90_000;
    while ((await liveGeneration()) === before) {
      if (Date.now() > deadline) throw new Error('projections did not rebuild the earlier layout');
      await sleep(200);
    }
    await sleep(1_500); // the query API re-reads the live pointer every second
    const history = await get(`${queryApi()}/api/v1/accounts/${id}/transactions`);
    expect(history.status).toBe(200);
    expect(history.body.items.map((t: { amount: string }) => t.amount)).toEqual(['1.00', '1.00', '1.00']);
    const daily = await get(`${queryApi()}/api/v1/accounts/${id}/daily-balances`);
    expect(daily.status).toBe(200);
    expect(daily.body.items.at(-1)).toMatchObject({ closingBalance: '3.00' });
  });
});
