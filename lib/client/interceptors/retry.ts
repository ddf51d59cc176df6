/**
 * The retry interceptor: repeats a request the server asked to repeat (429 Too Many Requests, 503
 * Service Unavailable, 504 Gateway Timeout, and nothing else), waiting as long as `Retry-After`
 * says or else a jittered exponential backoff. 503 and 504 are retried only for idempotent methods;
 * 429 always, because the server rejected the request before doing anything.
 *
 * A read (GET, HEAD: gets, lists, the start of a watch) is also repeated when the connection is
 * reset or closed before an answer (`ECONNRESET`, "socket hang up", a keep-alive connection the
 * server closed just as it was reused), with the same backoff, as client-go does for GETs. Writes
 * are not: the server may have done them. A stream that already started is never repeated here
 * (the watcher resumes it from its resourceVersion).
 *
 * A PUT or DELETE repeated after a 503 or 504 may meet the effect of its own first attempt (a 409
 * Conflict on the changed resourceVersion, a 404 for the deleted object): the response says which
 * statuses came before it (`HttpResponse.retriedAfter`) and the client's `ApiError` then has
 * `mayHaveSucceeded` set.
 *
 * @module
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { HttpMethod } from '../../core/request.js';
import { NetworkError } from '../errors.js';
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

/** Codes of a connection that broke before an answer: reset, closed under a request, or ended early. */
const CONNECTION_LOST_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * Whether a failure without a response is a lost connection (reset, EOF) that a read may retry
 * safely: a {@link NetworkError} with code `ECONNRESET` ("socket hang up"), `EPIPE`,
 * `ERR_STREAM_PREMATURE_CLOSE`, or undici's `UND_ERR_SOCKET` / `UND_ERR_CLOSED` ("other side
 * closed"), to a GET or HEAD. Refused connections, DNS and TLS failures, timeouts and cancellations
 * are not retried here.
 *
 * ## Example
 * ```ts
 * isRetryableConnectionLoss('GET', new NetworkError(req, 'socket hang up', 'ECONNRESET')); // true
 * isRetryableConnectionLoss('PUT', new NetworkError(req, 'socket hang up', 'ECONNRESET')); // false
 * ```
 */
export function isRetryableConnectionLoss(method: string, error: unknown): boolean {
  const m = method.toUpperCase();
  if (m !== 'GET' && m !== 'HEAD') return false;
  return error instanceof NetworkError && error.code !== undefined && CONNECTION_LOST_CODES.has(error.code);
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
 * Retries 429/503/504 responses, and reads whose connection was lost (see the module docs), up to
 * `maxRetries` times. The last response is returned as is when retries run out, so the caller sees
 * the server's Status, with `retriedAfter` listing the statuses of the attempts before it; a lost
 * connection that is not retried (or the last one) rejects with its `NetworkError`.
 *
 * ## Example
 * ```ts
 * const client = new Client(config, { retry: { maxRetries: 5, maxDelayMs: 10_000 } });
 * ```
 */
export function retry(options: RetryOptions = {}): Interceptor {
  const { maxRetries = 3, baseDelayMs = 500, maxDelayMs = 30_000, random = Math.random, scheduler = asyncScheduler } = options;
  return async (request, next) => {
    const earlier: number[] = [];
    for (let attempt = 0; ; attempt++) {
      let response: HttpResponse;
      try {
        response = await next(request);
      } catch (error) {
        if (attempt >= maxRetries || request.signal.aborted || !isRetryableConnectionLoss(request.method, error)) throw error;
        await sleep(backoffMs(attempt, baseDelayMs, maxDelayMs, random), scheduler, request.signal);
        continue;
      }
      if (attempt >= maxRetries || !isRetryable(request.method, response.status)) {
        return earlier.length === 0 ? response : { ...response, retriedAfter: earlier };
      }
      earlier.push(response.status);
      const asked = retryAfterMs(response.headers['retry-after'], scheduler.now());
      const wait = Math.min(maxDelayMs, asked ?? backoffMs(attempt, baseDelayMs, maxDelayMs, random));
      await sleep(wait, scheduler, request.signal);
    }
  };
}
