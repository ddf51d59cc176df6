/**
 * Auth providers for credentials written in the kubeconfig itself: a bearer `token`, or
 * `username`/`password` (HTTP basic). Both redact themselves in `util.inspect` and `JSON.stringify`.
 *
 * @module
 */
import type { AuthProvider } from '../client/config.js';
import { inspectSymbol, redactValue } from './redact.js';

/**
 * Sends a fixed bearer token.
 *
 * ## Example
 * ```ts
 * const config: ClientConfig = { server, auth: new StaticTokenAuth(token) };
 * util.inspect(config.auth); // StaticTokenAuth { kind: 'token', token: '<redacted, 42 chars>' }
 * ```
 */
export class StaticTokenAuth implements AuthProvider {
  readonly kind = 'token';
  readonly #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  async headers(): Promise<Record<string, string>> {
    return { Authorization: `Bearer ${this.#token}` };
  }

  toJSON(): unknown {
    return { kind: this.kind, token: redactValue(this.#token) };
  }

  [inspectSymbol](): unknown {
    return this.toJSON();
  }
}

/**
 * Sends HTTP basic credentials (`username`/`password` in a kubeconfig user).
 *
 * ## Example
 * ```ts
 * const auth = new BasicAuth('admin', password);
 * await auth.headers(); // { Authorization: 'Basic YWRtaW46...' }
 * ```
 */
export class BasicAuth implements AuthProvider {
  readonly kind = 'basic';
  readonly #header: string;

  constructor(
    readonly username: string,
    password: string,
  ) {
    this.#header = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  }

  async headers(): Promise<Record<string, string>> {
    return { Authorization: this.#header };
  }

  toJSON(): unknown {
    return { kind: this.kind, username: this.username, password: '<redacted>' };
  }

  [inspectSymbol](): unknown {
    return this.toJSON();
  }
}
