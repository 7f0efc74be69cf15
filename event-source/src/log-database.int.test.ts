import { randomUUID } from 'node:crypto';
import { ImmuClient } from './immudb/client';
import { ensureLogDatabase, LOG_DATABASE_SETTINGS } from './log-database';

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
