/**
 * Why a reconcile runs, and what the reconciler is told besides the object. kube-rs only logs
 * the reason; rxkube hands it to the reconciler so it can, for example, skip expensive checks on
 * a plain requeue.
 *
 * @module
 */

/**
 * A reference to an object of the controller's primary kind (the key of its store).
 *
 * ## Example
 * ```ts
 * const ref: ControllerRef = { name: 'web', namespace: 'default' };
 * ```
 */
export interface ControllerRef {
  readonly name: string;
  readonly namespace?: string | undefined;
}

/**
 * A reference to a related object (a child or a watched object) that triggered a reconcile.
 *
 * ## Example
 * ```ts
 * const ref: RelatedRef = { kind: 'ConfigMap', apiVersion: 'v1', name: 'web-config', namespace: 'default' };
 * ```
 */
export interface RelatedRef {
  readonly kind?: string | undefined;
  readonly apiVersion?: string | undefined;
  readonly name: string;
  readonly namespace?: string | undefined;
}

/**
 * Why a reconcile was scheduled. When several requests for one object collapse into one run,
 * the reason is that of the request that won (the earliest; the latest within a debounce).
 * - `objectChanged`: the object itself was added or modified (or relisted).
 * - `relatedObjectChanged`: an owned or watched object (`ref`) changed.
 * - `requeue`: the previous reconcile returned `Action.requeue(ms)`.
 * - `errorBackoff`: the previous reconcile failed and the error policy asked for a retry.
 * - `reconcileAll`: a `reconcileAllOn` trigger fired.
 * - `custom`: a reference from `reconcileOn(refs$)`.
 *
 * ## Example
 * ```ts
 * const reconcile = async (w: Widget, ctx: Ctx, { reason }: ReconcileInfo) => {
 *   if (reason.type === 'relatedObjectChanged') ctx.log(`child ${reason.ref.name} changed`);
 *   return Action.awaitChange();
 * };
 * ```
 */
export type ReconcileReason =
  | { readonly type: 'objectChanged' }
  | { readonly type: 'relatedObjectChanged'; readonly ref: RelatedRef }
  | { readonly type: 'requeue' }
  | { readonly type: 'errorBackoff' }
  | { readonly type: 'reconcileAll' }
  | { readonly type: 'custom' };

/**
 * What a reconciler gets besides the object and the context.
 *
 * ## Example
 * ```ts
 * const reconcile = (cm: ConfigMap, ctx: Ctx, info: ReconcileInfo) =>
 *   fetch(url, { signal: info.signal }).then(() => Action.awaitChange());
 * ```
 */
export interface ReconcileInfo {
  /** The object's reference (its store key). */
  readonly ref: ControllerRef;
  /** Why this reconcile runs. */
  readonly reason: ReconcileReason;
  /** Aborted when the reconcile times out or is cancelled at shutdown. */
  readonly signal: AbortSignal;
}
