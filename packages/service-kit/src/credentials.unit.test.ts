import { credential, readModelUrl, requiredCredential } from './credentials';
import type { DaprSidecar } from './dapr';

// A sidecar whose secret store holds one secret; records what was asked of it.
const asked: string[] = [];
const sidecar = {
  waitUntilHealthy: async () => undefined,
  getSecret: async (store: string, name: string) => {
    asked.push(`${store}/${name}`);
    return name === 'read-model-password' ? { [name]: 's3cret/with:chars' } : {};
  },
} as unknown as DaprSidecar;

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  asked.length = 0;
});

it('takes the environment variable first, without asking the secret store', async () => {
  process.env.MONGO_PASSWORD = 'from-env';
  process.env.MONGO_PASSWORD_SECRET = 'read-model-password';
  process.env.SECRET_STORE = 'store';
  expect(await credential(sidecar, 'MONGO_PASSWORD')).toBe('from-env');
  expect(asked).toEqual([]);
});

it('reads the named secret of the secret store otherwise', async () => {
  process.env.MONGO_PASSWORD_SECRET = 'read-model-password';
  process.env.SECRET_STORE = 'store';
  expect(await credential(sidecar, 'MONGO_PASSWORD')).toBe('s3cret/with:chars');
  expect(asked).toEqual(['store/read-model-password']);
});

it('says what is missing', async () => {
  expect(await credential(sidecar, 'IMMUDB_PASSWORD')).toBeUndefined();
  await expect(requiredCredential(sidecar, 'IMMUDB_PASSWORD')).rejects.toThrow(/IMMUDB_PASSWORD_SECRET/);
  process.env.IMMUDB_PASSWORD_SECRET = 'immudb-log-password';
  await expect(credential(sidecar, 'IMMUDB_PASSWORD')).rejects.toThrow(/SECRET_STORE/);
  process.env.SECRET_STORE = 'store';
  await expect(credential(sidecar, 'IMMUDB_PASSWORD')).rejects.toThrow(/no secret immudb-log-password/);
});

it('puts the read model password into the URL of the user it names, escaped', async () => {
  process.env.MONGO_URL = 'mongodb://bank@127.0.0.1:27017/?authMechanism=PLAIN';
  expect(await readModelUrl(sidecar)).toBe('mongodb://bank@127.0.0.1:27017/?authMechanism=PLAIN');
  process.env.MONGO_PASSWORD_SECRET = 'read-model-password';
  process.env.SECRET_STORE = 'store';
  const url = new URL(await readModelUrl(sidecar));
  expect([url.username, decodeURIComponent(url.password), url.search]).toEqual([
    'bank',
    's3cret/with:chars',
    '?authMechanism=PLAIN',
  ]);
  process.env.MONGO_URL = 'mongodb://127.0.0.1:27017/';
  await expect(readModelUrl(sidecar)).rejects.toThrow(/names no user/);
});
