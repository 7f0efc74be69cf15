// Integration tests: one real dependency each (ImmuDB, FerretDB, Redis), started once for the run.
module.exports = {
  ...require('./jest.base.config'),
  testMatch: ['<rootDir>/**/*.int.test.ts'],
  globalSetup: '<rootDir>/test/support/infra-setup.mjs',
  globalTeardown: '<rootDir>/test/support/teardown.mjs',
  testTimeout: 60_000,
};
