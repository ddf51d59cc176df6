/**
 * The innermost layer of the pipeline: sends an {@link HttpRequest} with axios and returns an
 * {@link HttpResponse}. One axios instance per client, Node's `http` adapter (with the keep-alive
 * agents from `config.transport`) or the `fetch` adapter in a browser. Failures become
 * {@link NetworkError}s whose cause is a plain copy of the underlying error: axios errors carry the
 * request configuration, headers included, and must never escape.
 *
 * @module
 */
import axios, { type AxiosInstance, type AxiosProxyConfig, type AxiosResponse } from 'axios';
import { KubeError } from '../core/errors.js';
import type { ClientConfig } from './config.js';
import { AbortedError, NetworkError } from './errors.js';
import type { HttpRequest, HttpResponse, Next } from './interceptor.js';

/**
 * Which axios adapter sends requests: Node's `http` module or `fetch` (browsers).
 *
 * ## Example
 * ```ts
 * new Client(config, { adapter: 'fetch' }); // the browser path, also usable in Node 20
 * ```
 */
export type AdapterName = 'http' | 'fetch';

/**
 * Options of {@link axiosTransport}.
 *
 * ## Example
 * ```ts
 * const options: TransportOptions = { adapter: 'http', compression: true };
 * ```
 */
export interface TransportOptions {
  /** The adapter; by default `http` under Node and `fetch` in a browser. */
  adapter: AdapterName;
  /** Ask for gzip responses (Node only; browsers negotiate compression themselves). */
  compression: boolean;
}

function proxyConfig(proxyUrl: string): AxiosProxyConfig {
  const url = new URL(proxyUrl);
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return {
    protocol: url.protocol.replace(/:$/, ''),
    host: url.hostname,
    port,
    ...(url.username === '' ? {} : { auth: { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } }),
  };
}

/**
 * Creates the axios instance of one client. `baseURL` is the server URL (a path prefix such as
 * `/k8s/clusters/c-1` is kept). Statuses are never thrown by axios, bodies are never transformed:
 * the pipeline decides what a status means and the client parses JSON itself.
 *
 * When `config.transport` carries agents, they own the connection (and any proxy tunnel), so axios's
 * own proxy handling is turned off; otherwise `proxyUrl` is given to axios.
 *
 * ## Example
 * ```ts
 * const instance = createAxiosInstance({ server: 'http://127.0.0.1:8001' }, 'http');
 * ```
 */
export function createAxiosInstance(config: ClientConfig, adapter: AdapterName): AxiosInstance {
  const hasAgents = config.transport?.httpAgent !== undefined || config.transport?.httpsAgent !== undefined;
  return axios.create({
    baseURL: config.server.replace(/\/+$/, ''),
    adapter,
    ...(config.transport?.httpAgent === undefined ? {} : { httpAgent: config.transport.httpAgent }),
    ...(config.transport?.httpsAgent === undefined ? {} : { httpsAgent: config.transport.httpsAgent }),
    ...(hasAgents ? { proxy: false as const } : config.proxyUrl === undefined ? {} : { proxy: proxyConfig(config.proxyUrl) }),
    maxRedirects: 0,
    maxBodyLength: Infinity,
    maxContentLength: -1,
    decompress: true,
    validateStatus: () => true,
    transformRequest: [(data: unknown) => data],
    transformResponse: [(data: unknown) => data],
  });
}

/**
 * The query string of a request (`?a=1&command=ls&command=-l`), empty without parameters; an array
 * value repeats its parameter.
 *
 * ## Example
 * ```ts
 * queryString({ command: ['ls', '-l'], tty: 'false' }); // '?command=ls&command=-l&tty=false'
 * ```
 */
export function queryString(query: Readonly<Record<string, string | readonly string[]>>): string {
  const keys = Object.keys(query);
  if (keys.length === 0) return '';
  const params = new URLSearchParams();
  for (const key of keys) {
    const value = query[key] as string | readonly string[];
    for (const v of typeof value === 'string' ? [value] : value) params.append(key, v);
  }
  return `?${params.toString()}`;
}

function plainHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const source = (headers as { toJSON?: () => Record<string, unknown> } | undefined)?.toJSON?.() ?? (headers as Record<string, unknown> | undefined) ?? {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || value === null) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/**
 * A plain, header-free copy of an error (name, message, code, syscall), recursing into `cause`.
 *
 * ## Example
 * ```ts
 * const safe = sanitizeError(axiosError); // no config, no request, no headers
 * ```
 */
export function sanitizeError(error: unknown, depth = 0): Error | undefined {
  if (!(error instanceof Error) || depth > 3) return undefined;
  const inner = (error as { cause?: unknown }).cause;
  const cause = sanitizeError(inner, depth + 1);
  const copy = new Error(error.message, cause === undefined ? undefined : { cause });
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') (copy as Error & { code?: unknown }).code = code;
  const syscall = (error as { syscall?: unknown }).syscall;
  if (typeof syscall === 'string') (copy as Error & { syscall?: string }).syscall = syscall;
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, i = 0; e instanceof Error && i < 4; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ERR_NETWORK' && code !== 'ERR_BAD_RESPONSE') return code;
  }
  return undefined;
}

/**
 * Maps any failure of a request into a rxkube error: the abort reason when the request was
 * cancelled (a {@link TimeoutError}, or {@link AbortedError}), else a {@link NetworkError}.
 *
 * ## Example
 * ```ts
 * try { await send(req); } catch (e) { throw toRequestError(req, e); }
 * ```
 */
export function toRequestError(request: HttpRequest, error: unknown): KubeError {
  if (request.signal.aborted) {
    const reason: unknown = request.signal.reason;
    return reason instanceof KubeError ? reason : new AbortedError(request);
  }
  if (error instanceof KubeError) return error;
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return new NetworkError(request, message === '' ? (code ?? 'network failure') : message, code, { cause: sanitizeError(error) });
}

function isReadableStream(data: unknown): data is ReadableStream<Uint8Array> {
  return typeof data === 'object' && data !== null && typeof (data as ReadableStream).getReader === 'function';
}

async function* readerChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/** The response body as byte chunks: a web `ReadableStream` (fetch) or a Node stream (async iterable). */
function chunksOf(data: unknown): AsyncIterable<Uint8Array> {
  if (isReadableStream(data)) return readerChunks(data);
  if (typeof data === 'object' && data !== null && Symbol.asyncIterator in data) return data as AsyncIterable<Uint8Array>;
  const text = typeof data === 'string' ? data : '';
  return (async function* single() {
    if (text !== '') yield new TextEncoder().encode(text);
  })();
}

/**
 * A Node `Readable`, seen structurally (`lib/client` imports no Node built-in): what
 * {@link Client.requestLines} needs to read it with `'data'` events instead of an async iterator.
 */
export interface NodeReadableLike {
  on(event: string, listener: (value?: unknown) => void): unknown;
  removeListener(event: string, listener: (value?: unknown) => void): unknown;
  destroy(error?: Error): unknown;
}

/**
 * The source of a streaming response of the Node `http` adapter, attached (non-enumerable) to
 * `HttpResponse.stream` under {@link NODE_SOURCE}: the stream itself and the request its failures
 * are reported against. An interceptor that replaces `stream` drops it, and readers fall back to
 * async iteration.
 */
export interface NodeSource {
  readonly stream: NodeReadableLike;
  readonly request: HttpRequest;
}

/** The key of {@link NodeSource} on a streaming response's `stream`. */
export const NODE_SOURCE: unique symbol = Symbol('rxkube.nodeSource');

function isNodeReadable(data: unknown): data is NodeReadableLike & AsyncIterable<Uint8Array> {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Partial<NodeReadableLike> & { pipe?: unknown };
  return typeof d.on === 'function' && typeof d.removeListener === 'function' && typeof d.destroy === 'function' && typeof d.pipe === 'function' && Symbol.asyncIterator in data;
}

/** The {@link NodeSource} of a response stream, if the transport attached one and nothing replaced the stream. */
export function nodeSourceOf(stream: AsyncIterable<Uint8Array>): NodeSource | undefined {
  return (stream as { [NODE_SOURCE]?: NodeSource })[NODE_SOURCE];
}

/** Re-throws failures while reading a stream as rxkube errors. */
async function* guarded(request: HttpRequest, chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* chunks;
  } catch (error) {
    throw toRequestError(request, error);
  }
}

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

function serialize(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/**
 * The transport: the innermost {@link Next} of a client's pipeline.
 *
 * ## Example
 * ```ts
 * const send = composeInterceptors(interceptors, axiosTransport(createAxiosInstance(config, 'http'), { adapter: 'http', compression: true }));
 * ```
 */
export function axiosTransport(instance: AxiosInstance, options: TransportOptions): Next {
  const compressionHeader = options.adapter === 'http' ? { 'Accept-Encoding': options.compression ? 'gzip' : 'identity' } : {};
  return async (request): Promise<HttpResponse> => {
    let response: AxiosResponse<unknown>;
    try {
      response = await instance.request<unknown>({
        method: request.method,
        url: request.path + queryString(request.query),
        headers: { ...compressionHeader, ...request.headers } as Record<string, string>,
        data: serialize(request.body),
        responseType: request.streaming ? 'stream' : 'text',
        signal: request.signal,
      });
    } catch (error) {
      throw toRequestError(request, error);
    }
    const headers = plainHeaders(response.headers);
    if (!request.streaming) {
      return { status: response.status, headers, text: typeof response.data === 'string' ? response.data : '' };
    }
    const chunks = guarded(request, chunksOf(response.data));
    if (response.status >= 400) return { status: response.status, headers, text: await readAll(chunks) };
    if (isNodeReadable(response.data)) {
      const source: NodeSource = { stream: response.data, request };
      Object.defineProperty(chunks, NODE_SOURCE, { value: source });
    }
    return { status: response.status, headers, stream: chunks };
  };
}
