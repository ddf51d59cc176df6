// Jest runs two projects: fast unit tests (no cluster) and end-to-end tests against a real
// kube-apiserver + etcd brought up by scripts/control-plane (or RXKUBE_TEST_KUBECONFIG).
/** @type {import('ts-jest').TsJestTransformerOptions} */
// Type errors are tsc's job (npm run typecheck); Jest only transpiles (isolatedModules is set in tsconfig.json).
const tsJest = { tsconfig: 'tsconfig.json', diagnostics: false };

const shared = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: { '^.+\\.tsx?$': ['ts-jest', tsJest] },
  // Sources import siblings as './x.js' (valid ESM); map them back to the .ts files.
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // Samples import the package by name, as users do; resolve it to the sources.
    '^rxkube$': '<rootDir>/lib/index.ts',
    '^rxkube/(.*)$': '<rootDir>/lib/$1/index.ts',
  },
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/spec/**/*.spec.ts', '<rootDir>/samples/**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/spec/e2e/'],
    },
    {
      ...shared,
      displayName: 'e2e',
      // samples/**/*.e2e.ts: samples written as a user's own tests against rxkube/testing.
      testMatch: ['<rootDir>/spec/e2e/**/*.spec.ts', '<rootDir>/samples/**/*.e2e.ts'],
      // The same global setup/teardown users point their Jest at (rxkube/testing/jest-global-setup).
      globalSetup: '<rootDir>/lib/testing/global-setup.ts',
      globalTeardown: '<rootDir>/lib/testing/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/spec/e2e/support/timeout.ts'],
      testTimeout: 120000,
    },
  ],
};
