/**
 * The error of `rxkube/testing`: a test cluster could not be built, started, used or stopped.
 *
 * @module
 */
import { KubeError, type KubeErrorOptions } from '../core/errors.js';

/**
 * What failed: a tool the plane needs is missing (Go, openssl), building the binaries, starting a component (the
 * message names it and `details` holds the last lines of its log), another control-plane command (restart, stop), or
 * a kubectl run, or (`unsupported`) something only the local plane has, asked of the cluster of
 * `RXKUBE_TEST_KUBECONFIG`.
 */
export type TestClusterErrorReason = 'missingTool' | 'buildFailed' | 'startFailed' | 'commandFailed' | 'kubectlFailed' | 'unsupported';

/**
 * A test cluster failed. `message` is one line; `details` holds the last log lines of the component that failed
 * (or kubectl's stderr). Credentials never appear in either.
 *
 * ## Example
 * ```ts
 * try { await startTestCluster(); }
 * catch (e) { if (isTestClusterError(e)) console.error(e.reason, e.message, e.details); }
 * ```
 */
export class TestClusterError extends KubeError {
  override readonly name: string = 'TestClusterError';
  constructor(
    readonly reason: TestClusterErrorReason,
    message: string,
    readonly details = '',
    options: KubeErrorOptions = {},
  ) {
    super(message, options);
  }
}

/**
 * Type guard for {@link TestClusterError}.
 *
 * ## Example
 * ```ts
 * if (isTestClusterError(e) && e.reason === 'missingTool') console.error(e.message); // e.g. "install Go 1.26+"
 * ```
 */
export function isTestClusterError(e: unknown): e is TestClusterError {
  return e instanceof TestClusterError;
}
