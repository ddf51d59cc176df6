/**
 * `ShardError`: what goes wrong with a sharded controller's membership — bad options, a Lease of
 * the group that cannot be read, replicas that disagree on the bucket count.
 *
 * @module
 */
import { ERROR_BRAND, KubeError } from '../core/errors.js';

/**
 * Reason codes of {@link ShardError}.
 * - `invalidOptions`: a bucket count, identity, group or timing that cannot work.
 * - `invalidClaims`: a member Lease whose claim annotation cannot be read (the Lease is named).
 * - `bucketMismatch`: members of one group use different bucket counts.
 * - `renewFailed`: this replica could not renew its Lease (the cause is attached).
 * - `fenced`: this replica went `renewDeadlineMs` without renewing and stopped reconciling.
 * - `detectionFailed`: a sharded controller could not ask the API server whether it filters by
 *   shard selector (the cause is attached); it filters on the client.
 */
export type ShardErrorReason = 'invalidOptions' | 'invalidClaims' | 'bucketMismatch' | 'renewFailed' | 'fenced' | 'detectionFailed';

/**
 * A failure of shard membership, with a `reason` and the Lease, group or value involved in `context`.
 *
 * ## Example
 * ```ts
 * shardMembership(leases, gate, { group: 'widgets', identity: pod, onError: (e) => console.warn(e.reason, e.message) });
 * ```
 */
export class ShardError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.ShardError';
  override readonly name: string = 'ShardError';
  constructor(
    readonly reason: ShardErrorReason,
    message: string,
    context: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? { context } : { context, cause });
  }
}

/**
 * Type guard for {@link ShardError}.
 *
 * ## Example
 * ```ts
 * if (isShardError(e) && e.reason === 'fenced') metrics.inc('fenced_total', {});
 * ```
 */
export function isShardError(e: unknown): e is ShardError {
  return e instanceof ShardError;
}
