import { ApiError, DaprSidecar } from '@bank/service-kit';
import { AccountActors } from './account-client';

describe('AccountActors', () => {
  it('answers SERVICE_UNAVAILABLE (503) when the sidecar cannot be reached', async () => {
    const actors = new AccountActors(new DaprSidecar({ host: '127.0.0.1', httpPort: 1, timeoutMs: 500 }));
    const err = await actors.execute('a1', { type: 'Unfreeze', correlationId: 'c' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
  });
});
