/**
 * The Node {@link WebSocketConnector} of pod streams (exec, attach, port-forward), built on the `ws`
 * package with the cluster's keep-alive agent from `transportFor`, so a WebSocket uses exactly the
 * TLS material (CA, client certificate, server name, exec-plugin certificates) and the proxy tunnel
 * of every other request. Headers (credentials, impersonation, user agent) come from the client's
 * interceptors. No compression, no redirects. A ping every `pingIntervalMs` keeps idle streams alive
 * through proxies and load balancers; a ping unanswered until the next one ends the socket with a
 * `PodStreamError` `connectionLost`.
 *
 * @module
 */
import type { Agent, IncomingMessage } from 'node:http';
import { interval, type SchedulerLike } from 'rxjs';
import WebSocket from 'ws';
import { SocketEvents, type StreamSocket, type WebSocketConnector, type WebSocketOpenResult } from '../client/web-socket.js';
import { PodStreamError } from '../core/pod-stream-error.js';

/**
 * Options of {@link webSocketConnector}.
 *
 * ## Example
 * ```ts
 * const connector = webSocketConnector({ agent: transportFor({ server, tls }).httpsAgent, pingIntervalMs: 10_000 });
 * ```
 */
export interface WebSocketConnectorOptions {
  /** The agent for `wss://` URLs (TLS material, proxy). */
  httpsAgent?: Agent;
  /** The agent for `ws://` URLs. */
  httpAgent?: Agent;
  /** Milliseconds between keepalive pings; `0` sends none. @default 30000 */
  pingIntervalMs?: number;
  /** The longest error body read from a refused upgrade. @default 65536 */
  maxErrorBodyBytes?: number;
  /** Timers of the keepalive (a `TestScheduler` in tests). @default Node's timers, unref'd */
  scheduler?: SchedulerLike;
}

function plainHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Reads at most `max` bytes of a refused upgrade's body. */
function readBody(response: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => resolve(Buffer.concat(chunks).toString('utf8'));
    response.on('data', (chunk: Buffer) => {
      if (size < max) chunks.push(chunk.subarray(0, max - size));
      size += chunk.length;
    });
    response.once('end', done);
    response.once('error', done);
    response.once('aborted', done);
  });
}

/**
 * A connector over the `ws` package; `rxkube/config` puts one in `ClientConfig.transport.webSocket`
 * (made with the transport's agents), so `Config.infer()` and `Config.fromKubeconfig()` configs open
 * pod streams without more setup. Build one yourself for a hand-made config in Node.
 *
 * ## Example
 * ```ts
 * const config = { ...configFromUrl('http://127.0.0.1:8001'), transport: { webSocket: webSocketConnector() } };
 * const session = await Api.namespaced(new Client(config), Pod, 'default').exec('web', ['ls']);
 * ```
 */
export function webSocketConnector(options: WebSocketConnectorOptions = {}): WebSocketConnector {
  const { pingIntervalMs = 30_000, maxErrorBodyBytes = 65_536, scheduler } = options;
  return (request) =>
    new Promise<WebSocketOpenResult>((resolve, reject) => {
      const secure = request.url.startsWith('wss:');
      const agent = secure ? options.httpsAgent : options.httpAgent;
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(request.headers)) headers[name] = typeof value === 'string' ? value : [...value];
      const ws = new WebSocket(request.url, [...request.protocols], {
        headers,
        perMessageDeflate: false,
        followRedirects: false,
        skipUTF8Validation: true,
        ...(agent === undefined ? {} : { agent }),
      });
      ws.binaryType = 'nodebuffer';
      let settled = false;
      const events = new SocketEvents();
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        ws.terminate();
        reject(new Error('cancelled'));
      };
      request.signal.addEventListener('abort', onAbort, { once: true });
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        request.signal.removeEventListener('abort', onAbort);
        return true;
      };
      ws.on('unexpected-response', (req, response) => {
        if (!settle()) return;
        void readBody(response, maxErrorBodyBytes).then((body) => {
          req.destroy();
          resolve({ type: 'refused', status: response.statusCode ?? 0, headers: plainHeaders(response.headers), body });
        });
      });
      ws.on('error', (error) => {
        if (settle()) reject(error);
        else events.error(new PodStreamError('connectionLost', `the WebSocket failed: ${error.message}`, { cause: error }));
      });
      ws.on('message', (data: Buffer) => events.message(new Uint8Array(data.buffer, data.byteOffset, data.length)));
      let waitingForPong = false;
      // While paused (back-pressure) nothing is read, the pong included: the keepalive waits until reading resumes.
      let paused = false;
      ws.on('pong', () => {
        waitingForPong = false;
      });
      const ping = (): void => {
        if (ws.readyState !== WebSocket.OPEN || paused) return;
        if (waitingForPong) {
          events.error(new PodStreamError('connectionLost', `no answer to a keepalive ping within ${pingIntervalMs} ms`));
          ws.terminate();
          return;
        }
        waitingForPong = true;
        ws.ping();
      };
      let pings: { unsubscribe(): void } | undefined;
      if (pingIntervalMs > 0 && scheduler === undefined) {
        // A plain timer, unref'd: keepalive pings alone never keep a process running.
        const timer = setInterval(ping, pingIntervalMs);
        timer.unref();
        pings = { unsubscribe: () => clearInterval(timer) };
      } else if (pingIntervalMs > 0) {
        pings = interval(pingIntervalMs, scheduler).subscribe(ping);
      }
      // Waiters of `drained`, checked each time a sent message has been written out (and at the end).
      const drainWaiters = new Set<{ readonly lowWaterMark: number; readonly resolve: () => void }>();
      const checkDrained = (ended = false): void => {
        for (const waiter of drainWaiters) {
          if (ended || ws.bufferedAmount <= waiter.lowWaterMark) {
            drainWaiters.delete(waiter);
            waiter.resolve();
          }
        }
      };
      const onSent = (): void => {
        if (drainWaiters.size > 0) checkDrained();
      };
      ws.on('close', (code, reason) => {
        pings?.unsubscribe();
        checkDrained(true);
        events.close(code, reason.toString('utf8'));
      });
      ws.on('open', () => {
        if (!settle()) {
          ws.close(1000, 'cancelled');
          return;
        }
        const socket: StreamSocket = {
          get protocol() {
            return ws.protocol;
          },
          get bufferedAmount() {
            return ws.bufferedAmount;
          },
          send: (data) => {
            if (ws.readyState === WebSocket.OPEN) ws.send(data, { binary: true }, onSent);
          },
          close: (code = 1000, reason) => {
            pings?.unsubscribe();
            if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(code, reason);
          },
          pause: () => {
            paused = true;
            ws.pause();
          },
          resume: () => {
            paused = false;
            waitingForPong = false;
            ws.resume();
          },
          drained: (lowWaterMark) =>
            new Promise<void>((resolve) => {
              if (ws.readyState !== WebSocket.OPEN || ws.bufferedAmount <= lowWaterMark) resolve();
              else drainWaiters.add({ lowWaterMark, resolve });
            }),
          listen: (handlers) => events.listen(handlers),
        };
        resolve({ type: 'open', socket });
      });
    });
}
