/**
 * What a reconcile asks the controller to do next, and how failures turn into actions: the
 * {@link Action} union, the {@link ErrorPolicy} type with its stock policies, and
 * {@link TerminalError} for failures that retrying cannot fix.
 *
 * @module
 */
import { ERROR_BRAND, KubeError, type KubeErrorOptions } from '../core/errors.js';

/**
 * The outcome of a reconcile, telling the controller when to look at the object again.
 * - `requeue`: reconcile again after `afterMs` milliseconds (also when nothing changes).
 * - `awaitChange`: do nothing until the object or something related to it changes.
 *
 * ## Example
 * ```ts
 * const reconcile = async (cm: ConfigMap): Promise<Action> =>
 *   cm.data?.ready === 'true' ? Action.awaitChange() : Action.requeue(30_000);
 * ```
 */
export type Action =
  | { readonly type: 'requeue'; readonly afterMs: number }
  | { readonly type: 'awaitChange' };

/**
 * Constructors of {@link Action} values.
 *
 * ## Example
 * ```ts
 * Action.requeue(5 * 60_000); // look again in five minutes
 * Action.awaitChange();       // only when something changes
 * ```
 */
export const Action = Object.freeze({
  /** Reconcile again after `afterMs` milliseconds (negative values count as 0). */
  requeue(afterMs: number): Action {
    if (!Number.isFinite(afterMs)) throw new RangeError(`Action.requeue: afterMs must be a finite number, got ${afterMs}`);
    return { type: 'requeue', afterMs: Math.max(0, afterMs) };
  },
  /** Wait for the next change of the object or a related object. */
  awaitChange(): Action {
    return AWAIT_CHANGE;
  },
});

const AWAIT_CHANGE: Action = Object.freeze({ type: 'awaitChange' });

/**
 * A failure that retrying cannot fix (an invalid spec, a missing permission the operator will
 * never get). The stock error policies do not retry it: the object waits for its next change.
 *
 * ## Example
 * ```ts
 * if (!widget.spec?.size) throw new TerminalError(`widget ${name} has no spec.size`);
 * ```
 */
export class TerminalError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.TerminalError';
  override readonly name: string = 'TerminalError';
  constructor(message: string, options: KubeErrorOptions = {}) {
    super(message, options);
  }
}

/**
 * Type guard for {@link TerminalError}.
 *
 * ## Example
 * ```ts
 * const policy: ErrorPolicy<unknown> = (e, _ref, _ctx, attempt) =>
 *   isTerminalError(e) ? Action.awaitChange() : Action.requeue(attempt.backoffMs);
 * ```
 */
export function isTerminalError(e: unknown): e is TerminalError {
  return e instanceof TerminalError;
}

/**
 * What the controller knows about the failures of one object when it asks the error policy.
 *
 * ## Example
 * ```ts
 * const attempt: FailureInfo = { failures: 3, backoffMs: 20 }; // 5 ms × 2²
 * ```
 */
export interface FailureInfo {
  /** Consecutive failed reconciles of this object, including this one (≥ 1). */
  readonly failures: number;
  /** The per-object exponential delay for this failure (5 ms × 2^(failures−1), at most 1000 s). */
  readonly backoffMs: number;
}

/**
 * Decides what to do after a reconcile failed. Called with the error, the reference of the
 * object, the controller's context and the object's failure history.
 *
 * ## Example
 * ```ts
 * const policy: ErrorPolicy<Ctx> = (error, ref, ctx, attempt) => {
 *   ctx.log.warn(`reconcile of ${ref.name} failed`, error);
 *   return Action.requeue(attempt.backoffMs);
 * };
 * ```
 */
export type ErrorPolicy<C, R = unknown> = (error: unknown, ref: R, ctx: C, attempt: FailureInfo) => Action;

/**
 * Stock error policies.
 *
 * ## Example
 * ```ts
 * controller.run(reconcile, ErrorPolicy.backoff(), ctx);        // per-object exponential backoff
 * controller.run(reconcile, ErrorPolicy.requeueAfter(10_000), ctx); // a fixed delay
 * ```
 */
export const ErrorPolicy = Object.freeze({
  /**
   * Per-object exponential backoff (5 ms → 1000 s, ×2, reset on success, as controller-runtime's
   * `ItemExponentialFailureRateLimiter`); {@link TerminalError}s are not retried.
   */
  backoff<C, R = unknown>(): ErrorPolicy<C, R> {
    return (error, _ref, _ctx, attempt) =>
      isTerminalError(error) ? Action.awaitChange() : Action.requeue(attempt.backoffMs);
  },
  /** A fixed delay for every failure; {@link TerminalError}s are not retried. */
  requeueAfter<C, R = unknown>(ms: number): ErrorPolicy<C, R> {
    const action = Action.requeue(ms);
    return (error) => (isTerminalError(error) ? Action.awaitChange() : action);
  },
});
