// Test helper (not a test file: no *.unit.test.ts suffix), shared by the account decider's tests.
import { deciderSpecification } from '../decider-specification.test';
import { bankAccount } from './decider';

/** given(...events).when(command).then(events) / .thenThrows(code); see decider-specification.test.ts. */
export const given = deciderSpecification(bankAccount);
