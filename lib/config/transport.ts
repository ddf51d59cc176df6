/**
 * The Node transport of a `ClientConfig`: ONE keep-alive `https.Agent` (and `http.Agent`) per
 * cluster and credentials, carrying the TLS material (CA, client certificate and key, server name,
 * verification on unless `insecure-skip-tls-verify`), shared by every config and every request that
 * target the same cluster as the same identity.
 *
 * Two things the plain Node agents do not do are handled here, inside the agent:
 * - **Proxies.** With a proxy URL the agent opens an HTTP `CONNECT` tunnel (or a SOCKS5 `CONNECT`
 *   for `socks5://` and `socks5h://` proxies, as client-go accepts) through the proxy and runs TLS inside it. HTTP clients using these agents must therefore NOT apply a proxy themselves
 *   (for axios: `proxy: false`, or it would also read `HTTPS_PROXY` on its own).
 * - **Idle connections.** A pooled keep-alive connection is closed after `idleSocketTimeoutMs`
 *   (30 s) without a request, before a server or load balancer closes it under a request that
 *   is being sent (kube-apiserver drops idle connections after 90 s, many load balancers after 60).
 *   A connection in use has no idle limit: a quiet watch stays open.
 * - **Client certificates from exec plugins.** The agent asks the plugin for the current
 *   certificate when it opens a connection, disables TLS session reuse, and retires pooled
 *   connections made with an older certificate as soon as the plugin hands out a new one.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { SocksClient } from 'socks';
import type { TlsConfig } from '../client/config.js';
import type { WebSocketConnector } from '../client/web-socket.js';
import { ConfigError } from './config-error.js';
import type { ExecAuth, ExecCredential } from './exec.js';
import { inspectSymbol, redactValue } from './redact.js';
import { webSocketConnector } from './web-socket.js';

/**
 * What one transport is built for.
 *
 * ## Example
 * ```ts
 * transportFor({ server: 'https://10.0.0.1:6443', tls: { ca }, proxyUrl: 'http://egress:3128' });
 * ```
 */
export interface TransportOptions {
  /** The API server URL (`https://...` or `http://...`). */
  server: string;
  tls?: TlsConfig;
  /**
   * A proxy: `http://` or `https://` (HTTP `CONNECT`), or `socks5://` / `socks5h://` (SOCKS5, the
   * API server's host name resolved by the proxy), with optional `user:password@`.
   */
  proxyUrl?: string;
  /**
   * Where `proxyUrl` came from, for error messages, e.g.
   * `{ file: '/home/me/.kube/config', field: 'clusters[0].cluster.proxy-url', entry: 'prod' }`.
   */
  proxyOrigin?: { file?: string; field: string; entry?: string };
  /** An exec plugin whose credentials may carry a client certificate (takes precedence over `tls.cert`). */
  certificateSource?: ExecAuth;
  /**
   * How long a pooled keep-alive connection may stay unused before the agent closes it (a
   * connection in use has no limit). `0` keeps idle connections until the server closes them.
   * @default 30000
   */
  idleSocketTimeoutMs?: number;
}

/**
 * The default of `TransportOptions.idleSocketTimeoutMs`: below kube-apiserver's 90 s idle timeout
 * and the 60 s of common load balancers.
 *
 * ## Example
 * ```ts
 * transportFor({ server, tls, idleSocketTimeoutMs: DEFAULT_IDLE_SOCKET_TIMEOUT_MS / 2 });
 * ```
 */
export const DEFAULT_IDLE_SOCKET_TIMEOUT_MS = 30_000;

/** Starts the idle clock of a connection going back to the pool. */
function idleInPool(socket: Duplex, ms: number): void {
  if (!(ms > 0)) return;
  const s = socket as Duplex & { timeout?: number; setTimeout?: (ms: number) => unknown };
  // Node may have set a shorter one from the server's `Keep-Alive: timeout=` hint: keep that.
  const current = typeof s.timeout === 'number' && s.timeout > 0 ? s.timeout : Infinity;
  s.setTimeout?.(Math.min(current, ms));
}

/** Stops the idle clock of a pooled connection taken for a request (a watch may stay quiet for minutes). */
function inUse(socket: Duplex): void {
  (socket as Duplex & { setTimeout?: (ms: number) => unknown }).setTimeout?.(0);
}

/**
 * The agents put in `ClientConfig.transport`.
 *
 * ## Example
 * ```ts
 * const { httpsAgent } = transportFor({ server: 'https://127.0.0.1:6443', tls: { ca } });
 * https.get('https://127.0.0.1:6443/version', { agent: httpsAgent });
 * ```
 */
export interface Transport {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  /** Opens the WebSockets of pod streams (exec, attach, port-forward) through these agents. */
  webSocket: WebSocketConnector;
}

const transports = new Map<string, Transport>();

/**
 * The transport for a cluster and credentials, created on first use and cached: two configs for
 * the same server, CA, client certificate, proxy and exec plugin get the same agents (and so share
 * their keep-alive connection pool).
 *
 * ## Example
 * ```ts
 * const a = transportFor({ server, tls });
 * const b = transportFor({ server, tls: { ...tls } });
 * a.httpsAgent === b.httpsAgent; // true
 * ```
 */
export function transportFor(options: TransportOptions): Transport {
  const t = options.tls ?? {};
  const origin = new URL(options.server).origin;
  const key = createHash('sha256')
    .update(
      JSON.stringify([
        origin,
        t.ca ?? null,
        t.cert ?? null,
        t.key ?? null,
        t.insecureSkipTLSVerify === true,
        t.serverName ?? null,
        options.proxyUrl ?? null,
        options.certificateSource?.cacheKey ?? null,
        options.idleSocketTimeoutMs ?? DEFAULT_IDLE_SOCKET_TIMEOUT_MS,
      ]),
    )
    .digest('hex');
  let transport = transports.get(key);
  if (transport === undefined) {
    const proxy = options.proxyUrl === undefined ? undefined : parseProxy(options.proxyUrl, options.proxyOrigin);
    const idleMs = options.idleSocketTimeoutMs ?? DEFAULT_IDLE_SOCKET_TIMEOUT_MS;
    const httpAgent = new KubeHttpAgent(proxy, idleMs);
    const httpsAgent = new KubeHttpsAgent(t, proxy, options.certificateSource, idleMs);
    transport = { httpAgent, httpsAgent, webSocket: webSocketConnector({ httpAgent, httpsAgent }) };
    transports.set(key, transport);
  }
  return transport;
}

/** A parsed proxy URL. */
interface Proxy {
  url: URL;
  /** `Proxy-Authorization` of an HTTP proxy. */
  authorization?: string;
  /** User name and password of a SOCKS5 proxy (RFC 1929). */
  socksUser?: { userId: string; password: string };
}

const PROXY_SCHEMES = new Set(['http:', 'https:', 'socks5:', 'socks5h:']);

function parseProxy(proxyUrl: string, origin: TransportOptions['proxyOrigin'] = { field: 'proxy-url' }): Proxy {
  const where = origin.file === undefined ? origin.field : `kubeconfig ${origin.file}: ${origin.field}`;
  const context = { field: origin.field, ...(origin.file === undefined ? {} : { file: origin.file }), ...(origin.entry === undefined ? {} : { entry: origin.entry }) };
  let url: URL;
  try {
    url = new URL(proxyUrl);
  } catch (e) {
    // Never the URL itself in the message: it may hold a password.
    throw new ConfigError('invalidKubeconfig', `${where}: not a URL`, { cause: e, context });
  }
  if (!PROXY_SCHEMES.has(url.protocol)) {
    throw new ConfigError('unsupported', `${where}: scheme ${url.protocol} is not supported (use http, https, socks5 or socks5h)`, { context });
  }
  if (url.hostname === '') throw new ConfigError('invalidKubeconfig', `${where}: the proxy URL has no host`, { context });
  const proxy: Proxy = { url };
  if (url.username !== '') {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    if (url.protocol.startsWith('socks')) proxy.socksUser = { userId: user, password };
    else proxy.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  return proxy;
}

/** Opens a tunnel to `host:port` through the proxy (HTTP `CONNECT` or SOCKS5); resolves with the raw socket. */
function tunnel(proxy: Proxy, host: string, port: number): Promise<Duplex> {
  if (proxy.url.protocol === 'socks5:' || proxy.url.protocol === 'socks5h:') return socksTunnel(proxy, host, port);
  return new Promise((resolve, reject) => {
    const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const headers: Record<string, string> = { host: target };
    if (proxy.authorization !== undefined) headers['proxy-authorization'] = proxy.authorization;
    const request = (proxy.url.protocol === 'https:' ? https : http).request({
      host: proxy.url.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.url.port === '' ? (proxy.url.protocol === 'https:' ? 443 : 80) : Number(proxy.url.port),
      method: 'CONNECT',
      path: target,
      headers,
      agent: false,
    });
    request.once('connect', (response, socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`proxy ${proxy.url.host} refused CONNECT ${target}: ${response.statusCode}`));
        return;
      }
      resolve(socket);
    });
    request.once('error', reject);
    request.end();
  });
}

async function socksTunnel(proxy: Proxy, host: string, port: number): Promise<Duplex> {
  try {
    const { socket } = await SocksClient.createConnection({
      proxy: {
        host: proxy.url.hostname.replace(/^\[|\]$/g, ''),
        port: proxy.url.port === '' ? 1080 : Number(proxy.url.port),
        type: 5,
        ...(proxy.socksUser === undefined ? {} : proxy.socksUser),
      },
      command: 'connect',
      destination: { host: host.replace(/^\[|\]$/g, ''), port },
      timeout: 30_000,
    });
    return socket;
  } catch (e) {
    // The socks library's message names the proxy step that failed; keep it, without credentials.
    const message = e instanceof Error ? e.message : String(e);
    throw Object.assign(new Error(`SOCKS5 proxy ${proxy.url.host} could not connect to ${host}:${port}: ${message}`), {
      code: (e as { code?: unknown }).code ?? 'ESOCKS',
    });
  }
}

/** Keep-alive `http.Agent` for `http://` servers, tunnelling through a proxy when there is one. */
class KubeHttpAgent extends http.Agent {
  readonly #proxy: Proxy | undefined;
  readonly #idleMs: number;

  constructor(proxy: Proxy | undefined, idleMs: number) {
    super({ keepAlive: true });
    this.#proxy = proxy;
    this.#idleMs = idleMs;
  }

  override keepSocketAlive(socket: Duplex): boolean {
    const kept = (super.keepSocketAlive(socket) as unknown as boolean) ?? true;
    if (kept) idleInPool(socket, this.#idleMs);
    return kept;
  }

  override reuseSocket(socket: Duplex, request: http.ClientRequest): void {
    inUse(socket);
    super.reuseSocket(socket, request);
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const proxy = this.#proxy;
    if (proxy === undefined) return super.createConnection(options, callback);
    tunnel(proxy, options.host ?? 'localhost', Number(options.port ?? 80)).then(
      (socket) => callback?.(null, socket),
      (e: Error) => callback?.(e, undefined as never),
    );
    return undefined;
  }

  toJSON(): unknown {
    return { kind: 'http.Agent', keepAlive: true, idleSocketTimeoutMs: this.#idleMs, proxy: this.#proxy?.url.host };
  }

  [inspectSymbol](): unknown {
    return this.toJSON();
  }
}

/** Tags a socket with the exec credential its client certificate came from. */
const credentialOf = new WeakMap<Duplex, ExecCredential | undefined>();
/** The proxy tunnel under a TLS socket: it must be unref'd with it while pooled, or it keeps the process alive. */
const tunnelOf = new WeakMap<Duplex, Duplex>();

/** Keep-alive `https.Agent` with the cluster's TLS material; see the module comment. */
class KubeHttpsAgent extends https.Agent {
  readonly #proxy: Proxy | undefined;
  readonly #source: ExecAuth | undefined;
  readonly #tls: TlsConfig;
  readonly #idleMs: number;
  #current: ExecCredential | undefined;
  /** See `#secureContext`: undefined until built, null if Node refused the material. */
  #context: tls.SecureContext | null | undefined;

  constructor(t: TlsConfig, proxy: Proxy | undefined, source: ExecAuth | undefined, idleMs: number) {
    const options: https.AgentOptions = {
      keepAlive: true,
      rejectUnauthorized: t.insecureSkipTLSVerify !== true,
    };
    if (t.ca !== undefined) options.ca = t.ca;
    if (t.cert !== undefined) options.cert = t.cert;
    if (t.key !== undefined) options.key = t.key;
    if (t.serverName !== undefined) options.servername = t.serverName;
    // A resumed TLS session keeps the identity of the certificate it was made with.
    if (source !== undefined) options.maxCachedSessions = 0;
    super(options);
    this.#tls = t;
    this.#proxy = proxy;
    this.#source = source;
    this.#idleMs = idleMs;
    source?.onCredential((credential) => this.#retireOlderThan(credential));
  }

  /**
   * One TLS context for every connection without an exec plugin's certificate: Node would otherwise build
   * one per connection (parsing the CA bundle and the key, milliseconds of CPU), and every WebSocket (exec,
   * port-forward) opens a new connection. Built on first use; material Node refuses is left to
   * `tls.connect`, which reports it as before.
   */
  #secureContext(): tls.SecureContext | undefined {
    if (this.#source !== undefined || this.#context === null) return undefined;
    if (this.#context === undefined) {
      const t = this.#tls;
      try {
        this.#context = tls.createSecureContext({
          ...(t.ca === undefined ? {} : { ca: t.ca }),
          ...(t.cert === undefined ? {} : { cert: t.cert }),
          ...(t.key === undefined ? {} : { key: t.key }),
        });
      } catch {
        this.#context = null;
        return undefined;
      }
    }
    return this.#context;
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const secureContext = this.#secureContext();
    if (secureContext !== undefined) options = { ...options, secureContext } as https.RequestOptions;
    if (this.#proxy === undefined && this.#source === undefined) return super.createConnection(options, callback);
    this.#connect(options).then(
      (socket) => callback?.(null, socket),
      (e: Error) => callback?.(e, undefined as never),
    );
    return undefined;
  }

  async #connect(options: https.RequestOptions): Promise<Duplex> {
    const connect: tls.ConnectionOptions = { ...(options as tls.ConnectionOptions) };
    let credential: ExecCredential | undefined;
    if (this.#source !== undefined) {
      credential = await this.#source.credential();
      this.#current = credential;
      if (credential.clientCertificateData !== undefined) {
        connect.cert = credential.clientCertificateData;
        connect.key = credential.clientKeyData;
      }
    }
    let raw: Duplex | undefined;
    if (this.#proxy !== undefined) {
      raw = await tunnel(this.#proxy, String(options.host ?? 'localhost'), Number(options.port ?? 443));
      connect.socket = raw;
    }
    const socket = tls.connect(connect);
    if (this.#source !== undefined) credentialOf.set(socket, credential);
    if (raw !== undefined) tunnelOf.set(socket, raw);
    return socket;
  }

  /** Pooled connections made with another client certificate are closed; busy ones are not pooled again. */
  #retireOlderThan(credential: ExecCredential): void {
    this.#current = credential;
    for (const sockets of Object.values(this.freeSockets)) {
      for (const socket of sockets ?? []) {
        if (this.#stale(socket)) socket.destroy();
      }
    }
  }

  /** Whether `socket` was opened with a client certificate other than the current one. */
  #stale(socket: Duplex): boolean {
    if (!credentialOf.has(socket)) return false;
    return credentialOf.get(socket)?.clientCertificateData !== this.#current?.clientCertificateData;
  }

  override keepSocketAlive(socket: Duplex): boolean {
    if (this.#stale(socket)) return false;
    (tunnelOf.get(socket) as { unref?: () => void } | undefined)?.unref?.();
    const kept = (super.keepSocketAlive(socket) as unknown as boolean) ?? true;
    if (kept) idleInPool(socket, this.#idleMs);
    return kept;
  }

  override reuseSocket(socket: Duplex, request: http.ClientRequest): void {
    inUse(socket);
    (tunnelOf.get(socket) as { ref?: () => void } | undefined)?.ref?.();
    super.reuseSocket(socket, request);
  }

  [inspectSymbol](): unknown {
    return this.toJSON();
  }

  toJSON(): unknown {
    return {
      kind: 'https.Agent',
      keepAlive: true,
      idleSocketTimeoutMs: this.#idleMs,
      rejectUnauthorized: this.#tls.insecureSkipTLSVerify !== true,
      servername: this.#tls.serverName,
      ca: this.#tls.ca === undefined ? undefined : `<${this.#tls.ca.length} chars>`,
      cert: this.#tls.cert === undefined ? undefined : `<${this.#tls.cert.length} chars>`,
      key: redactValue(this.#tls.key),
      proxy: this.#proxy?.url.host,
      certificateSource: this.#source?.kind,
    };
  }
}
