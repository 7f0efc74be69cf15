import { randomUUID } from 'node:crypto';
import { Int32, Long, MongoClient, type Collection } from 'mongodb';
import { guardedUpdate, type GuardMode } from './version-guard';

type Doc = { _id: string; version: number; total?: Long; note?: string; createdBy?: string };

const mongo = new MongoClient(process.env.MONGO_URL!);
beforeAll(() => mongo.connect());
afterAll(() => mongo.close());

const raw = { promoteValues: false } as const;
const bump = (version: number, amount: number) => ({
  $setOnInsert: { createdBy: 'first' },
  $inc: { total: Long.fromNumber(amount) },
  $set: { version, note: `v${version}` },
});

describe.each(['server', 'client'] as const)('guardedUpdate, condition checked by the %s', (mode: GuardMode) => {
  let docs: Collection<Doc>;
  beforeAll(() => {
    docs = mongo.db(`it_guard_${randomUUID().slice(0, 8)}`).collection<Doc>('docs');
  });

  it('writes when the version equals the guard, and refuses (writing nothing) when it does not', async () => {
    await docs.insertOne({ _id: 'eq', version: 3, total: Long.fromNumber(10) });
    expect(await guardedUpdate(mode, docs, 'eq', 2, bump(4, 5))).toBe(false);
    expect(await docs.findOne({ _id: 'eq' })).toMatchObject({ version: 3, total: 10 });
    expect(await guardedUpdate(mode, docs, 'eq', 3, bump(4, 5))).toBe(true);
    expect(await docs.findOne({ _id: 'eq' })).toMatchObject({ version: 4, total: 15, note: 'v4' });
  });

  it('with $lt, writes only below the bound', async () => {
    await docs.insertOne({ _id: 'lt', version: 5, total: Long.fromNumber(0) });
    expect(await guardedUpdate(mode, docs, 'lt', { $lt: 5 }, bump(5, 1), { upsert: true })).toBe(false);
    expect(await guardedUpdate(mode, docs, 'lt', { $lt: 6 }, bump(6, 1), { upsert: true })).toBe(true);
    expect(await docs.findOne({ _id: 'lt' })).toMatchObject({ version: 6, total: 1 });
  });

  it('creates a missing document only when asked to, as an upsert of the same update would', async () => {
    expect(await guardedUpdate(mode, docs, 'absent', 1, bump(1, 7))).toBe(false);
    expect(await docs.findOne({ _id: 'absent' })).toBeNull();
    expect(await guardedUpdate(mode, docs, 'created', { $lt: 1 }, bump(1, 7), { upsert: true })).toBe(true);
    // Stored as MongoDB's upsert stores it: the same fields with the same BSON types.
    expect(await docs.findOne({ _id: 'created' }, raw)).toStrictEqual({
      _id: 'created',
      createdBy: 'first',
      total: Long.fromNumber(7),
      version: new Int32(1),
      note: 'v1',
    });
  });

  it('leaves a document that appeared meanwhile alone, and says it did not write', async () => {
    await docs.insertOne({ _id: 'raced', version: 9, total: Long.fromNumber(100) });
    // In client mode, the read that found nothing happened just before the other writer's insert.
    const blind = new Proxy(docs, {
      get: (target, prop, receiver) =>
        prop === 'findOne' ? async () => null : (Reflect.get(target, prop, receiver) as unknown),
    });
    expect(
      await guardedUpdate(mode, mode === 'client' ? blind : docs, 'raced', { $lt: 1 }, bump(1, 5), { upsert: true }),
    ).toBe(false);
    expect(await docs.findOne({ _id: 'raced' })).toMatchObject({ version: 9, total: 100 });
  });

  it('takes the version its caller has just read instead of reading the document again', async () => {
    await docs.insertOne({ _id: 'known', version: 4, total: Long.fromNumber(0) });
    const noReads = new Proxy(docs, {
      get: (target, prop, receiver) =>
        prop === 'findOne'
          ? () => Promise.reject(new Error('read again'))
          : (Reflect.get(target, prop, receiver) as unknown),
    });
    expect(await guardedUpdate(mode, noReads, 'known', 5, bump(6, 1), { knownVersion: 4 })).toBe(false);
    expect(await guardedUpdate(mode, noReads, 'known', 4, bump(5, 1), { knownVersion: 4 })).toBe(true);
    expect(await docs.findOne({ _id: 'known' })).toMatchObject({ version: 5, total: 1 });
  });
});
