import { ApiError, DaprSidecar } from '@bank/service-kit';
import { AccountActors } from './account-client';
import { AccountDirectory } from './account-directory';

describe('AccountActors', () => {
  const unreachable = () => new DaprSidecar({ host: '127.0.0.1', httpPort: 1, timeoutMs: 500 });

  it('answers SERVICE_UNAVAILABLE (503) when the sidecar cannot be reached', async () => {
    const actors = new AccountActors(unreachable(), new AccountDirectory(async () => true));
    const err = await actors.execute('a1', { type: 'Unfreeze', correlationId: 'c' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
  });

  it('answers ACCOUNT_NOT_FOUND for an account the log does not have, without calling any actor', async () => {
    const asked: string[] = [];
    const directory = new AccountDirectory(async (id) => (asked.push(id), false));
    const err = await new AccountActors(unreachable(), directory)
      .execute('nobody', { type: 'Unfreeze', correlationId: 'c' })
      .catch((e: unknown) => e);
    // Not SERVICE_UNAVAILABLE: the (unreachable) sidecar was never called.
    expect(err).toMatchObject({ code: 'ACCOUNT_NOT_FOUND', status: 404 });
    expect(asked).toEqual(['nobody']);
  });
});

describe('AccountDirectory', () => {
  it('remembers the accounts that exist, and asks again about the ones that did not', async () => {
    const answers = new Map([['a', true]]);
    const asked: string[] = [];
    const directory = new AccountDirectory(async (id) => (asked.push(id), answers.get(id) ?? false));
    await directory.mustExist('a');
    await directory.mustExist('a');
    await expect(directory.mustExist('b')).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    answers.set('b', true); // opened meanwhile
    await directory.mustExist('b');
    await directory.mustExist('b');
    expect(asked).toEqual(['a', 'b', 'b']);
  });

  it('keeps the most recently used ids within its capacity', async () => {
    const asked: string[] = [];
    const directory = new AccountDirectory(async (id) => (asked.push(id), true), 2);
    directory.remember('a');
    directory.remember('b');
    await directory.mustExist('a'); // a is now the most recent
    directory.remember('c'); // b goes
    await directory.mustExist('a');
    await directory.mustExist('c');
    await directory.mustExist('b');
    expect(asked).toEqual(['b']);
  });

  it('says SERVICE_UNAVAILABLE when the log cannot answer', async () => {
    const directory = new AccountDirectory(async () => {
      throw new Error('down');
    });
    await expect(directory.mustExist('a')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
