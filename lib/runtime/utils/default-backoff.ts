/**
 * `defaultBackoff()`: re-subscribes to a failing stream after the default watcher backoff.
 *
 * @module
 */
import { asyncScheduler, defer, retry, timer, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { defaultBackoffPolicy, INITIAL_BACKOFF_STATE, nextBackoff, type BackoffPolicy } from '../backoff.js';

/** Options of {@link defaultBackoff}. */
export interface DefaultBackoffOptions {
  /** Overrides of the default policy (800 ms → 30 s, ×2, jittered, reset after 120 s quiet). */
  policy?: Partial<BackoffPolicy>;
  /** Random source for the jitter. @default Math.random */
  random?: () => number;
  /** Clock for the delays. @default asyncScheduler */
  scheduler?: SchedulerLike;
  /** Called with each error before the retry is scheduled. */
  onError?: (error: unknown, delayMs: number) => void;
}

/**
 * Retries the source forever when it errors, waiting 800 ms, 1.6 s, 3.2 s… up to 30 s (jittered)
 * between attempts; after 120 s without an error the delays start again from 800 ms. The
 * watcher already does this internally; use it for other long-lived streams (`api.watch` used
 * directly, `logStream`, custom event sources).
 *
 * ## Example
 * ```ts
 * api.watch({ resourceVersion: '0' }).pipe(defaultBackoff({ onError: (e, ms) => console.warn(`retry in ${ms} ms`, e) }));
 * ```
 */
export function defaultBackoff<T>(options: DefaultBackoffOptions = {}): MonoTypeOperatorFunction<T> {
  const policy = { ...defaultBackoffPolicy(), ...options.policy };
  const scheduler = options.scheduler ?? asyncScheduler;
  const random = options.random ?? Math.random;
  return (source) =>
    defer(() => {
      let state = INITIAL_BACKOFF_STATE;
      return source.pipe(
        retry({
          delay: (error: unknown) => {
            const b = nextBackoff(policy, state, scheduler.now(), random);
            state = b.state;
            options.onError?.(error, b.delayMs);
            return timer(b.delayMs, scheduler);
          },
        }),
      );
    });
}
