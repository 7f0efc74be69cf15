import { randomUUID } from 'node:crypto';
import type { AccountActorRequest } from '@bank/contracts';
import type { EventLogClient } from '@bank/service-kit';
import { catchUp, emptySnapshot, execute, type ExecuteDeps } from './execute';
import { FakeLog, openRequest } from './fixtures.test';

function setup() {
  const log = new FakeLog();
  const deps: ExecuteDeps = {
    eventLog: log as unknown as EventLogClient,
    now: () => new Date('2026-11-22T10:00:00.000Z'),
    newId: randomUUID,
    sleep: async () => undefined,
  };
  return { log, deps };
}

const open = openRequest;
const deposit = (amount: string, extra: Partial<AccountActorRequest> = {}): AccountActorRequest =>
  ({ type: 'Deposit', correlationId: 'c', transactionId: randomUUID(), amount, ...extra }) as AccountActorRequest;
const hex = (c: string) => c.repeat(64);

describe('BankAccount actor logic (execute)', () => {
  it('appends, then reports the account and the balance after each event', async () => {
    const { log, deps } = setup();
    const { result, snapshot } = await execute(deps, 'a1', emptySnapshot(), open);
    expect(result).toMatchObject({ ok: true, version: 2, account: { balance: 1000 } });
    expect(result.ok && result.appended.map((e) => [e.type, e.balanceAfter])).toEqual([
      ['AccountOpened', 0],
      ['MoneyDeposited', 1000],
    ]);
    expect(snapshot.version).toBe(2);
    expect(log.events.map((e) => e.schemaVersion)).toEqual([2, 3]);
    expect(log.events[1]!.data).toMatchObject({ amount: '1000', balanceAfter: '1000' });
  });

  it('catches up from the log when its snapshot is stale, then decides again', async () => {
    const { log, deps } = setup();
    const stale = (await execute(deps, 'a1', emptySnapshot(), open)).snapshot;
    await execute(deps, 'a1', stale, deposit('5')); // moves the log to v3
    const { result } = await execute(deps, 'a1', stale, deposit('1')); // still believes v2
    expect(result).toMatchObject({ ok: true, version: 4, account: { balance: 1600 } });
    expect(log.events).toHaveLength(4);
  });

  it('checks If-Match against the log, not only the snapshot', async () => {
    const { deps } = setup();
    const stale = (await execute(deps, 'a1', emptySnapshot(), open)).snapshot;
    await execute(deps, 'a1', stale, deposit('5'));
    expect((await execute(deps, 'a1', stale, deposit('1', { expectedVersion: 3 }))).result).toMatchObject({ ok: true });
    expect((await execute(deps, 'a1', stale, deposit('1', { expectedVersion: 3 }))).result).toMatchObject({
      ok: false,
      error: { code: 'VERSION_CONFLICT' },
    });
  });

  it('replays a used key, refuses it for another request, and leaves the snapshot alone', async () => {
    const { log, deps } = setup();
    const s = (await execute(deps, 'a1', emptySnapshot(), open)).snapshot;
    const idempotency = { keyHash: hex('a'), requestHash: hex('b') };
    const first = await execute(deps, 'a1', s, deposit('5', { idempotency }));
    const again = await execute(deps, 'a1', first.snapshot, deposit('5', { idempotency }));
    expect(again.result).toEqual({ ...first.result, replayed: true });
    expect(again.snapshot).toBe(first.snapshot);
    const other = await execute(
      deps,
      'a1',
      first.snapshot,
      deposit('6', { idempotency: { ...idempotency, requestHash: hex('c') } }),
    );
    expect(other.result).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(log.events).toHaveLength(3);
  });

  it('reads a key record only before refusing: a keyed success costs one call to the log', async () => {
    const { log, deps } = setup();
    const s = (await execute(deps, 'a1', emptySnapshot(), open)).snapshot;
    const lookups = jest.spyOn(log, 'idempotencyRecord');
    const idempotency = { keyHash: hex('d'), requestHash: hex('e') };
    await execute(deps, 'a1', s, deposit('5', { idempotency }));
    expect(lookups).not.toHaveBeenCalled();
  });

  it('replays the first answer of a key even when the request would now be refused', async () => {
    const { log, deps } = setup();
    const s = (await execute(deps, 'a1', emptySnapshot(), open)).snapshot; // balance 10.00
    const idempotency = { keyHash: hex('f'), requestHash: hex('0') };
    const withdraw = { type: 'Withdraw', correlationId: 'c', transactionId: randomUUID(), amount: '8.00', idempotency };
    const first = await execute(deps, 'a1', s, withdraw as AccountActorRequest);
    expect(first.result).toMatchObject({ ok: true, version: 3 });
    // Only 2.00 left: deciding again would refuse with INSUFFICIENT_FUNDS; the key answers first.
    const again = await execute(deps, 'a1', first.snapshot, withdraw as AccountActorRequest);
    expect(again.result).toEqual({ ...first.result, replayed: true });
    // Same for a stale If-Match: the key's first answer, not VERSION_CONFLICT.
    const pinned = await execute(deps, 'a1', first.snapshot, {
      ...withdraw,
      expectedVersion: 2,
    } as AccountActorRequest);
    expect(pinned.result).toEqual({ ...first.result, replayed: true });
    expect(log.events).toHaveLength(3);
  });

  it('retries an append whose outcome is unknown, and gives up with SERVICE_UNAVAILABLE', async () => {
    const { log, deps } = setup();
    const s = (await execute(deps, 'a1', emptySnapshot(), open)).snapshot;
    log.failNext = 2;
    expect((await execute(deps, 'a1', s, deposit('1'))).result).toMatchObject({ ok: true, version: 3 });
    log.failNext = 99;
    const down = await execute(deps, 'a1', await catchUp(deps.eventLog, 'a1', s), deposit('1'));
    expect(down.result).toMatchObject({ ok: false, error: { code: 'SERVICE_UNAVAILABLE' } });
    expect(down.snapshot.version).toBe(3);
  });

  it('discards a snapshot that is ahead of the log and rebuilds from the log', async () => {
    const { log, deps } = setup();
    const real = (await execute(deps, 'a1', emptySnapshot(), open)).snapshot;
    const impossible = { ...real, version: 50 };
    expect(await catchUp(deps.eventLog, 'a1', impossible)).toEqual(real);
    expect(
      (await execute(deps, 'a1', await catchUp(deps.eventLog, 'a1', impossible), deposit('1'))).result,
    ).toMatchObject({
      ok: true,
      version: 3,
    });
    expect(log.events).toHaveLength(3);
  });

  it('refuses an amount with more digits than the currency has, appending nothing', async () => {
    const { log, deps } = setup();
    const s = (await execute(deps, 'a1', emptySnapshot(), open)).snapshot;
    expect((await execute(deps, 'a1', s, deposit('0.001'))).result).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    expect((await execute(deps, 'a1', s, deposit('1000000000.01'))).result).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(log.events).toHaveLength(2);
  });
});
