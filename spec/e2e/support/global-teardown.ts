// Jest global teardown of the e2e project: releases the lease taken by global-setup.ts. The control plane stops
// only if the setup started it for tests (not `npm run cluster:up`, not RXKUBE_KEEP_CLUSTER=1) and no other
// Jest run still holds a lease on it. A cluster given through RXKUBE_TEST_KUBECONFIG is never touched.
// It calls scripts/control-plane/cli.mjs directly (global teardown runs outside Jest's module mapper).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const cli = join(__dirname, '..', '..', '..', 'scripts', 'control-plane', 'cli.mjs');

/**
 * Releases the test run's lease on the local control plane.
 *
 * ## Example
 * ```js
 * // jest.config.js, e2e project
 * globalTeardown: '<rootDir>/spec/e2e/support/global-teardown.ts'
 * ```
 */
export default function globalTeardown(): void {
  const lease = process.env.RXKUBE_TEST_PLANE_LEASE;
  if (lease === String(process.pid)) {
    execFileSync(process.execPath, [cli, 'release', lease], { stdio: ['ignore', 'inherit', 'inherit'] });
    delete process.env.RXKUBE_TEST_PLANE_LEASE;
  }
}
