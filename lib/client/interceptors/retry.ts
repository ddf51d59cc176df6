/**
 * The retry interceptor: repeats a request the server asked to repeat (429 Too Many Requests, 503
 * Service Unavailable, 504 Gateway Timeout, and nothing else), waiting as long as `Retry-After`
 * says or else a jittered exponential backoff. 503 and 504 are retried only for idempotent methods;
 * 429 always, because the server rejected the request before doing anything.
 *
 * @module
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { HttpMethod } from '../../core/request.js';
import type { HttpResponse, Interceptor } from '../interceptor.js';

/**
 * Options of {@link retry}.
 *
 * ## Example
 * ```ts
 * const options: RetryOptions = { maxRetries: 5, baseDelayMs: 200, maxDelayMs: 10_000 };
 * ```
 */
export interface RetryOptions {
  /**
   * Retries after the first attempt (so at most `maxRetries + 1` requests).
   * @default 3
   */
  maxRetries?: number;
  /**
   * Backoff before the first retry when there is no `Retry-After`; doubles with each retry.
   * @default 500
   */
  baseDelayMs?: number;
  /**
   * Upper bound of any wait, including one asked for by `Retry-After`.
   * @default 30000
   */
  maxDelayMs?: number;
  /** Source of randomness for the jitter, in [0, 1). @default Math.random */
  random?: () => number;
  /** Clock and timers (a `TestScheduler` in tests). @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/**
 * Status codes that may be retried.
 *
 * ## Example
 * ```ts
 * RETRYABLE_STATUSES.has(503); // true
 * ```
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503, 504]);

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set<HttpMethod | 'HEAD' | 'OPTIONS'>(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Whether a response with `status` to a request with `method` may be sent again.
 *
 * ## Example
 * ```ts
 * isRetryable('POST', 429); // true
 * isRetryable('POST', 503); // false
 * isRetryable('GET', 503); // true
 * ```
 */
export function isRetryable(method: string, status: number): boolean {
  if (status === 429) return true;
  return RETRYABLE_STATUSES.has(status) && IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/**
 * Parses a `Retry-After` header (delay in seconds, or an HTTP date) into milliseconds from `now`.
 * Returns undefined when absent or unreadable; a date in the past gives 0.
 *
 * ## Example
 * ```ts
 * retryAfterMs('2', 0); // 2000
 * retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT')); // 60000
 * ```
 */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The backoff before retry number `retry` (0-based): `base × 2^retry`, capped at `max`, with "equal
 * jitter" (a random point in the upper half), so concurrent clients spread out but never retry at once.
 *
 * ## Example
 * ```ts
 * backoffMs(2, 500, 30_000, () => 0.5); // 1500 (between 1000 and 2000)
 * ```
 */
export function backoffMs(retry: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** retry);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function sleep(ms: number, scheduler: SchedulerLike, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      timer.unsubscribe();
      reject(signal.reason);
    };
    const timer = scheduler.schedule(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Retries 429/503/504 responses (see the module docs), up to `maxRetries` times. The last response
 * is returned as is when retries run out, so the caller sees the server's Status.
 *
 * ## Example
 * ```ts
 * const client = new Client(config, { retry: { maxRetries: 5, maxDelayMs: 10_000 } });
 * ```
 */
export function retry(options: RetryOptions = {}): Interceptor {
  const { maxRetries = 3, baseDelayMs = 500, maxDelayMs = 30_000, random = Math.random, scheduler = asyncScheduler } = options;
  return async (request, next) => {
    let response: HttpResponse = await next(request);
    for (let attempt = 0; attempt < maxRetries && isRetryable(request.method, response.status); attempt++) {
      const asked = retryAfterMs(response.headers['retry-after'], scheduler.now());
      const wait = Math.min(maxDelayMs, asked ?? backoffMs(attempt, baseDelayMs, maxDelayMs, random));
      await sleep(wait, scheduler, request.signal);
      response = await next(request);
    }
    return response;
  };
}
