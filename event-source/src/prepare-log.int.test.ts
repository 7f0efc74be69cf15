import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { ImmuClient } from './immudb/client';

// The init step Kubernetes runs before event-source (deploy/kubernetes/apps.yaml), as built:
// the log's database and its user, made by ImmuDB's administrator; then the user works.
it('prepares a log database and its user as the administrator, and the user logs in to it', () => {
  const database = `it${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  // A user of its own: changing the stack's log user would end event-source's sessions.
  const user = `u${database}`;
  const prepare = () =>
    spawnSync('node', [path.join(__dirname, '..', 'dist', 'prepare-log.js')], {
      encoding: 'utf8',
      env: {
        ...process.env,
        IMMUDB_ADMIN_PASSWORD: process.env.IMMUDB_PASSWORD!, // the test stack's admin
        IMMUDB_LOG_PASSWORD: process.env.BANK_TEST_IMMUDB_LOG_PASSWORD!,
        IMMUDB_LOG_USER: user,
        IMMUDB_DATABASE: database,
      },
    });
  const first = prepare();
  expect([first.status, first.stdout + first.stderr]).toEqual([
    0,
    expect.stringContaining('event log database created'),
  ]);
  const again = prepare();
  expect([again.status, again.stdout]).toEqual([0, expect.stringContaining('event log database found')]);
  return (async () => {
    const session = new ImmuClient({
      address: process.env.IMMUDB_ADDRESS!,
      user,
      password: process.env.BANK_TEST_IMMUDB_LOG_PASSWORD!,
      database,
    });
    const key = Buffer.from('k');
    expect((await session.set([{ key, value: Buffer.from('v') }], [{ keyMustNotExist: { key } }])).id).toBeGreaterThan(
      0,
    );
    await session.close();
  })();
});
