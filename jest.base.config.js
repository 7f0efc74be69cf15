/** Shared by the three test tiers (unit, int, e2e); each tier's config picks its files. */
module.exports = {
  testEnvironment: 'node',
  // Transpile only (isolatedModules in tsconfig.json): `npm run typecheck` checks types once for the whole tree.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: {
    '^@bank/domain$': '<rootDir>/packages/domain/src',
    '^@bank/contracts$': '<rootDir>/packages/contracts/src',
    '^@bank/service-kit$': '<rootDir>/packages/service-kit/src',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
