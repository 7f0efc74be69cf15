// Baselines measured in the same run, so every end-to-end figure can be read as a ratio of
// what the parts underneath it can do on this machine at this moment.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { closedLoop, load } from '../lib/load.mjs';
import { logBaselines } from './log-baselines.mjs';

const require = createRequire(import.meta.url);
// The projections' version-guarded write, both ways (see projections/src/version-guard.ts).
const { guardedUpdate } = require('../../projections/dist/version-guard.js');

export async function baselines({ stack, dataDir, seconds, say }) {
  const env = stack.env;
  say('baseline: disk fsync rate');
  const fsync = fsyncRate(dataDir, seconds);

  const log = await logBaselines({ env, seconds, say });
  // Kept under their old names for comparison with earlier runs: ImmuDB's default settings.
  const immudbSequential = log.defaultSettings.sequential;
  const immudbConcurrent = log.defaultSettings.concurrent;

  say('baseline: raw FerretDB upserts and reads');
  const mongo = new MongoClient(env.MONGO_URL);
  await mongo.connect();
  // The documents exist before the clock starts: FerretDB's upsert is a find then an insert, so
  // two concurrent first upserts of one _id fail with a duplicate key.
  const thousandDocs = async (name, fields) => {
    // Their _id is a string (d0 … d999), not the driver's default ObjectId.
    const c = /** @type {import('mongodb').Collection<import('mongodb').Document & { _id: string }>} */ (
      mongo.db('bench_raw').collection(name)
    );
    await c.deleteMany({});
    await c.insertMany(Array.from({ length: 1000 }, (_, i) => ({ _id: `d${i}`, ...fields })));
    return c;
  };
  const coll = await thousandDocs('docs', { v: 0 });
  const ferretUpserts = await closedLoop(
    (i) => coll.updateOne({ _id: `d${i % 1000}` }, { $set: { v: i } }, { upsert: true }),
    { seconds, concurrency: 16 },
  );
  const ferretReads = await closedLoop((i) => coll.findOne({ _id: `d${i % 1000}` }), { seconds, concurrency: 16 });

  say('baseline: version-guarded updates over 1 000 documents, condition in the filter vs checked by the projector');
  const guarded = await thousandDocs('guarded', { version: 0 });
  const guardedWrite = (mode) => (i) =>
    guardedUpdate(mode, guarded, `d${i % 1000}`, { $lt: Number.MAX_SAFE_INTEGER }, { $inc: { version: 1 } });
  const guardedServer = await closedLoop(guardedWrite('server'), { seconds, concurrency: 16 });
  const guardedClient = await closedLoop(guardedWrite('client'), { seconds, concurrency: 16 });
  await mongo.close();

  say('baseline: raw Dapr actor calls on an empty actor (Ping), through a sidecar');
  const sidecar = `http://127.0.0.1:${stack.layout.apps['command-api'].daprHTTPPort}`;
  const daprActor = await load({
    url: sidecar,
    connections: 16,
    seconds,
    requests: [
      {
        method: 'PUT',
        setupRequest: (req) => ({ ...req, path: `/v1.0/actors/Ping/p${Math.floor(Math.random() * 1000)}/method/ping` }),
      },
    ],
  });

  return {
    fsync,
    log,
    immudbSequential,
    immudbConcurrent,
    ferretUpserts,
    ferretReads,
    guardedServer,
    guardedClient,
    daprActor,
  };
}

/** fsync()s per second of a 4 KiB write on the disk that holds the data (what synced ImmuDB commits pay). */
function fsyncRate(dir, seconds) {
  const file = path.join(dir, 'fsync-probe');
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  const deadline = Date.now() + Math.min(seconds, 3) * 1000;
  let n = 0;
  const start = performance.now();
  while (Date.now() < deadline) {
    fs.writeSync(fd, block, 0, block.length, 0);
    fs.fsyncSync(fd);
    n++;
  }
  const elapsed = (performance.now() - start) / 1000;
  fs.closeSync(fd);
  fs.rmSync(file);
  return { fsyncsPerSec: Math.round(n / elapsed), meanMs: Math.round((elapsed * 1000 * 100) / n) / 100 };
}
