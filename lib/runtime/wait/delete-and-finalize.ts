/**
 * `deleteAndFinalize(api, name, { timeout })`: deletes an object and waits until it is really
 * gone — after its finalizers ran — not just marked for deletion.
 *
 * @module
 */
import type { DeleteParams } from '../../core/params.js';
import type { KubeObject } from '../../core/resource.js';
import type { WatchSource } from '../watcher.js';
import { awaitCondition, type AwaitConditionOptions } from './await-condition.js';
import { isDeleted } from './conditions.js';

/** What {@link deleteAndFinalize} needs from an `Api<K>`. */
export interface DeleteSource<K> extends WatchSource<K> {
  getOpt(name: string): Promise<K | undefined>;
  delete(name: string, params?: DeleteParams): Promise<unknown>;
}

/** Options of {@link deleteAndFinalize}. */
export interface DeleteAndFinalizeOptions extends AwaitConditionOptions {
  /** Passed to the DELETE (the object's uid is added as a precondition). */
  deleteParams?: DeleteParams;
}

/**
 * Deletes `name` (with a uid precondition, so a newer object of the same name is never touched)
 * and resolves once that object no longer exists. Resolves at once when it is already absent;
 * rejects with `WaitTimeoutError` when finalizers keep it past `timeout`.
 *
 * ## Example
 * ```ts
 * await deleteAndFinalize(widgetApi, 'w1', { timeout: 30_000 });
 * ```
 */
export async function deleteAndFinalize<K extends KubeObject>(api: DeleteSource<K>, name: string, options: DeleteAndFinalizeOptions = {}): Promise<void> {
  const current = await api.getOpt(name);
  const uid = current?.metadata?.uid;
  if (current === undefined || uid === undefined) return;
  const params: DeleteParams = { ...options.deleteParams, preconditions: { ...options.deleteParams?.preconditions, uid } };
  try {
    await api.delete(name, params);
  } catch (e) {
    // Already gone (404), or replaced by a newer object (409 on the uid precondition): done.
    const code = (e as { code?: unknown }).code;
    if (code === 404 || code === 409) return;
    throw e;
  }
  await awaitCondition(api, name, isDeleted<K>(uid), options);
}
