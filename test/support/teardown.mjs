export default async function teardown() {
  await globalThis.__BANK_TEST_STACK__?.stop();
}
