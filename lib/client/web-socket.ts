/**
 * WebSockets for pod streams (exec, attach, port-forward), browser-safe. A {@link WebSocketConnector}
 * opens one: in Node `rxkube/config` supplies one built on the `ws` package with the cluster's
 * keep-alive agent (TLS, proxy) in `config.transport.webSocket`; elsewhere the runtime's own
 * `WebSocket` is used ({@link nativeWebSocketConnector}), which cannot send headers, so a bearer
 * token travels as the `base64url.bearer.authorization.k8s.io.<token>` subprotocol the API server accepts.
 *
 * The connector is the innermost layer of a second pipeline of the client (the same interceptors:
 * user agent, impersonation, auth with one retry after a 401, the user's own), see {@link webSocketTransport}.
 *
 * @module
 */
import { PodStreamError } from '../core/pod-stream-error.js';
import type { HttpResponse, Next } from './interceptor.js';
import { queryString, toRequestError } from './transport.js';

/**
 * What a pod stream needs of an open WebSocket: binary messages both ways, the negotiated
 * subprotocol, and a close.
 *
 * ## Example
 * ```ts
 * socket.listen({ message: (m) => console.log(m[0]), close: (code) => console.log('closed', code), error: console.error });
 * socket.send(Uint8Array.of(0, 104, 105));
 * ```
 */
export interface StreamSocket {
  /** The subprotocol the server chose (`v5.channel.k8s.io`, ...). */
  readonly protocol: string;
  /** Bytes handed to `send` and not yet written to the network. */
  readonly bufferedAmount: number;
  /** Sends one binary message. Ignored once the socket is closing. */
  send(data: Uint8Array): void;
  /** Closes the socket (1000, normal closure, by default). */
  close(code?: number, reason?: string): void;
  /** Stops reading from the network (back-pressure: the server's sends queue up there); not every runtime can. */
  pause?(): void;
  /** Reads again after {@link StreamSocket.pause}. */
  resume?(): void;
  /**
   * Resolves once {@link StreamSocket.bufferedAmount} is at most `lowWaterMark`, or the socket has ended
   * (back-pressure for a fast writer: wait before sending more). Runtimes without a write callback
   * (browsers) leave it out; poll `bufferedAmount` there.
   */
  drained?(lowWaterMark: number): Promise<void>;
  /**
   * Starts delivering events to `handlers`; messages that arrived before are delivered first.
   * Exactly one of `close` and `error` ends the socket.
   */
  listen(handlers: StreamSocketHandlers): void;
}

/**
 * The events of a {@link StreamSocket}.
 *
 * ## Example
 * ```ts
 * const handlers: StreamSocketHandlers = { message: (m) => frames.push(m), close: () => done(), error: (e) => fail(e) };
 * ```
 */
export interface StreamSocketHandlers {
  /** One binary message; its bytes are the receiver's to keep (the socket never reuses their memory). */
  message(data: Uint8Array): void;
  /** The socket closed; `code` 1000 is a normal closure, 1006 an abnormal one (no close frame). */
  close(code: number, reason: string): void;
  /** The socket failed (network error, keepalive ping unanswered). */
  error(error: Error): void;
}

/**
 * A WebSocket to open: the full `ws://` or `wss://` URL, the subprotocols to offer, and the headers
 * (credentials among them: never log them).
 *
 * ## Example
 * ```ts
 * const req: WebSocketOpenRequest = { url: 'wss://127.0.0.1:6443/api/v1/namespaces/ns/pods/web/exec?command=ls', protocols: ['v5.channel.k8s.io'], headers: {}, signal };
 * ```
 */
export interface WebSocketOpenRequest {
  readonly url: string;
  readonly protocols: readonly string[];
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly signal: AbortSignal;
}

/**
 * The outcome of opening: the socket, or the server's refusal (its HTTP status and body, which is
 * usually a Status).
 *
 * ## Example
 * ```ts
 * const r = await connector(req);
 * if (r.type === 'refused') console.log(r.status, r.body);
 * ```
 */
export type WebSocketOpenResult =
  | { readonly type: 'open'; readonly socket: StreamSocket }
  | { readonly type: 'refused'; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string };

/**
 * Opens WebSockets. Rejects for failures without an HTTP answer (connection refused, TLS).
 *
 * ## Example
 * ```ts
 * const client = new Client({ ...config, transport: { ...config.transport, webSocket: myConnector } });
 * ```
 */
export type WebSocketConnector = (request: WebSocketOpenRequest) => Promise<WebSocketOpenResult>;

/** The key of the socket on the `HttpResponse` (status 101) of {@link webSocketTransport}. */
export const STREAM_SOCKET: unique symbol = Symbol('rxkube.streamSocket');

/**
 * The socket a pipeline's 101 response carries, if any.
 *
 * ## Example
 * ```ts
 * const socket = streamSocketOf(await send(request));
 * ```
 */
export function streamSocketOf(response: HttpResponse): StreamSocket | undefined {
  return (response as { [STREAM_SOCKET]?: StreamSocket })[STREAM_SOCKET];
}

/** `https://h/p` → `wss://h/p`, `http://` → `ws://`. */
function webSocketUrl(server: string, path: string): string {
  return server.replace(/\/+$/, '').replace(/^http(s?):\/\//i, (_m, s: string) => `ws${s}://`) + path;
}

/**
 * The innermost layer of the WebSocket pipeline: opens `request` with `connector` and answers 101
 * with the socket under {@link STREAM_SOCKET}, or the refusal's status and body. A socket that opens
 * after the request was cancelled is closed at once.
 *
 * ## Example
 * ```ts
 * const send = composeInterceptors(layers, webSocketTransport(connector, config.server, EXEC_PROTOCOLS));
 * ```
 */
export function webSocketTransport(connector: WebSocketConnector, server: string, protocols: readonly string[]): Next {
  return async (request): Promise<HttpResponse> => {
    let result: WebSocketOpenResult;
    try {
      result = await connector({ url: webSocketUrl(server, request.path + queryString(request.query)), protocols, headers: request.headers, signal: request.signal });
    } catch (error) {
      throw toRequestError(request, error);
    }
    if (result.type === 'refused') return { status: result.status, headers: result.headers, text: result.body };
    if (request.signal.aborted) {
      result.socket.close(1000, 'cancelled');
      throw toRequestError(request, new Error('cancelled'));
    }
    const response: HttpResponse = { status: 101, headers: {} };
    Object.defineProperty(response, STREAM_SOCKET, { value: result.socket });
    return response;
  };
}

/** The subprotocol prefix carrying a bearer token where headers cannot be sent (browsers). */
export const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

/** base64url without padding, of the UTF-8 bytes of `text`. */
function base64url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The subprotocols to offer from a native WebSocket for `headers`: the bearer token of an
 * `Authorization: Bearer` header becomes {@link BEARER_PROTOCOL_PREFIX}`<base64url token>`; headers
 * a browser sets itself (`User-Agent`, `Accept*`) are dropped; any other header (impersonation, basic
 * auth) cannot be sent and is a {@link PodStreamError} `unsupported`.
 *
 * ## Example
 * ```ts
 * nativeProtocols(['v5.channel.k8s.io'], { Authorization: 'Bearer abc' });
 * // ['v5.channel.k8s.io', 'base64url.bearer.authorization.k8s.io.YWJj']
 * ```
 */
export function nativeProtocols(protocols: readonly string[], headers: Readonly<Record<string, string | readonly string[]>>): string[] {
  const out = [...protocols];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'user-agent' || lower.startsWith('accept')) continue;
    const single = typeof value === 'string' ? value : undefined;
    if (lower === 'authorization' && single !== undefined && /^bearer /i.test(single)) {
      out.push(BEARER_PROTOCOL_PREFIX + base64url(single.slice(7).trim()));
      continue;
    }
    throw new PodStreamError('unsupported', `a WebSocket of this runtime cannot send the ${lower === 'authorization' ? 'non-bearer Authorization' : name} header; pod streams here support bearer tokens only`, {
      context: { header: name },
    });
  }
  return out;
}

/**
 * The parts of the WHATWG `WebSocket` that {@link nativeWebSocketConnector} uses.
 *
 * ## Example
 * ```ts
 * const socket: NativeWebSocket = new WebSocket('wss://example.com', ['v5.channel.k8s.io']);
 * ```
 */
export interface NativeWebSocket {
  binaryType: string;
  readonly protocol: string;
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/**
 * A WHATWG `WebSocket` constructor (the browser's own, or a compatible one) for {@link nativeWebSocketConnector}.
 *
 * ## Example
 * ```ts
 * const Impl: NativeWebSocketConstructor = WebSocket;
 * ```
 */
export type NativeWebSocketConstructor = new (url: string, protocols: string[]) => NativeWebSocket;

/**
 * Adapts a socket's events to {@link StreamSocket.listen}: queues events until `listen` is called.
 *
 * ## Example
 * ```ts
 * const q = new SocketEvents(); ws.on('message', (m) => q.message(m)); q.listen(handlers);
 * ```
 */
export class SocketEvents implements StreamSocketHandlers {
  #handlers: StreamSocketHandlers | undefined;
  #queue: Array<(h: StreamSocketHandlers) => void> = [];
  #ended = false;

  listen(handlers: StreamSocketHandlers): void {
    this.#handlers = handlers;
    const queue = this.#queue;
    this.#queue = [];
    for (const event of queue) event(handlers);
  }

  #emit(event: (h: StreamSocketHandlers) => void): void {
    if (this.#handlers === undefined) this.#queue.push(event);
    else event(this.#handlers);
  }

  message(data: Uint8Array): void {
    if (!this.#ended) this.#emit((h) => h.message(data));
  }

  close(code: number, reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#emit((h) => h.close(code, reason));
  }

  error(error: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#emit((h) => h.error(error));
  }
}

/**
 * A connector over the runtime's `WebSocket` (browsers, Deno, Node 22+): headers become
 * subprotocols (see {@link nativeProtocols}). The browser does not say why an upgrade failed, so a
 * refusal rejects with a {@link PodStreamError} `connectionLost` instead of the server's Status.
 *
 * In a browser, same-origin through a proxy (`kubectl proxy`) works as is. Straight to a
 * kube-apiserver there is a catch: it asks every TLS client for a certificate (it has a client CA),
 * and Chromium cancels a WebSocket whose handshake asks for one unless the user already chose
 * (even "none") for that server in the same partition, as a top-level visit of the server's origin
 * does: a WebSocket may not show the certificate picker. So a page of another origin connecting
 * directly gets `connectionLost` whatever its token; serve the page from the API server's origin, or
 * put a front (ingress, proxy) that does not request client certificates before the API server.
 *
 * ## Example
 * ```ts
 * const client = new Client({ ...configFromUrl(url, { token }), transport: { webSocket: nativeWebSocketConnector() } });
 * ```
 */
export function nativeWebSocketConnector(WebSocketImpl?: NativeWebSocketConstructor): WebSocketConnector {
  return (request) =>
    new Promise<WebSocketOpenResult>((resolve, reject) => {
      const Impl = WebSocketImpl ?? (globalThis as { WebSocket?: NativeWebSocketConstructor }).WebSocket;
      if (Impl === undefined) {
        reject(new PodStreamError('unsupported', 'this runtime has no WebSocket; in Node, build the config with rxkube/config (it supplies one)'));
        return;
      }
      const ws = new Impl(request.url, nativeProtocols(request.protocols, request.headers));
      ws.binaryType = 'arraybuffer';
      const events = new SocketEvents();
      let opened = false;
      const onAbort = (): void => {
        ws.close();
        reject(new Error('cancelled'));
      };
      request.signal.addEventListener('abort', onAbort, { once: true });
      ws.onopen = () => {
        opened = true;
        request.signal.removeEventListener('abort', onAbort);
        resolve({
          type: 'open',
          socket: {
            get protocol() {
              return ws.protocol;
            },
            get bufferedAmount() {
              return ws.bufferedAmount;
            },
            send: (data) => {
              if (ws.readyState === 1) ws.send(data);
            },
            close: (code = 1000, reason) => ws.close(code, reason),
            listen: (handlers) => events.listen(handlers),
          },
        });
      };
      ws.onmessage = (ev) => {
        const data = ev.data;
        if (data instanceof ArrayBuffer) events.message(new Uint8Array(data));
        else if (typeof data === 'string') events.message(new TextEncoder().encode(data));
      };
      ws.onerror = () => {
        if (!opened) {
          request.signal.removeEventListener('abort', onAbort);
          reject(new PodStreamError('connectionLost', `the WebSocket to ${request.url.replace(/\?.*$/, '')} could not be opened (the runtime does not say why: refused upgrade, TLS, a client certificate request or network)`));
        } else events.error(new PodStreamError('connectionLost', 'the WebSocket failed'));
      };
      ws.onclose = (ev) => {
        if (opened) events.close(ev.code, ev.reason);
      };
    });
}
