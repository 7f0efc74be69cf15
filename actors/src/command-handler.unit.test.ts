import { randomUUID } from 'node:crypto';
import { DomainError } from '@bank/domain';
import type { EventLogClient } from '@bank/service-kit';
import { emptySnapshot, handleCommand, type Aggregate, type HandlerDeps, type Snapshot } from './command-handler';
import { FakeLog } from './fixtures.test';

/**
 * Another aggregate than the account, to show what the handler asks of one: a decider's fold, a
 * codec, and per command a decision and an answer. A counter that may not go below zero.
 */
type Added = { type: 'Added'; data: { by: number } };
const counter: Aggregate<number, Added> = {
  name: 'counter',
  initialState: () => 0,
  evolve: (total, e) => total + e.data.by,
  encode: (e) => ({ type: e.type, schemaVersion: 1, data: { by: e.data.by } }),
  decode: (stored) => ({ type: 'Added', data: stored.data as { by: number } }),
};
const add = (
  by: number,
  extra: { expectedVersion?: number; idempotency?: { keyHash: string; requestHash: string } } = {},
) => ({
  correlationId: 'c',
  ...extra,
  decide: (total: number): Added[] => {
    if (total + by < 0) throw new DomainError('INSUFFICIENT_FUNDS', 'the counter may not go below zero');
    return [{ type: 'Added', data: { by } }];
  },
  answer: (_before: Snapshot<number>, _stored: unknown, after: Snapshot<number>) => ({
    ok: true as const,
    total: after.state,
    version: after.version,
  }),
});

function setup() {
  const log = new FakeLog();
  const deps: HandlerDeps = {
    eventLog: log as unknown as EventLogClient,
    now: () => new Date('2026-12-06T10:00:00.000Z'),
    newId: randomUUID,
    sleep: async () => undefined,
  };
  return { log, deps };
}

describe('command handler, for any aggregate', () => {
  it('decides, appends at the expected version, and answers from the state after', async () => {
    const { log, deps } = setup();
    const first = await handleCommand(deps, counter, 'n1', emptySnapshot(counter), add(5));
    expect(first.result).toEqual({ ok: true, total: 5, version: 1 });
    const second = await handleCommand(deps, counter, 'n1', first.snapshot, add(-2));
    expect(second.result).toEqual({ ok: true, total: 3, version: 2 });
    expect(log.events.map((e) => [e.version, e.data])).toEqual([
      [1, { by: 5 }],
      [2, { by: -2 }],
    ]);
  });

  it("refuses with the decider's DomainError, and catches up from the log when its snapshot is stale", async () => {
    const { deps } = setup();
    const stale = (await handleCommand(deps, counter, 'n1', emptySnapshot(counter), add(5))).snapshot;
    await handleCommand(deps, counter, 'n1', stale, add(-5)); // the log is at 0 now; `stale` says 5
    const refused = await handleCommand(deps, counter, 'n1', stale, add(-1));
    // Decided on the stale snapshot (5 - 1 is fine), the append conflicts; caught up, it is refused.
    expect(refused.result).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_FUNDS' } });
    expect(refused.snapshot).toEqual({ version: 2, state: 0 });
  });

  it('checks If-Match against the log, naming the aggregate', async () => {
    const { deps } = setup();
    const s = (await handleCommand(deps, counter, 'n1', emptySnapshot(counter), add(1))).snapshot;
    const conflict = await handleCommand(deps, counter, 'n1', s, add(1, { expectedVersion: 0 }));
    expect(conflict.result).toEqual({
      ok: false,
      error: { code: 'VERSION_CONFLICT', message: 'counter is at version 1, not 0' },
    });
  });

  it('replays an Idempotency-Key with its first answer, and refuses it for another request', async () => {
    const { log, deps } = setup();
    const idempotency = { keyHash: 'a'.repeat(64), requestHash: 'b'.repeat(64) };
    const first = await handleCommand(deps, counter, 'n1', emptySnapshot(counter), add(5, { idempotency }));
    const again = await handleCommand(deps, counter, 'n1', first.snapshot, add(5, { idempotency }));
    expect(again.result).toEqual({ ...first.result, replayed: true });
    const other = { ...idempotency, requestHash: 'c'.repeat(64) };
    expect(
      (await handleCommand(deps, counter, 'n1', first.snapshot, add(7, { idempotency: other }))).result,
    ).toMatchObject({
      ok: false,
      error: { code: 'IDEMPOTENCY_KEY_REUSED' },
    });
    expect(log.events).toHaveLength(1);
  });
});
