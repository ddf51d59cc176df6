/**
 * `LeaderElectionError`: why a leader stepped down without being told to (reported to
 * `onError` of leader election).
 *
 * @module
 */
import { ERROR_BRAND, KubeError } from '../core/errors.js';

/**
 * Reason codes of {@link LeaderElectionError}.
 * - `renewDeadlineExceeded`: no renewal succeeded within `renewDeadlineMs` of the last one; the
 *   attempt still running was aborted and leadership ended.
 */
export type LeaderElectionErrorReason = 'renewDeadlineExceeded';

/**
 * A leader lost its Lease on its own account: it could not renew in time.
 *
 * ## Example
 * ```ts
 * leaderElection(leases, {
 *   leaseName: 'widgets',
 *   identity: podName,
 *   onError: (e) => { if (isLeaderElectionError(e)) console.warn(e.reason, e.context); },
 * });
 * ```
 */
export class LeaderElectionError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.LeaderElectionError';
  override readonly name: string = 'LeaderElectionError';
  constructor(
    readonly reason: LeaderElectionErrorReason,
    message: string,
    context: Record<string, unknown> = {},
  ) {
    super(message, { context });
  }
}

/**
 * Type guard for {@link LeaderElectionError}.
 *
 * ## Example
 * ```ts
 * if (isLeaderElectionError(e) && e.reason === 'renewDeadlineExceeded') metrics.stepDowns++;
 * ```
 */
export function isLeaderElectionError(e: unknown): e is LeaderElectionError {
  return e instanceof LeaderElectionError;
}
