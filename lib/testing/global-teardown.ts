/**
 * Jest global teardown that pairs with `rxkube/testing/jest-global-setup`.
 *
 * This file imports nothing but Node built-ins: Jest loads global teardown outside its module mapper.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';

/**
 * Releases the lease that global setup took on the local control plane. The plane stops when global setup started
 * it for tests (not `cluster:up`, not `RXKUBE_KEEP_CLUSTER=1`) and no other test run still holds a lease; a cluster
 * given through `RXKUBE_TEST_KUBECONFIG` is never touched. Should Jest die before this runs, the plane's watchdog
 * stops it within seconds of the Jest process ending.
 *
 * ## Example
 * ```js
 * // jest.config.js
 * module.exports = { globalSetup: 'rxkube/testing/jest-global-setup', globalTeardown: 'rxkube/testing/jest-global-teardown' };
 * ```
 */
export default function globalTeardown(): void {
  const lease = process.env.RXKUBE_TEST_PLANE_LEASE;
  const cli = process.env.RXKUBE_TEST_PLANE_CLI;
  if (lease === String(process.pid) && cli) {
    execFileSync(process.execPath, [cli, 'release', lease], { stdio: ['ignore', 'inherit', 'inherit'] });
    delete process.env.RXKUBE_TEST_PLANE_LEASE;
  }
}
