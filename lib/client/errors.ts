/**
 * Errors of `rxkube/client`: {@link ApiError} (the server answered with a failure `Status`),
 * {@link NetworkError} (no answer), {@link TimeoutError} and {@link AbortedError}, with `isXxx()`
 * guards for the common Kubernetes reasons. A body that is not what it should be is a `DecodeError`
 * from `rxkube/core`.
 *
 * None of them ever carries a credential: the request headers are never attached, and the body that
 * was sent (`ApiError.sent`) is kept as a non-enumerable property so it is not serialised or logged.
 *
 * @module
 */
import { ERROR_BRAND, KubeError, type KubeErrorOptions } from '../core/errors.js';
import type { HttpMethod, Verb } from '../core/request.js';
import type { Status, StatusCause } from '../core/response.js';

/**
 * The request an error is about: verb, method and path (never the query, headers or body).
 *
 * ## Example
 * ```ts
 * const about: RequestSummary = { verb: 'get', method: 'GET', path: '/api/v1/namespaces/ns/pods/web' };
 * ```
 */
export interface RequestSummary {
  readonly verb: Verb;
  readonly method: HttpMethod;
  readonly path: string;
}

const HTTP_REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The longest excerpt of a non-Status body (an HTML page from a proxy, say) kept in a message. */
const MAX_BODY_EXCERPT = 200;

/**
 * Builds a `Status` for a failed response whose body is not one (a proxy's 502 page, an empty
 * body). The reason follows the Kubernetes conventions for the HTTP code.
 *
 * ## Example
 * ```ts
 * synthesizeStatus(502, '<html>Bad gateway</html>').reason; // 'BadGateway'
 * ```
 */
export function synthesizeStatus(code: number, body: string): Status {
  const text = body.replace(/\s+/g, ' ').trim();
  const excerpt = text.length > MAX_BODY_EXCERPT ? `${text.slice(0, MAX_BODY_EXCERPT)}…` : text;
  return {
    apiVersion: 'v1',
    kind: 'Status',
    status: 'Failure',
    code,
    reason: HTTP_REASONS[code] ?? (code >= 500 ? 'InternalError' : 'Unknown'),
    message: excerpt === '' ? `the server answered ${code} with no body` : excerpt,
  };
}

/**
 * Reads the `Status` out of a failed response body, or synthesises one when the body is not a
 * Status. The HTTP code wins when the Status has none.
 *
 * ## Example
 * ```ts
 * statusFromBody(404, '{"kind":"Status","reason":"NotFound","message":"pods \\"x\\" not found"}').code; // 404
 * ```
 */
export function statusFromBody(code: number, body: string): Status {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && (parsed as { kind?: unknown }).kind === 'Status') {
      const status = parsed as Status;
      return status.code ? status : { ...status, code };
    }
  } catch {
    // Not JSON: fall through to a synthesised Status.
  }
  return synthesizeStatus(code, body);
}

/**
 * Options of an {@link ApiError} beyond those of every rxkube error.
 *
 * ## Example
 * ```ts
 * new ApiError(about, 409, status, body, { retriedAfter: [504] }).mayHaveSucceeded; // true for a PUT
 * ```
 */
export interface ApiErrorOptions extends KubeErrorOptions {
  /** The statuses of earlier attempts of the same request (the retry interceptor's), oldest first. */
  retriedAfter?: readonly number[];
}

/**
 * Whether a failure `code` of a `method` request, repeated after the statuses `retriedAfter`, may
 * hide that an earlier attempt did the work: a PUT or DELETE whose first attempt answered 503 or 504
 * (the server, or a proxy in front of it, gave up waiting, not necessarily working) and whose repeat
 * found a 409 Conflict (the object changed: maybe by that attempt) or a 404 Not Found (the object is
 * gone: maybe deleted by that attempt).
 *
 * ## Example
 * ```ts
 * mayHaveSucceeded('DELETE', 404, [504]); // true
 * mayHaveSucceeded('DELETE', 404, []); // false
 * ```
 */
export function mayHaveSucceeded(method: HttpMethod, code: number, retriedAfter: readonly number[]): boolean {
  if (method !== 'PUT' && method !== 'DELETE') return false;
  if (code !== 404 && code !== 409) return false;
  return retriedAfter.some((s) => s === 503 || s === 504);
}

/**
 * The server answered with a failure: carries the Kubernetes `Status` (code, reason, message,
 * details and causes), the verb and path of the request, and `sent`, the body that was sent, so a
 * failed write never loses the caller's object. `sent` is non-enumerable: it is there for code, but
 * `JSON.stringify` and `util.inspect` leave it out (it may hold a Secret).
 *
 * ## Example
 * ```ts
 * try {
 *   await api.replace('web', stale);
 * } catch (e) {
 *   if (isConflict(e)) console.log(e.message, e.sent); // 'PUT /api/v1/namespaces/x/configmaps/web: 409 Conflict: ...'
 * }
 * ```
 *
 * **A repeated write.** The client repeats a PUT or DELETE answered 503 or 504. When the repeat
 * fails with 409 or 404, the first attempt may have done the work after all (replaced the object,
 * so its resourceVersion moved on; deleted it): then `mayHaveSucceeded` is true, `retriedAfter`
 * lists the earlier statuses and the message says so. Read the object again before treating such
 * a failure as one.
 *
 * ```ts
 * await api.delete('web').catch((e) => {
 *   if (isNotFound(e)) return; // gone, whether by this call's first attempt (e.mayHaveSucceeded) or another
 *   throw e;
 * });
 * ```
 */
export class ApiError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.ApiError';
  override readonly name: string = 'ApiError';
  /** The HTTP status code (also `status.code`). */
  readonly code: number;
  /** The machine-readable reason, e.g. `NotFound`, `AlreadyExists`, `Invalid`. */
  readonly reason: string;
  /** The Kubernetes verb of the failed request. */
  readonly verb: Verb;
  /** The HTTP method of the failed request. */
  readonly method: HttpMethod;
  /** The request path (without the query). */
  readonly path: string;
  /** The `Status` the server sent, or one synthesised from a non-Status body. */
  readonly status: Status;
  /** The body that was sent (non-enumerable, see the class docs). */
  declare readonly sent: unknown;
  /** The statuses of earlier attempts of this request (e.g. `[504]`), oldest first; empty when it was sent once. */
  readonly retriedAfter: readonly number[];
  /**
   * True when this 409 or 404 answered a PUT or DELETE repeated after a 503/504: the first attempt
   * may have succeeded (see the class docs and {@link mayHaveSucceeded}).
   */
  readonly mayHaveSucceeded: boolean;

  constructor(request: RequestSummary, code: number, status: Status, sent?: unknown, options: ApiErrorOptions = {}) {
    const reason = status.reason || HTTP_REASONS[code] || 'Unknown';
    const detail = status.message ? `: ${status.message}` : '';
    const { retriedAfter = [], ...rest } = options;
    const maybe = mayHaveSucceeded(request.method, code, retriedAfter);
    const note = maybe ? ` (repeated after ${retriedAfter.join(', ')}: the first attempt may have succeeded)` : '';
    super(`${request.method} ${request.path}: ${code} ${reason}${detail}${note}`, {
      ...rest,
      context: {
        verb: request.verb,
        path: request.path,
        code,
        reason,
        ...(retriedAfter.length === 0 ? {} : { retriedAfter }),
        ...(maybe ? { mayHaveSucceeded: true } : {}),
        ...rest.context,
      },
    });
    this.retriedAfter = retriedAfter;
    this.mayHaveSucceeded = maybe;
    this.code = code;
    this.reason = reason;
    this.verb = request.verb;
    this.method = request.method;
    this.path = request.path;
    this.status = status;
    Object.defineProperty(this, 'sent', { value: sent, enumerable: false, writable: false, configurable: false });
  }

  /** The field-level causes (`status.details.causes`), as the server sent them. */
  get causes(): readonly StatusCause[] {
    return this.status.details?.causes ?? [];
  }
}

/**
 * No response: the connection failed, was reset, or TLS failed. `cause` is a plain `Error` copied
 * from the underlying failure (name, message and `code` such as `ECONNREFUSED`), never the HTTP
 * library's error object, which carries the request headers.
 *
 * ## Example
 * ```ts
 * client.request(req).catch((e) => { if (e instanceof NetworkError) console.log(e.code); });
 * ```
 */
export class NetworkError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.NetworkError';
  override readonly name: string = 'NetworkError';
  /** A system error code such as `ECONNREFUSED`, when known. */
  readonly code: string | undefined;
  constructor(request: RequestSummary, message: string, code: string | undefined, options: KubeErrorOptions = {}) {
    super(`${request.method} ${request.path}: ${message}`, {
      ...options,
      context: { verb: request.verb, path: request.path, ...(code === undefined ? {} : { code }), ...options.context },
    });
    this.code = code;
  }
}

/**
 * A request took longer than its timeout (`phase: 'connect'` for the wait for response headers of
 * a stream, `'request'` for a whole one-shot request).
 *
 * ## Example
 * ```ts
 * new Client(config, { timeouts: { requestMs: 5_000 } }).request(req).catch((e) => e instanceof TimeoutError);
 * ```
 */
export class TimeoutError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.TimeoutError';
  override readonly name: string = 'TimeoutError';
  constructor(
    request: RequestSummary,
    readonly phase: 'connect' | 'request',
    readonly timeoutMs: number,
    options: KubeErrorOptions = {},
  ) {
    super(`${request.method} ${request.path}: no ${phase === 'connect' ? 'response headers' : 'response'} within ${timeoutMs} ms`, {
      ...options,
      context: { verb: request.verb, path: request.path, phase, timeoutMs, ...options.context },
    });
  }
}

/**
 * The request was cancelled by its caller (an `AbortSignal` fired).
 *
 * ## Example
 * ```ts
 * const ac = new AbortController();
 * const p = client.request(req, { signal: ac.signal });
 * ac.abort(); // p rejects with AbortedError
 * ```
 */
export class AbortedError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.AbortedError';
  override readonly name: string = 'AbortedError';
  constructor(request: RequestSummary, options: KubeErrorOptions = {}) {
    super(`${request.method} ${request.path}: aborted`, { ...options, context: { verb: request.verb, path: request.path, ...options.context } });
  }
}

/**
 * Whether `e` is an {@link AbortedError}: the caller cancelled the request (its `AbortSignal` fired,
 * or an Observable form was unsubscribed).
 *
 * ## Example
 * ```ts
 * const cm = await api.get('settings', {}, { signal }).catch((e) => (isAbortedError(e) ? undefined : Promise.reject(e)));
 * ```
 */
export function isAbortedError(e: unknown): e is AbortedError {
  return e instanceof AbortedError;
}

/**
 * Whether `e` is an {@link ApiError}.
 *
 * ## Example
 * ```ts
 * if (isApiError(e)) console.log(e.status.reason);
 * ```
 */
export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/**
 * 404 Not Found.
 *
 * ## Example
 * ```ts
 * const cm = await api.get('x').catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
 * ```
 */
export function isNotFound(e: unknown): e is ApiError {
  return isApiError(e) && e.code === 404;
}

/**
 * 409 Conflict caused by a stale `resourceVersion` or a server-side apply field conflict
 * (not {@link isAlreadyExists}).
 *
 * ## Example
 * ```ts
 * if (isConflict(e)) return retry();
 * ```
 */
export function isConflict(e: unknown): e is ApiError {
  return isApiError(e) && e.code === 409 && e.reason !== 'AlreadyExists';
}

/**
 * 409 with reason `AlreadyExists` (a create of a name that is taken).
 *
 * ## Example
 * ```ts
 * await api.create(cm).catch((e) => { if (!isAlreadyExists(e)) throw e; });
 * ```
 */
export function isAlreadyExists(e: unknown): e is ApiError {
  return isApiError(e) && e.reason === 'AlreadyExists';
}

/**
 * 403 Forbidden (RBAC denied the request).
 *
 * ## Example
 * ```ts
 * if (isForbidden(e)) console.error('missing RBAC permission:', e.message);
 * ```
 */
export function isForbidden(e: unknown): e is ApiError {
  return isApiError(e) && e.code === 403;
}

/**
 * 401 Unauthorized (missing or rejected credentials).
 *
 * ## Example
 * ```ts
 * if (isUnauthorized(e)) console.error('log in again');
 * ```
 */
export function isUnauthorized(e: unknown): e is ApiError {
  return isApiError(e) && e.code === 401;
}

/**
 * 410 Gone (reason `Expired` or `Gone`): a resourceVersion or continue token is too old.
 *
 * ## Example
 * ```ts
 * if (isGone(e)) relist();
 * ```
 */
export function isGone(e: unknown): e is ApiError {
  return isApiError(e) && e.code === 410;
}

/**
 * 422 Invalid: the object failed validation; `e.causes` lists the fields.
 *
 * ## Example
 * ```ts
 * if (isInvalid(e)) for (const c of e.causes) console.log(c.field, c.message);
 * ```
 */
export function isInvalid(e: unknown): e is ApiError {
  return isApiError(e) && (e.code === 422 || e.reason === 'Invalid');
}

/**
 * 429 Too Many Requests (API priority and fairness, or an eviction blocked by a disruption budget).
 *
 * ## Example
 * ```ts
 * if (isTooManyRequests(e)) await sleep(1000);
 * ```
 */
export function isTooManyRequests(e: unknown): e is ApiError {
  return isApiError(e) && e.code === 429;
}
