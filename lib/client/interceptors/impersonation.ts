/**
 * The impersonation interceptor: acts as another user (`Impersonate-User`, `-Group`, `-Uid`,
 * `-Extra-<key>`). The caller's own identity needs the `impersonate` RBAC verb.
 *
 * @module
 */
import type { Impersonation } from '../config.js';
import { type Interceptor, withHeaders } from '../interceptor.js';

/**
 * The impersonation headers for `who`. Groups and extra values are sent as repeated headers; extra
 * keys are percent-encoded as the API server expects.
 *
 * ## Example
 * ```ts
 * impersonationHeaders({ user: 'jane', groups: ['dev', 'ops'] });
 * // { 'Impersonate-User': 'jane', 'Impersonate-Group': ['dev', 'ops'] }
 * ```
 */
export function impersonationHeaders(who: Impersonation): Record<string, string | readonly string[]> {
  const headers: Record<string, string | readonly string[]> = { 'Impersonate-User': who.user };
  if (who.groups !== undefined && who.groups.length > 0) headers['Impersonate-Group'] = [...who.groups];
  if (who.uid !== undefined) headers['Impersonate-Uid'] = who.uid;
  for (const [key, values] of Object.entries(who.extra ?? {})) {
    if (values.length > 0) headers[`Impersonate-Extra-${encodeURIComponent(key)}`] = [...values];
  }
  return headers;
}

/**
 * Adds the impersonation headers of `who` to every request.
 *
 * ## Example
 * ```ts
 * const asJane = new Client({ ...config, impersonate: { user: 'jane', groups: ['dev'] } });
 * ```
 */
export function impersonation(who: Impersonation): Interceptor {
  const headers = impersonationHeaders(who);
  return (request, next) => next(withHeaders(request, headers));
}
