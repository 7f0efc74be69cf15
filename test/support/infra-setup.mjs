// Starts Redis, ImmuDB, FerretDB (and Dapr's placement/scheduler) on the test port block.
import { startTestStack } from './test-stack.mjs';

export default async function setup() {
  await startTestStack({ apps: false });
}
