// Test helper (not a test file: no *.unit.test.ts suffix), shared by the decider's tests.
import { DomainError } from '../errors';
import type { AccountCommand } from './commands';
import { bankAccount } from './decider';
import type { AccountEvent } from './events';

/** given(events).when(command) → the events decided, or the error code; `state` is the folded state. */
export function given(...events: AccountEvent[]) {
  const state = events.reduce(bankAccount.evolve, bankAccount.initialState());
  return {
    state,
    when(command: AccountCommand) {
      try {
        return { events: bankAccount.decide(command, state), error: undefined };
      } catch (err) {
        if (err instanceof DomainError) return { events: undefined, error: err.code };
        throw err;
      }
    },
  };
}
