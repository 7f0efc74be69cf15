// The Kubernetes tier: `npm run k8s:verify` on a real API server, on the shipped manifests and
// on broken copies (test/k8s). Builds etcd and Kubernetes once (scripts/infra/versions.mjs).
module.exports = {
  ...require('./jest.base.config'),
  testMatch: ['<rootDir>/test/k8s/**/*.k8s.test.ts'],
  testTimeout: 40 * 60_000,
  maxWorkers: 1,
};
