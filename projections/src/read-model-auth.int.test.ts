import { MongoClient } from 'mongodb';

// The read model's server refuses a client that does not give the role's password: FerretDB
// passes the user name and password (PLAIN) through to PostgreSQL, which asks for them over TCP
// (scripts/stack/postgres.mjs). On FerretDB's SQLite backend there is no authentication at all.
const onPostgres = process.env.BANK_TEST_READ_MODEL_BACKEND === 'postgresql';

async function count(url: string): Promise<number | string> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
  try {
    return await client.db('bank').collection('accounts').countDocuments();
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.close();
  }
}

(onPostgres ? it : it.skip)('refuses clients without the read model role’s password', async () => {
  const good = new URL(process.env.MONGO_URL!);
  expect(good.password).not.toBe('');
  expect(await count(good.toString())).toEqual(expect.any(Number));

  const anonymous = new URL(good);
  anonymous.username = '';
  anonymous.password = '';
  anonymous.search = '';
  const wrong = new URL(good);
  wrong.password = 'not-the-password';
  const superuser = new URL(good);
  superuser.username = 'postgres';
  superuser.password = 'postgres';
  for (const url of [anonymous, wrong, superuser]) {
    expect([url.username, await count(url.toString())]).toEqual([
      url.username,
      expect.stringMatching(/password authentication failed|authentication/i),
    ]);
  }
});
