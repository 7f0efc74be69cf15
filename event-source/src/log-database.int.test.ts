import { randomUUID } from 'node:crypto';
import { ImmuClient } from './immudb/client';
import { ensureLogDatabase, ensureLogUser, LOG_DATABASE_SETTINGS, LOG_USER } from './log-database';

const login = {
  address: process.env.IMMUDB_ADDRESS!,
  user: process.env.IMMUDB_USER!,
  password: process.env.IMMUDB_PASSWORD!,
};

describe('the log database on a real ImmuDB', () => {
  it('is created once with the tuned sync frequency, then found as it is', async () => {
    const name = `it${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    expect(await ensureLogDatabase(login, name)).toEqual({
      created: true,
      syncFrequencyMs: LOG_DATABASE_SETTINGS.syncFrequencyMs,
    });
    expect(await ensureLogDatabase(login, name)).toEqual({
      created: false,
      syncFrequencyMs: LOG_DATABASE_SETTINGS.syncFrequencyMs,
    });
    const db = new ImmuClient({ ...login, database: name });
    const key = Buffer.from('k');
    expect((await db.set([{ key, value: Buffer.from('v') }], [{ keyMustNotExist: { key } }])).id).toBeGreaterThan(0);
    await db.close();
  });

  it('is the one the test stack runs on', async () => {
    expect(process.env.IMMUDB_DATABASE).toBe('bank');
  });
});

describe("the log's own user", () => {
  const logUser = { address: login.address, user: LOG_USER, password: process.env.BANK_TEST_IMMUDB_LOG_PASSWORD! };

  it('reads and writes the log database, and nothing else', async () => {
    const own = new ImmuClient({ ...logUser, database: process.env.IMMUDB_DATABASE! });
    const key = Buffer.from(`it-credentials-${randomUUID()}`);
    expect((await own.set([{ key, value: Buffer.from('v') }], [{ keyMustNotExist: { key } }])).id).toBeGreaterThan(0);
    expect((await own.scan(key, { limit: 1 })).map((e) => e.value.toString())).toEqual(['v']);
    await expect(own.createDatabase('itforbidden', LOG_DATABASE_SETTINGS)).rejects.toThrow();
    await own.close();
    const other = new ImmuClient({ ...logUser, database: 'defaultdb' });
    await expect(other.open()).rejects.toThrow();
    await other.close();
    // event-source's start with it finds the database without being allowed to create one.
    expect(await ensureLogDatabase(logUser, process.env.IMMUDB_DATABASE!)).toEqual({
      created: false,
      syncFrequencyMs: undefined,
    });
  });

  it('is kept at the installation password, and the admin no longer answers to the default one', async () => {
    expect(await ensureLogUser(login, process.env.IMMUDB_DATABASE!, logUser.password)).toEqual({ created: false });
    const defaultAdmin = new ImmuClient({ ...login, password: 'immudb', database: 'defaultdb' });
    await expect(defaultAdmin.open()).rejects.toThrow();
    await defaultAdmin.close();
  });
});
