// Test helper (not a test file: no *.unit.test.ts suffix), shared by the deciders' tests.
import type { Decider } from './decider';
import { DomainError, type ErrorCode } from './errors';

/**
 * Given / when / then for a decider (the shape of Emmett's DeciderSpecification):
 *
 *   given(...pastEvents).when(command).then(expectedEvents)
 *   given(...pastEvents).when(command).thenThrows('ERROR_CODE')
 *
 * `state` is the past folded by `evolve`; `decided()` returns the events for a looser check.
 */
export function deciderSpecification<Command, Event, State>(decider: Decider<Command, Event, State>) {
  return (...history: Event[]) => {
    const state = history.reduce(decider.evolve, decider.initialState());
    return {
      state,
      when: (command: Command) => ({
        then: (expected: Event[]) => expect(decider.decide(command, state)).toEqual(expected),
        thenThrows: (code: ErrorCode) => expect(refusalOf(() => decider.decide(command, state))).toBe(code),
        decided: () => decider.decide(command, state),
      }),
    };
  };
}

/** The code of the DomainError `run` throws (undefined when it throws none). */
export function refusalOf(run: () => unknown): ErrorCode | undefined {
  try {
    run();
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  return undefined;
}
