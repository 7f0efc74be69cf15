// Starts the whole system (infrastructure + five apps with sidecars) on the test port block.
import { startTestStack } from './test-stack.mjs';

export default async function setup() {
  await startTestStack({ apps: true });
}
