/**
 * What the BankAccount actor does with one command: the account's own part of it. Catching up,
 * the version check, idempotency and the append with its retries are the command handler's
 * (command-handler.ts); the bank's rules are the decider's (packages/domain/src/account/decider.ts).
 * Here: the account as an aggregate, who may touch it, and the answer the caller gets.
 */
import {
  bankAccount,
  encodeAccountEvent,
  movementOf,
  toAccountEvent,
  type AccountEvent,
  type AccountState,
  type StoredEvent,
} from '@bank/domain';
import { type AccountActorRequest, type AccountActorResult, type AccountActorSuccess } from '@bank/contracts';
import {
  catchUp as catchUpStream,
  emptySnapshot as emptyStream,
  handleCommand,
  toStored,
  type Aggregate,
  type HandlerDeps,
  type Snapshot as StreamSnapshot,
} from './command-handler';
import { toCommand } from './to-command';

/** The actor's persisted state: the account as of `version` events. */
export type Snapshot = StreamSnapshot<AccountState>;
export type ExecuteDeps = HandlerDeps;

/** The account as the command handler sees it: the decider's fold, and the balance recorded on each movement. */
export const accountAggregate: Aggregate<AccountState, AccountEvent> = {
  name: 'account',
  initialState: bankAccount.initialState,
  evolve: bankAccount.evolve,
  encode: (event, after) => encodeAccountEvent(event, after.status === 'NONE' ? undefined : after.balance),
  decode: toAccountEvent,
};

export const emptySnapshot = (): Snapshot => emptyStream(accountAggregate);

export const catchUp = (eventLog: HandlerDeps['eventLog'], accountId: string, snapshot: Snapshot): Promise<Snapshot> =>
  catchUpStream(accountAggregate, eventLog, accountId, snapshot);

/** Decided account events as the log stores them (a transfer step appends them with its own). */
export const storedAccountEvents = (
  deps: Pick<HandlerDeps, 'now' | 'newId' | 'traceparent'>,
  accountId: string,
  snapshot: Snapshot,
  events: AccountEvent[],
  correlationId: string,
): StoredEvent[] => toStored(accountAggregate, deps, accountId, snapshot, events, correlationId);

export async function execute(
  deps: ExecuteDeps,
  accountId: string,
  initial: Snapshot,
  request: AccountActorRequest,
): Promise<{ result: AccountActorResult; snapshot: Snapshot }> {
  return handleCommand(deps, accountAggregate, accountId, initial, {
    correlationId: request.correlationId,
    expectedVersion: request.expectedVersion,
    idempotency: request.idempotency,
    // Before anything that could tell a stranger about the account (its version, its rules).
    guard: (snapshot) =>
      isSomeoneElses(request, snapshot)
        ? { ok: false, error: { code: 'ACCOUNT_NOT_FOUND', message: `account ${accountId} does not exist` } }
        : undefined,
    decide: (state) => bankAccount.decide(toCommand(request, accountId, state, deps.newId), state),
    answer: success,
  });
}

/** A customer's command (it names its owner) on an account that belongs to another owner. */
function isSomeoneElses(request: AccountActorRequest, snapshot: Snapshot): boolean {
  return (
    request.onlyOwner !== undefined &&
    request.type !== 'OpenAccount' &&
    snapshot.state.status !== 'NONE' &&
    snapshot.state.ownerId !== request.onlyOwner
  );
}

/** The answer for the caller: the account after the command, and what each event did with the balance after it. */
function success(before: Snapshot, stored: StoredEvent[], after: Snapshot): AccountActorSuccess {
  const account = after.state;
  if (account.status === 'NONE') throw new Error('a successful command left the account unopened');
  let state = before.state;
  const appended = stored.map((s) => {
    const event = toAccountEvent(s);
    state = bankAccount.evolve(state, event);
    const balanceAfter = state.status === 'NONE' ? 0 : state.balance;
    const view = { type: s.type, version: s.version, occurredAt: s.occurredAt, balanceAfter };
    const movement = movementOf(event);
    return movement ? { ...view, transactionId: movement.transactionId, amount: movement.amount } : view;
  });
  return { ok: true, version: after.version, account, appended };
}
