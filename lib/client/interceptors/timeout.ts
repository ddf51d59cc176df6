/**
 * The timeout interceptor. A streaming request (watch, followed logs) must get its response headers
 * within `connectMs` and then has no read timeout at all; a one-shot request must complete within
 * `requestMs`. Each attempt of a retried request gets its own deadline.
 *
 * @module
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { TimeoutError } from '../errors.js';
import type { Interceptor } from '../interceptor.js';

/**
 * Options of {@link timeout}.
 *
 * ## Example
 * ```ts
 * const options: TimeoutOptions = { connectMs: 10_000, requestMs: 60_000 };
 * ```
 */
export interface TimeoutOptions {
  /**
   * Deadline for the response headers of a streaming request. `0` disables it.
   * @default 30000
   */
  connectMs?: number;
  /**
   * Deadline for a whole one-shot request (the API server itself gives up on most requests after
   * 60 s, but a large LIST may legitimately take longer). `0` disables it.
   * @default 295000
   */
  requestMs?: number;
  /** Timers (a `TestScheduler` in tests). @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/**
 * Fails a request with {@link TimeoutError} when it takes too long, and aborts it.
 *
 * ## Example
 * ```ts
 * const client = new Client(config, { timeouts: { connectMs: 10_000, requestMs: 60_000 } });
 * ```
 */
export function timeout(options: TimeoutOptions = {}): Interceptor {
  const { connectMs = 30_000, requestMs = 295_000, scheduler = asyncScheduler } = options;
  return (request, next) => {
    const ms = request.streaming ? connectMs : requestMs;
    if (!(ms > 0)) return next(request);
    const controller = new AbortController();
    const forward = (): void => controller.abort(request.signal.reason);
    if (request.signal.aborted) forward();
    else request.signal.addEventListener('abort', forward, { once: true });
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = scheduler.schedule(() => {
        if (settled) return;
        settled = true;
        const error = new TimeoutError(request, request.streaming ? 'connect' : 'request', ms);
        controller.abort(error);
        request.signal.removeEventListener('abort', forward);
        reject(error);
      }, ms);
      next({ ...request, signal: controller.signal }).then(
        (response) => {
          if (settled) return;
          settled = true;
          timer.unsubscribe();
          // A stream keeps listening: unsubscribing later must still abort it.
          if (!request.streaming) request.signal.removeEventListener('abort', forward);
          resolve(response);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          timer.unsubscribe();
          request.signal.removeEventListener('abort', forward);
          reject(error);
        },
      );
    });
  };
}
