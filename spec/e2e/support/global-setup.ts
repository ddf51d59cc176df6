// Jest global setup of the e2e project: makes a Kubernetes API server available to the test workers.
//
// - RXKUBE_TEST_KUBECONFIG already set: use that cluster as is (nothing is started or stopped).
// - otherwise: build the control plane if needed (seconds when cached) and bring it up through
//   scripts/control-plane (reusing one that already runs). This Jest process takes a lease on it, so teardown
//   stops it only when the plane was started for tests and no other Jest run still uses it. With
//   RXKUBE_KEEP_CLUSTER=1 the plane is started "pinned" and keeps running (stop it with npm run cluster:down).
//
// Exposed to workers: RXKUBE_TEST_KUBECONFIG, RXKUBE_TEST_KUBECTL (kubectl matching the server), and
// RXKUBE_TEST_PLANE_RUN_DIR when the cluster is the local plane (enables restartApiServer()).
//
// Global setup runs outside Jest's module mapper, so it cannot import sibling modules by their '.js' names; it
// calls scripts/control-plane/cli.mjs itself (plane-cli.ts does the same for test files).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const cli = join(__dirname, '..', '..', '..', 'scripts', 'control-plane', 'cli.mjs');

/** Runs cli.mjs; progress goes to the terminal, stdout is returned; throws on failure. */
function runCli(args: readonly string[]): string {
  return execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/**
 * Brings the test cluster up (see the file header).
 *
 * ## Example
 * ```js
 * // jest.config.js, e2e project
 * globalSetup: '<rootDir>/spec/e2e/support/global-setup.ts'
 * ```
 */
export default function globalSetup(): void {
  const paths = JSON.parse(runCli(['paths'])) as { runDir: string; kubeconfig: string; bin: { kubectl: string } };
  const given = process.env.RXKUBE_TEST_KUBECONFIG;
  if (given) {
    if (!existsSync(given)) throw new Error(`RXKUBE_TEST_KUBECONFIG points to a missing file: ${given}`);
  } else {
    runCli(['build']);
    const keep = process.env.RXKUBE_KEEP_CLUSTER === '1';
    const out = runCli(keep ? ['up'] : ['up', '--lease', String(process.pid)]);
    const kubeconfig = out.trim().split('\n').pop();
    if (!kubeconfig) throw new Error('cluster:up printed no kubeconfig path');
    process.env.RXKUBE_TEST_KUBECONFIG = kubeconfig;
    if (!keep) process.env.RXKUBE_TEST_PLANE_LEASE = String(process.pid);
  }
  if (!process.env.RXKUBE_TEST_KUBECTL) {
    process.env.RXKUBE_TEST_KUBECTL = existsSync(paths.bin.kubectl) ? paths.bin.kubectl : 'kubectl';
  }
  if (process.env.RXKUBE_TEST_KUBECONFIG === paths.kubeconfig) {
    process.env.RXKUBE_TEST_PLANE_RUN_DIR = paths.runDir;
  }
}
