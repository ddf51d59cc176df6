/**
 * `ControllerError`: a misuse of the controller API, or a reconcile that timed out or was cancelled.
 *
 * @module
 */
import { ERROR_BRAND, KubeError } from '../core/errors.js';

/** Reason codes of {@link ControllerError}. */
export type ControllerErrorReason =
  | 'unknownResource'
  | 'reconcileTimeout'
  | 'reconcileCancelled'
  | 'errorPolicyFailed'
  | 'metricsFailed'
  | 'workFailed';

/**
 * A misuse of the controller, or a reconcile that timed out (`reconcileTimeout`) or was cancelled
 * at shutdown or on loss of leadership (`reconcileCancelled`, the abort reason of `info.signal`).
 * Failures around a reconcile, reported as `internalError` results (the object's key is released
 * and the object retried as after a failure): the error policy threw (`errorPolicyFailed`), the
 * metrics sink threw (`metricsFailed`), or the reconcile's work failed outside the reconciler
 * (`workFailed`). The thrown value is the `cause`.
 *
 * ## Example
 * ```ts
 * if (result.type === 'failed' && result.error instanceof ControllerError) console.log(result.error.reason);
 * ```
 */
export class ControllerError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.ControllerError';
  override readonly name: string = 'ControllerError';
  constructor(
    readonly reason: ControllerErrorReason,
    message: string,
    context: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? { context } : { context, cause });
  }
}
