module.exports = { ...require('./jest.base.config'), testMatch: ['<rootDir>/**/*.unit.test.ts'] };
