/** Shared by the three test tiers (unit, int, e2e); each tier's config picks its files. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleNameMapper: {
    '^@bank/domain$': '<rootDir>/packages/domain/src',
    '^@bank/service-kit$': '<rootDir>/packages/service-kit/src',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
