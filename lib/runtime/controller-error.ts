/**
 * `ControllerError`: a misuse of the controller API, or a reconcile that timed out or was cancelled.
 *
 * @module
 */
import { ERROR_BRAND, KubeError } from '../core/errors.js';

/** Reason codes of {@link ControllerError}. */
export type ControllerErrorReason = 'unknownResource' | 'reconcileTimeout' | 'reconcileCancelled';

/**
 * A misuse of the controller, or a reconcile that timed out (`reconcileTimeout`) or was cancelled
 * at shutdown (`reconcileCancelled`, the abort reason of `info.signal`).
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
  ) {
    super(message, { context });
  }
}
