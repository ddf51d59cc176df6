/**
 * Jest global setup and teardown for tests against a local Kubernetes control plane: point `jest.config.js` at
 * `rxkube/testing/jest-global-setup` and `rxkube/testing/jest-global-teardown`, then call `startTestCluster()` in
 * test files; it reuses the plane started here.
 *
 * This file imports nothing but Node built-ins: Jest loads global setup outside its module mapper.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Environment variable through which global setup hands the running plane to `startTestCluster()` in workers.
 *
 * ## Example
 * ```ts
 * const info = JSON.parse(process.env[TEST_CLUSTER_ENV] ?? 'null') as PlaneInfo | null; // set in Jest workers
 * ```
 */
export const TEST_CLUSTER_ENV = 'RXKUBE_TEST_CLUSTER';

/**
 * What `cluster:up --json` prints and global setup passes to the test workers (JSON in {@link TEST_CLUSTER_ENV}).
 *
 * ## Example
 * ```ts
 * const { kubeconfig, podLogs }: PlaneInfo = JSON.parse(process.env.RXKUBE_TEST_CLUSTER ?? '{}');
 * ```
 */
export interface PlaneInfo {
  kubeconfig: string;
  server: string;
  kubectl: string;
  nodes: number;
  podLogs: string;
  execDir: string;
  podForwardPort: number;
  runDir: string;
}

/**
 * Path of `scripts/control-plane/cli.mjs` in the rxkube package: from the working directory upwards, the first folder
 * that is the rxkube package itself or has it in `node_modules/rxkube` (`RXKUBE_PACKAGE_DIR` overrides the package
 * folder). Plain file lookups, so it works the same under Jest's module registry and in plain Node.
 *
 * ## Example
 * ```ts
 * controlPlaneCli(); // '/home/me/app/node_modules/rxkube/scripts/control-plane/cli.mjs'
 * ```
 */
export function controlPlaneCli(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.RXKUBE_PACKAGE_DIR || findPackage(process.cwd());
  if (!root) {
    throw new Error(`cannot find the rxkube package from ${process.cwd()}; run the tests in the project that installed rxkube, or set RXKUBE_PACKAGE_DIR`);
  }
  const cli = join(root, 'scripts', 'control-plane', 'cli.mjs');
  if (!existsSync(cli)) throw new Error(`the rxkube package in ${root} has no scripts/control-plane/cli.mjs`);
  return cli;
}

function findPackage(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (packageName(join(dir, 'package.json')) === 'rxkube') return dir;
    const installed = join(dir, 'node_modules', 'rxkube');
    if (packageName(join(installed, 'package.json')) === 'rxkube') return installed;
    if (dirname(dir) === dir) return undefined;
  }
}

function packageName(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/**
 * Runs cli.mjs; its progress and, on failure, its one-line reason and the failing component's log tail go to the
 * terminal (stderr); stdout is returned.
 */
export function runControlPlaneCli(cli: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 });
  } catch {
    throw new Error(`rxkube control plane: \`${args[0]}\` failed (the reason is printed above)`);
  }
}

/**
 * Jest global setup: builds the control-plane binaries if needed (progress on stderr; a cold build takes minutes),
 * starts the plane or reuses the running one, holding a lease for this Jest process, and hands it to the workers.
 *
 * - `RXKUBE_TEST_KUBECONFIG` set: that cluster is used as is (nothing is built, started or stopped).
 * - `RXKUBE_CP_NODES`: number of fake nodes (default 2); `RXKUBE_CP_APISERVER_EXTRA_ARGS`: extra kube-apiserver flags;
 *   `RXKUBE_CP_RUN_DIR`: run folder of the plane (default `~/.cache/rxkube/run`).
 * - `RXKUBE_KEEP_CLUSTER=1`: the plane keeps running after the tests (`npm run cluster:down` in rxkube stops it).
 *
 * Workers see `RXKUBE_TEST_CLUSTER` (JSON {@link PlaneInfo}), `RXKUBE_TEST_KUBECONFIG`, `RXKUBE_TEST_KUBECTL` and
 * `RXKUBE_TEST_PLANE_RUN_DIR`.
 *
 * ## Example
 * ```js
 * // jest.config.js
 * module.exports = {
 *   globalSetup: 'rxkube/testing/jest-global-setup',
 *   globalTeardown: 'rxkube/testing/jest-global-teardown',
 * };
 * ```
 */
export default function globalSetup(): void {
  const given = process.env.RXKUBE_TEST_KUBECONFIG;
  if (given) {
    if (!existsSync(given)) throw new Error(`RXKUBE_TEST_KUBECONFIG points to a missing file: ${given}`);
    process.env.RXKUBE_TEST_KUBECTL ??= 'kubectl';
    return;
  }
  const cli = controlPlaneCli();
  runControlPlaneCli(cli, ['build']);
  const keep = process.env.RXKUBE_KEEP_CLUSTER === '1';
  const out = runControlPlaneCli(cli, keep ? ['up', '--json'] : ['up', '--json', '--lease', String(process.pid)]);
  const info = JSON.parse(out.trim().split('\n').pop() ?? '{}') as PlaneInfo;
  process.env[TEST_CLUSTER_ENV] = JSON.stringify({
    kubeconfig: info.kubeconfig, server: info.server, kubectl: info.kubectl, nodes: info.nodes,
    podLogs: info.podLogs, execDir: info.execDir, podForwardPort: info.podForwardPort, runDir: info.runDir,
  } satisfies PlaneInfo);
  process.env.RXKUBE_TEST_KUBECONFIG = info.kubeconfig;
  process.env.RXKUBE_TEST_KUBECTL ??= info.kubectl;
  process.env.RXKUBE_TEST_PLANE_RUN_DIR = info.runDir;
  process.env.RXKUBE_TEST_PLANE_CLI = cli;
  if (!keep) process.env.RXKUBE_TEST_PLANE_LEASE = String(process.pid);
}
