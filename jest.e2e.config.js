// End-to-end tests: the whole system started as `npm start` starts it, on the test port block.
module.exports = {
  ...require('./jest.base.config'),
  testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
  globalSetup: '<rootDir>/test/support/stack-setup.mjs',
  globalTeardown: '<rootDir>/test/support/teardown.mjs',
  testTimeout: 120_000,
  maxWorkers: 1,
};
