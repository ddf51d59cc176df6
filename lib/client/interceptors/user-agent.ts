/**
 * The user-agent interceptor: names rxkube (or the application) in the `User-Agent` header, which
 * shows up in the API server's audit log and in API priority and fairness.
 *
 * @module
 */
import { detectRuntime } from '../environment.js';
import type { Interceptor } from '../interceptor.js';
import { VERSION } from '../version.js';

/**
 * The default user agent: `rxkube/<version> (node)` or `rxkube/<version> (browser)`.
 *
 * ## Example
 * ```ts
 * defaultUserAgent(); // 'rxkube/0.1.0 (node)'
 * ```
 */
export function defaultUserAgent(): string {
  return `rxkube/${VERSION} (${detectRuntime()})`;
}

/**
 * Sets `User-Agent` to `value` unless the request already has one. In a browser the header is left
 * alone: browsers send their own, and a custom one would force a CORS preflight.
 *
 * ## Example
 * ```ts
 * const client = new Client({ ...config, userAgent: 'my-operator/2.1' });
 * ```
 */
export function userAgent(value: string = defaultUserAgent()): Interceptor {
  const enabled = detectRuntime() === 'node';
  return (request, next) => {
    if (!enabled || Object.keys(request.headers).some((h) => h.toLowerCase() === 'user-agent')) return next(request);
    return next({ ...request, headers: { ...request.headers, 'User-Agent': value } });
  };
}
