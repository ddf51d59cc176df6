/**
 * The authentication interceptor: adds the headers of an {@link AuthProvider} to every request and,
 * after a 401, asks the provider to drop its cached credentials and tries once more.
 *
 * @module
 */
import type { AuthProvider } from '../config.js';
import { type Interceptor, withHeaders } from '../interceptor.js';

/**
 * Authenticates requests with `provider`. A 401 leads to `provider.invalidate()` and exactly one
 * retry with fresh headers (a rotated token file, a re-run exec plugin); a second 401 is returned
 * as is. Providers without `invalidate` get no retry.
 *
 * ## Example
 * ```ts
 * const bearer: AuthProvider = { kind: 'token', headers: async () => ({ Authorization: `Bearer ${token}` }) };
 * const client = new Client({ server }, { interceptors: [] }); // `config.auth` is wired in by default
 * const send = composeInterceptors([auth(bearer)], transport);
 * ```
 */
export function auth(provider: AuthProvider): Interceptor {
  return async (request, next) => {
    const response = await next(withHeaders(request, await provider.headers()));
    if (response.status !== 401 || provider.invalidate === undefined || request.signal.aborted) return response;
    provider.invalidate();
    return next(withHeaders(request, await provider.headers()));
  };
}
