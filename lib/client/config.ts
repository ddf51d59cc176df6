/**
 * The connection settings a {@link Client} needs, as plain data. Browser-safe: building one from a
 * kubeconfig file, an exec plugin or the in-cluster service account lives in `rxkube/config` (Node only).
 *
 * @module
 */
import type { WebSocketConnector } from './web-socket.js';

/**
 * Supplies authentication headers for each request. Implementations cache credentials and may be
 * asked to refresh once after a 401.
 *
 * ## Example
 * ```ts
 * const bearer: AuthProvider = { kind: 'token', headers: async () => ({ Authorization: `Bearer ${token}` }) };
 * ```
 */
export interface AuthProvider {
  /** A short, secret-free description (`'token'`, `'exec:aws'`, `'tokenFile'`) for logs and errors. */
  readonly kind: string;
  /** Headers to add to the next request. Must never be logged. */
  headers(): Promise<Record<string, string>>;
  /** Drop cached credentials after a 401 so the next `headers()` call fetches new ones. */
  invalidate?(): void;
}

/** Impersonation headers (`Impersonate-User`, `-Group`, `-Uid`, `-Extra-*`). */
export interface Impersonation {
  user: string;
  groups?: readonly string[];
  uid?: string;
  extra?: Readonly<Record<string, readonly string[]>>;
}

/** TLS settings, PEM-encoded. Verification is on unless `insecureSkipTLSVerify` is set. */
export interface TlsConfig {
  ca?: string;
  cert?: string;
  key?: string;
  insecureSkipTLSVerify?: boolean;
  serverName?: string;
}

/**
 * Everything needed to reach one cluster as one identity.
 *
 * ## Example
 * ```ts
 * const config: ClientConfig = { server: 'http://127.0.0.1:8001' }; // behind `kubectl proxy`
 * const client = new Client(config);
 * ```
 */
export interface ClientConfig {
  /** Base URL of the API server, e.g. `https://127.0.0.1:6443`. */
  server: string;
  /** Default namespace (from the kubeconfig context or the service account). */
  namespace?: string;
  tls?: TlsConfig;
  auth?: AuthProvider;
  impersonate?: Impersonation;
  /** `proxy-url` from the kubeconfig, or from HTTPS_PROXY/NO_PROXY. */
  proxyUrl?: string;
  disableCompression?: boolean;
  /**
   * Node transport objects built once per cluster and credentials by `rxkube/config` (keep-alive
   * `http.Agent`/`https.Agent` carrying TLS material). Opaque here so this module stays browser-safe.
   */
  transport?: {
    httpAgent?: unknown;
    httpsAgent?: unknown;
    /**
     * Opens the WebSockets of pod streams (exec, attach, port-forward). `rxkube/config` supplies one
     * made with the agents above; without it the runtime's own `WebSocket` is used (browsers).
     */
    webSocket?: WebSocketConnector;
  };
  /** Sent as `User-Agent` (Node only; browsers set their own). */
  userAgent?: string;
}

/** Options of {@link configFromUrl}. */
export interface FromUrlOptions {
  /** Bearer token sent with every request. Never logged: the provider redacts itself. */
  token?: string;
  /** Default namespace; `'default'` when omitted. */
  namespace?: string;
}

/**
 * Builds a browser-safe {@link ClientConfig} from a URL (for example `kubectl proxy` at
 * `http://127.0.0.1:8001`) and an optional bearer token. No file, no Node built-in is involved;
 * `rxkube/config` re-exports it as `Config.fromUrl`.
 *
 * ## Example
 * ```ts
 * const client = new Client(configFromUrl('http://127.0.0.1:8001'));
 * const withToken = configFromUrl('https://my-cluster:6443', { token: await getToken() });
 * ```
 */
export function configFromUrl(url: string, options: FromUrlOptions = {}): ClientConfig {
  const server = url.replace(/\/+$/, '');
  const config: ClientConfig = { server, namespace: options.namespace ?? 'default' };
  const token = options.token;
  if (token !== undefined) {
    const redacted = () => ({ kind: 'token', token: '<redacted>' });
    config.auth = Object.defineProperties(
      { kind: 'token', headers: async () => ({ Authorization: `Bearer ${token}` }) },
      {
        toJSON: { value: redacted },
        [Symbol.for('nodejs.util.inspect.custom')]: { value: redacted },
      },
    );
  }
  return config;
}
