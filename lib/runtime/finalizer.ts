/**
 * `finalizer(api, name, object, handler)`: runs a reconcile behind a finalizer, so cleanup is
 * guaranteed to run before the object disappears. The algorithm is kube-rs's, with JSON patches
 * whose `test` operations make concurrent edits fail (and retry) instead of clobbering others.
 *
 * @module
 */
import { ERROR_BRAND, KubeError, type KubeErrorOptions } from '../core/errors.js';
import { Patch, type JsonPatchOperation } from '../core/patch.js';
import type { KubeObject } from '../core/resource.js';
import { Action } from './action.js';

/**
 * What the handler is asked to do.
 * - `apply`: the object exists, carries the finalizer and is not being deleted: reconcile it.
 *   Must be idempotent.
 * - `cleanup`: the object is being deleted and still carries the finalizer: release what it
 *   owns outside Kubernetes. The finalizer is removed only when this succeeds.
 *
 * ## Example
 * ```ts
 * const handler = async (event: FinalizerEvent<Widget>) =>
 *   event.type === 'apply' ? apply(event.object) : cleanup(event.object);
 * ```
 */
export type FinalizerEvent<K> =
  | { readonly type: 'apply'; readonly object: K }
  | { readonly type: 'cleanup'; readonly object: K };

/** What {@link finalizer} needs from an `Api<K>` bound to the object's namespace. */
export interface FinalizerApi<K> {
  patch(name: string, patch: Patch, params?: object, options?: { signal?: AbortSignal }): Promise<K>;
}

/**
 * Options of {@link finalizer}.
 *
 * ## Example
 * ```ts
 * const options: FinalizerOptions = { signal: info.signal }; // the reconcile's own signal
 * ```
 */
export interface FinalizerOptions {
  /**
   * Cancels the finalizer's own patches (pass the reconcile's `info.signal`, so a timed-out or abandoned
   * reconcile does not leave a request running). An aborted patch fails the step like any failed patch.
   */
  readonly signal?: AbortSignal;
}

/** Reason codes of {@link FinalizerError}, named after the step that failed. */
export type FinalizerErrorReason =
  | 'applyFailed'
  | 'cleanupFailed'
  | 'addFinalizer'
  | 'removeFinalizer'
  | 'unnamedObject'
  | 'invalidFinalizer';

/**
 * A failure of {@link finalizer}; `reason` names the step, `cause` is the handler's or the API's
 * error, `context` names the object and the finalizer.
 *
 * ## Example
 * ```ts
 * if (e instanceof FinalizerError && e.reason === 'cleanupFailed') console.warn(e.cause);
 * ```
 */
export class FinalizerError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.FinalizerError';
  override readonly name: string = 'FinalizerError';
  constructor(
    readonly reason: FinalizerErrorReason,
    message: string,
    options: KubeErrorOptions = {},
  ) {
    super(message, options);
  }
}

// A qualified name: optional DNS-subdomain prefix and '/', then a name part of at most 63 characters.
const QUALIFIED_NAME = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/**
 * Reconciles `object` behind the finalizer `finalizerName`:
 * 1. not deleting, finalizer absent → add it (JSON patch: `test` that `/metadata/finalizers` is
 *    still absent, or still the list we saw, then `add`) and return `awaitChange`: the change
 *    itself triggers the next reconcile, which then runs `apply`;
 * 2. not deleting, finalizer present → `handler({type: 'apply'})`;
 * 3. deleting, finalizer present → `handler({type: 'cleanup'})`, then remove the finalizer with
 *    `test` (still our name at index i) + `remove` (index i), so another controller's finalizer is
 *    never removed by mistake: if the list moved, the patch fails and the next reconcile retries;
 * 4. deleting, finalizer absent → nothing to do (`awaitChange`).
 *
 * Failures are {@link FinalizerError}s whose reason names the step.
 *
 * ## Example
 * ```ts
 * const reconcile = (widget: Widget, ctx: Ctx, info: ReconcileInfo) =>
 *   finalizer(Api.namespaced(ctx.client, WidgetType, widget.metadata!.namespace!), 'example.com/cleanup', widget,
 *     async (event) => (event.type === 'apply' ? apply(event.object, ctx) : cleanup(event.object, ctx)),
 *     { signal: info.signal });
 * ```
 *
 * @param api An API for the object's kind, in the object's namespace.
 * @param finalizerName A qualified name such as `example.com/cleanup`.
 * @param object The object as the controller sees it (from the store).
 * @param handler Applies or cleans up; its Action is returned as is.
 * @param options `signal` cancels the finalizer's patches (pass the reconcile's `info.signal`).
 */
export async function finalizer<K extends KubeObject>(
  api: FinalizerApi<K>,
  finalizerName: string,
  object: K,
  handler: (event: FinalizerEvent<K>) => Action | PromiseLike<Action>,
  options: FinalizerOptions = {},
): Promise<Action> {
  const requestOptions = options.signal ? { signal: options.signal } : {};
  const name = object.metadata?.name;
  const context = { finalizer: finalizerName, kind: object.kind, namespace: object.metadata?.namespace, name };
  if (!QUALIFIED_NAME.test(finalizerName) || finalizerName.length > 253 + 1 + 63) {
    throw new FinalizerError('invalidFinalizer', `finalizer name "${finalizerName}" is not a qualified name (e.g. example.com/cleanup)`, { context });
  }
  const finalizers = object.metadata?.finalizers ?? [];
  const index = finalizers.indexOf(finalizerName);
  const deleting = object.metadata?.deletionTimestamp != null;
  const what = describe(object);

  if (index >= 0 && !deleting) {
    try {
      return await handler({ type: 'apply', object });
    } catch (cause) {
      throw new FinalizerError('applyFailed', `apply of ${what} failed`, { cause, context });
    }
  }
  if (index < 0 && deleting) return Action.awaitChange();
  if (name === undefined || name === '') {
    throw new FinalizerError('unnamedObject', `cannot patch the finalizers of ${what}: it has no metadata.name`, { context });
  }
  if (index >= 0) {
    let action: Action;
    try {
      action = await handler({ type: 'cleanup', object });
    } catch (cause) {
      throw new FinalizerError('cleanupFailed', `cleanup of ${what} failed; finalizer ${finalizerName} kept`, { cause, context });
    }
    const path = `/metadata/finalizers/${index}`;
    try {
      await api.patch(name, Patch.json([{ op: 'test', path, value: finalizerName }, { op: 'remove', path }]), {}, requestOptions);
    } catch (cause) {
      throw new FinalizerError('removeFinalizer', `removing finalizer ${finalizerName} from ${what} failed`, { cause, context });
    }
    return action;
  }
  const ops: JsonPatchOperation[] =
    finalizers.length === 0
      ? [
          { op: 'test', path: '/metadata/finalizers', value: null },
          { op: 'add', path: '/metadata/finalizers', value: [finalizerName] },
        ]
      : [
          { op: 'test', path: '/metadata/finalizers', value: finalizers },
          { op: 'add', path: '/metadata/finalizers/-', value: finalizerName },
        ];
  try {
    await api.patch(name, Patch.json(ops), {}, requestOptions);
  } catch (cause) {
    throw new FinalizerError('addFinalizer', `adding finalizer ${finalizerName} to ${what} failed`, { cause, context });
  }
  return Action.awaitChange();
}

function describe(object: KubeObject): string {
  const ns = object.metadata?.namespace;
  const name = object.metadata?.name ?? '<unnamed>';
  return `${object.kind ?? 'object'} ${ns ? `${ns}/` : ''}${name}`;
}
