/**
 * `awaitCondition(api, name, condition, { timeout })`: waits until one object satisfies a
 * condition, watching it (no polling), with a typed timeout error.
 *
 * @module
 */
import { Observable, asyncScheduler, filter, firstValueFrom, take, timeout, throwError, type SchedulerLike } from 'rxjs';
import { ERROR_BRAND, KubeError } from '../../core/errors.js';
import type { KubeObject } from '../../core/resource.js';
import { watchObject } from '../watch-object.js';
import type { WatchSource, WatcherConfig } from '../watcher.js';
import type { Condition } from './conditions.js';

/** Options of {@link awaitCondition}. */
export interface AwaitConditionOptions {
  /** Give up after this many milliseconds with a {@link WaitTimeoutError}. @default no limit */
  timeout?: number;
  /** Clock for the timeout (and the watcher's backoff). @default asyncScheduler */
  scheduler?: SchedulerLike;
  /** Watcher settings (selectors are fixed by the name). */
  watcher?: Omit<WatcherConfig, 'fieldSelector' | 'scheduler'>;
}

/**
 * The condition did not hold within the timeout. `context` names the object and the time waited.
 *
 * ## Example
 * ```ts
 * await awaitCondition(api, 'web', isPodRunning(), { timeout: 30_000 }).catch((e) => {
 *   if (e instanceof WaitTimeoutError) console.error(e.message);
 * });
 * ```
 */
export class WaitTimeoutError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.WaitTimeoutError';
  override readonly name: string = 'WaitTimeoutError';
  constructor(
    readonly objectName: string,
    readonly timeoutMs: number,
    readonly conditionName: string,
  ) {
    super(`'${objectName}' did not satisfy ${conditionName} within ${timeoutMs} ms`, { context: { name: objectName, timeoutMs, condition: conditionName } });
  }
}

/**
 * The Observable form of {@link awaitCondition}: emits the first state of the object (the object,
 * or `undefined` if it does not exist) for which `condition` holds, then completes; errors with a
 * {@link WaitTimeoutError} after `timeout` ms. Unsubscribing stops the watch.
 *
 * ## Example
 * ```ts
 * awaitCondition$(crdApi, 'widgets.example.com', isCrdEstablished(), { timeout: 10_000 }).subscribe();
 * ```
 */
export function awaitCondition$<K extends KubeObject>(
  api: WatchSource<K>,
  name: string,
  condition: Condition<K>,
  options: AwaitConditionOptions = {},
): Observable<K | undefined> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const states = watchObject(api, name, { ...options.watcher, scheduler }).pipe(
    filter((o) => condition(o)),
    take(1),
  );
  if (options.timeout === undefined) return states;
  const timeoutMs = options.timeout;
  return states.pipe(
    timeout({ first: timeoutMs, scheduler, with: () => throwError(() => new WaitTimeoutError(name, timeoutMs, condition.name || 'the condition')) }),
  );
}

/**
 * Waits until the object `name` satisfies `condition`; resolves with that state (the object, or
 * `undefined` for conditions such as `isDeleted`). Rejects with {@link WaitTimeoutError}.
 *
 * ## Example
 * ```ts
 * await awaitCondition(crdApi, 'widgets.example.com', isCrdEstablished(), { timeout: 10_000 });
 * await awaitCondition(podApi, 'web', Conditions.or(isPodRunning(), isDeleted(uid)));
 * ```
 */
export function awaitCondition<K extends KubeObject>(
  api: WatchSource<K>,
  name: string,
  condition: Condition<K>,
  options: AwaitConditionOptions = {},
): Promise<K | undefined> {
  return firstValueFrom(awaitCondition$(api, name, condition, options));
}
