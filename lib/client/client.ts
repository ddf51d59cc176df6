/**
 * The `Client`: sends the plain `KubeRequest`s built by `rxkube/core` through a pipeline of
 * interceptors (auth, user agent, impersonation, retries, timeouts and the user's own) to one axios
 * instance, and turns responses into values, lines or {@link ApiError}s.
 *
 * @module
 */
import { asyncScheduler, Observable, type SchedulerLike, type Subscriber } from 'rxjs';
import { DecodeError, excerptOf } from '../core/error-boundary.js';
import type { KubeRequest } from '../core/request.js';
import type { ClientConfig } from './config.js';
import { detectRuntime } from './environment.js';
import { ApiError, statusFromBody } from './errors.js';
import { composeInterceptors, type HttpRequest, type HttpResponse, type Interceptor, type Next } from './interceptor.js';
import { auth } from './interceptors/auth.js';
import { impersonation } from './interceptors/impersonation.js';
import { retry, type RetryOptions } from './interceptors/retry.js';
import { timeout, type TimeoutOptions } from './interceptors/timeout.js';
import { defaultUserAgent, userAgent } from './interceptors/user-agent.js';
import { LineDecoder } from './line-decoder.js';
import { type AdapterName, axiosTransport, createAxiosInstance, type NodeSource, nodeSourceOf, toRequestError } from './transport.js';
import { nativeWebSocketConnector, type StreamSocket, streamSocketOf, webSocketTransport } from './web-socket.js';

/**
 * Options of a {@link Client}.
 *
 * ## Example
 * ```ts
 * const client = new Client(config, { interceptors: [logging], retry: { maxRetries: 5 }, timeouts: { requestMs: 60_000 } });
 * ```
 */
export interface ClientOptions {
  /**
   * Extra interceptors, outermost first. They wrap the built-in ones, so they see each call once
   * (not each retry) and see the final response.
   */
  interceptors?: readonly Interceptor[];
  /** Retry settings, or `false` to never retry. */
  retry?: RetryOptions | false;
  /** Timeout settings, or `false` for none. */
  timeouts?: TimeoutOptions | false;
  /** Clock and timers for retries and timeouts (unless their own options name one). @default asyncScheduler */
  scheduler?: SchedulerLike;
  /** The axios adapter. @default 'http' under Node, 'fetch' in a browser */
  adapter?: AdapterName;
  /**
   * The longest line of a streamed response (one watch event, one log line), in bytes; a longer
   * one fails the stream with `LineTooLongError` instead of growing memory. @default 16 MiB
   */
  maxLineBytes?: number;
}

/**
 * Per-call options of the Promise methods.
 *
 * ## Example
 * ```ts
 * const ac = new AbortController();
 * setTimeout(() => ac.abort(), 1000);
 * await client.request(req, { signal: ac.signal });
 * ```
 */
export interface RequestOptions {
  /** Cancels the request (the Observable methods cancel on unsubscribe instead). */
  signal?: AbortSignal;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

function redactUrl(server: string): string {
  try {
    const url = new URL(server);
    if (url.username === '' && url.password === '') return server;
    url.username = 'redacted';
    url.password = '';
    return url.toString();
  } catch {
    return '[unparseable server URL]';
  }
}

function summary(request: KubeRequest): Pick<HttpRequest, 'verb' | 'method' | 'path'> {
  return { verb: request.verb, method: request.method, path: request.path };
}

/**
 * Reads a Node stream with `'data'` events into `subscriber`, line by line; returns what stops it
 * (listeners removed, stream destroyed). Ends as the async iterator would: `'end'` completes after
 * the unterminated last line, an error or a close before the end errors (as a rxkube error).
 */
function readNode(source: NodeSource, decoder: LineDecoder, subscriber: Subscriber<string>): () => void {
  const { stream, request } = source;
  let done = false;
  const stop = (): void => {
    if (done) return;
    done = true;
    stream.removeListener('data', onData);
    stream.removeListener('end', onEnd);
    stream.removeListener('close', onClose);
    // A late failure of the destroyed stream must not become an uncaught 'error' event.
    stream.removeListener('error', onError);
    stream.on('error', ignore);
    stream.destroy();
  };
  const fail = (error: unknown): void => {
    stop();
    if (!subscriber.closed) subscriber.error(toRequestError(request, error));
  };
  function onData(chunk: unknown): void {
    let lines: string[];
    try {
      lines = decoder.push(chunk as Uint8Array);
    } catch (error) {
      // A line past maxLineBytes: give the stream up now, before more of it is buffered.
      return fail(error);
    }
    for (const line of lines) {
      if (subscriber.closed) return stop();
      subscriber.next(line);
    }
    if (subscriber.closed) stop();
  }
  function onEnd(): void {
    for (const line of decoder.end()) {
      if (subscriber.closed) return stop();
      subscriber.next(line);
    }
    stop();
    subscriber.complete();
  }
  function onError(error: unknown): void {
    fail(error);
  }
  function onClose(): void {
    // 'close' before 'end' and without 'error': the connection went away mid-stream.
    if (!done) fail(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
  }
  stream.on('data', onData);
  stream.on('end', onEnd);
  stream.on('error', onError);
  stream.on('close', onClose);
  return stop;
}

function ignore(): void {}

/**
 * Sends Kubernetes requests. One client holds one axios instance (and so one connection pool) for
 * one cluster and identity; share it.
 *
 * Every Promise method has an Observable twin that is cold (nothing is sent before subscribe) and
 * aborts the HTTP request on unsubscribe. Failed responses reject with {@link ApiError}.
 *
 * `util.inspect(client)` and `JSON.stringify(client)` show the server, namespace and the kind of
 * credentials only, never the credentials.
 *
 * ## Example
 * ```ts
 * const client = new Client({ server: 'http://127.0.0.1:8001' });
 * const cm = await client.request<ConfigMap>(RequestBuilder.for(ConfigMapType, 'default').get('settings'));
 * client.requestLines(RequestBuilder.for(PodType, 'default').watch({})).subscribe(console.log);
 * ```
 */
export class Client {
  readonly #config: ClientConfig;
  readonly #send: Next;
  readonly #layers: readonly Interceptor[];
  readonly #maxLineBytes: number | undefined;

  constructor(config: ClientConfig, options: ClientOptions = {}) {
    this.#config = config;
    this.#maxLineBytes = options.maxLineBytes;
    if (options.maxLineBytes !== undefined && !(Number.isInteger(options.maxLineBytes) && options.maxLineBytes > 0)) {
      throw new RangeError(`ClientOptions.maxLineBytes must be a positive integer, got ${String(options.maxLineBytes)}`);
    }
    const adapter = options.adapter ?? (detectRuntime() === 'node' ? 'http' : 'fetch');
    const scheduler = options.scheduler ?? asyncScheduler;
    const layers: Interceptor[] = [...(options.interceptors ?? [])];
    if (options.retry !== false) layers.push(retry({ scheduler, ...options.retry }));
    if (options.timeouts !== false) layers.push(timeout({ scheduler, ...options.timeouts }));
    layers.push(userAgent(config.userAgent ?? defaultUserAgent()));
    if (config.impersonate !== undefined) layers.push(impersonation(config.impersonate));
    if (config.auth !== undefined) layers.push(auth(config.auth));
    const transport = axiosTransport(createAxiosInstance(config, adapter), { adapter, compression: !config.disableCompression });
    this.#layers = layers;
    this.#send = composeInterceptors(layers, transport);
  }

  /** The configuration this client was built from. Holds credentials providers: do not log it. */
  get config(): ClientConfig {
    return this.#config;
  }

  /** The default namespace: `config.namespace`, else `default`. */
  get defaultNamespace(): string {
    return this.#config.namespace ?? 'default';
  }

  /**
   * Sends a request through the pipeline and returns the raw response, whatever its status.
   *
   * ## Example
   * ```ts
   * const res = await client.send(req);
   * if (res.status === 404) console.log('missing');
   * ```
   */
  async send(request: KubeRequest, options: RequestOptions = {}): Promise<HttpResponse> {
    const http: HttpRequest = {
      ...request,
      streaming: request.streaming ?? false,
      signal: options.signal ?? new AbortController().signal,
    };
    try {
      return await this.#send(http);
    } catch (error) {
      // The transport already maps its own failures; here only a cancellation (say, during a
      // retry's wait) still needs to become the abort reason. Other errors pass through as thrown.
      throw http.signal.aborted ? toRequestError(http, error) : error;
    }
  }

  /**
   * Sends a request and returns the response body as text; a failure status rejects with {@link ApiError}.
   *
   * ## Example
   * ```ts
   * const logs = await client.requestText(RequestBuilder.for(PodType, 'ns').logs('web', { tailLines: 10 }));
   * ```
   */
  async requestText(request: KubeRequest, options: RequestOptions = {}): Promise<string> {
    const response = await this.send({ ...request, streaming: false }, options);
    const text = response.text ?? '';
    if (response.status >= 400) throw this.apiError(request, response.status, text, response.retriedAfter);
    return text;
  }

  /**
   * Sends a request and parses the JSON response (undefined for an empty body); a failure status
   * rejects with {@link ApiError}, a body that is not JSON with {@link DecodeError}.
   *
   * ## Example
   * ```ts
   * const pod = await client.request<Pod>(RequestBuilder.for(PodType, 'ns').get('web'));
   * ```
   */
  async request<T>(request: KubeRequest, options: RequestOptions = {}): Promise<T> {
    const text = await this.requestText(request, options);
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new DecodeError(`${request.method} ${request.path}: the response is not JSON: ${excerptOf(text)}`, {
        cause: error,
        excerpt: excerptOf(text),
        context: { verb: request.verb, path: request.path },
      });
    }
  }

  /**
   * The cold Observable form of {@link Client.request}: sends on subscribe, emits the parsed body
   * once and completes; unsubscribing aborts the HTTP request.
   *
   * ## Example
   * ```ts
   * client.request$<Pod>(req).pipe(map((p) => p.status?.phase)).subscribe(console.log);
   * ```
   */
  request$<T>(request: KubeRequest): Observable<T> {
    return this.once$((signal) => this.request<T>(request, { signal }));
  }

  /**
   * The cold Observable form of {@link Client.requestText}.
   *
   * ## Example
   * ```ts
   * client.requestText$(logsRequest).subscribe((text) => console.log(text));
   * ```
   */
  requestText$(request: KubeRequest): Observable<string> {
    return this.once$((signal) => this.requestText(request, { signal }));
  }

  private once$<T>(send: (signal: AbortSignal) => Promise<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      const controller = new AbortController();
      send(controller.signal).then(
        (value) => {
          subscriber.next(value);
          subscriber.complete();
        },
        (error: unknown) => subscriber.error(error),
      );
      return () => controller.abort();
    });
  }

  /**
   * Sends a streaming request (watch, followed logs) and emits the decoded lines of the response
   * body in order, including empty ones, then completes when the server closes the stream. A failure
   * status errors with {@link ApiError}. Cold; unsubscribing aborts the HTTP request. No read timeout.
   *
   * ## Example
   * ```ts
   * client.requestLines(RequestBuilder.for(PodType, 'ns').logs('web', { follow: true })).subscribe((line) => console.log(line));
   * ```
   */
  requestLines(request: KubeRequest): Observable<string> {
    return new Observable<string>((subscriber) => {
      const controller = new AbortController();
      let detach: (() => void) | undefined;
      const run = async (): Promise<void> => {
        const response = await this.send({ ...request, streaming: true }, { signal: controller.signal });
        if (response.status >= 400) throw this.apiError(request, response.status, response.text ?? '', response.retriedAfter);
        const decoder = new LineDecoder(this.#maxLineBytes === undefined ? {} : { maxLineBytes: this.#maxLineBytes });
        const source = response.stream === undefined ? undefined : nodeSourceOf(response.stream);
        if (source !== undefined) {
          // Node: 'data' events feed the subscriber synchronously, no async iterator per chunk.
          if (subscriber.closed) {
            source.stream.on('error', ignore);
            source.stream.destroy();
            return;
          }
          detach = readNode(source, decoder, subscriber);
          return;
        }
        const chunks = response.stream ?? (async function* one() {
          yield new TextEncoder().encode(response.text ?? '');
        })();
        for await (const chunk of chunks) {
          for (const line of decoder.push(chunk)) {
            if (subscriber.closed) return;
            subscriber.next(line);
          }
          if (subscriber.closed) return;
        }
        for (const line of decoder.end()) {
          if (subscriber.closed) return;
          subscriber.next(line);
        }
        subscriber.complete();
      };
      run().catch((error: unknown) => {
        if (!subscriber.closed) subscriber.error(error);
      });
      return () => {
        controller.abort();
        detach?.();
      };
    });
  }

  /**
   * Opens `request` (a pod's `exec`, `attach` or `portforward`) as a WebSocket offering `protocols`,
   * through the same interceptors as every request (user agent, impersonation, auth with one retry
   * after a 401, retries of 429/503, the connect timeout, the user's own). A refused upgrade rejects
   * with {@link ApiError} carrying the server's Status (`isNotFound`, `isForbidden`, ...). Most callers
   * want `Api.exec`, `Api.attach` or `Api.portForward`, built on this.
   *
   * ## Example
   * ```ts
   * const socket = await client.openWebSocket(RequestBuilder.for(Pod, 'ns').exec('web', { command: ['ls'] }), EXEC_PROTOCOLS);
   * ```
   */
  async openWebSocket(request: KubeRequest, protocols: readonly string[], options: RequestOptions = {}): Promise<StreamSocket> {
    const connector = this.#config.transport?.webSocket ?? nativeWebSocketConnector();
    const send = composeInterceptors(this.#layers, webSocketTransport(connector, this.#config.server, protocols));
    const http: HttpRequest = { ...request, streaming: true, signal: options.signal ?? new AbortController().signal };
    let response: HttpResponse;
    try {
      response = await send(http);
    } catch (error) {
      throw http.signal.aborted ? toRequestError(http, error) : error;
    }
    const socket = streamSocketOf(response);
    if (socket !== undefined) return socket;
    throw this.apiError(request, response.status, response.text ?? '', response.retriedAfter);
  }

  private apiError(request: KubeRequest, code: number, body: string, retriedAfter?: readonly number[]): ApiError {
    return new ApiError(summary(request), code, statusFromBody(code, body), request.body, retriedAfter === undefined ? {} : { retriedAfter });
  }

  /** A secret-free description: server (without user info), namespace, kinds of credentials. */
  toJSON(): Record<string, unknown> {
    const c = this.#config;
    return {
      server: redactUrl(c.server),
      ...(c.namespace === undefined ? {} : { namespace: c.namespace }),
      auth: c.auth?.kind ?? 'none',
      ...(c.impersonate === undefined ? {} : { impersonate: c.impersonate.user }),
      tls: {
        ca: c.tls?.ca === undefined ? 'system' : 'custom',
        clientCertificate: c.tls?.cert !== undefined,
        insecureSkipTLSVerify: c.tls?.insecureSkipTLSVerify ?? false,
      },
    };
  }

  [INSPECT](_depth: number, options: unknown, inspect?: (value: unknown, options: unknown) => string): string {
    const shown = this.toJSON();
    return `Client ${inspect === undefined ? JSON.stringify(shown) : inspect(shown, options)}`;
  }
}
