/**
 * A port-forward over one WebSocket: for each port asked for, a connection to that port of the pod,
 * with the bytes from the pod as an Observable and a `write` for the bytes to it. The framing is
 * `rxkube/core`'s (`port-forward-protocol.ts`): two channels per port, each starting with the port
 * number. WebSocket port-forward has no half-close: a connection ends when the WebSocket closes, so
 * one local TCP connection needs one `portForward` (the Node listener in `rxkube/config` opens one per
 * accepted connection, as `kubectl port-forward` opens one stream pair per connection).
 *
 * @module
 */
import type { Observable } from 'rxjs';
import { decodeFrame, encodeFrame } from '../core/channel-protocol.js';
import { DecodeError } from '../core/error-boundary.js';
import { InvalidRequestError } from '../core/errors.js';
import { PodStreamError } from '../core/pod-stream-error.js';
import { PORT_PREFIX_START, type PortPrefixState, portChannel, portChannels, stripPortPrefix } from '../core/port-forward-protocol.js';
import { ByteStream } from './byte-stream.js';
import type { StreamSocket } from './web-socket.js';

/**
 * One forwarded port of a {@link PortForward}.
 *
 * ## Example
 * ```ts
 * const web = forward.port(8080);
 * web.data.subscribe((bytes) => console.log(new TextDecoder().decode(bytes)));
 * web.write('GET / HTTP/1.0\r\n\r\n');
 * ```
 */
export interface ForwardedPort {
  readonly port: number;
  /**
   * The bytes from the pod's port; what arrived before the first subscriber is given to it first.
   * Completes when the WebSocket closes; errors with a {@link PodStreamError} `portForwardFailed` when
   * the pod's side reports an error (nothing listening, ...), or `connectionLost`.
   */
  readonly data: Observable<Uint8Array>;
  /** Sends bytes to the pod's port (a string as UTF-8). Ignored once the forward is closed. */
  write(data: Uint8Array | string): void;
}

/**
 * Connections to ports of a pod over one WebSocket.
 *
 * ## Example
 * ```ts
 * const forward = await pods.portForward('web-0', [8080]);
 * forward.port(8080).write('ping');
 * forward.close();
 * await forward.closed;
 * ```
 */
export interface PortForward {
  readonly ports: readonly number[];
  /** The connection to `port` (one of `ports`, else `InvalidRequestError`). */
  port(port: number): ForwardedPort;
  /** Bytes handed to the WebSocket and not yet sent (for pacing writes, see {@link PortForward.drained}). */
  readonly bufferedAmount: number;
  /**
   * Resolves once {@link PortForward.bufferedAmount} is at most `lowWaterMark`, or the forward has
   * ended: back-pressure for a fast writer (stop writing when `bufferedAmount` passes a high-water
   * mark, write again when this resolves). Where the runtime gives no write callback (browsers) it
   * checks `bufferedAmount` every 10 ms.
   *
   * ## Example
   * ```ts
   * web.write(chunk);
   * if (forward.bufferedAmount > 1024 * 1024) await forward.drained(256 * 1024);
   * ```
   */
  drained(lowWaterMark?: number): Promise<void>;
  /**
   * Stops reading from the WebSocket, for every port (back-pressure for a slow consumer: the bytes wait
   * in the network and the server, not in memory here). A no-op where the runtime cannot pause (browsers).
   */
  pause(): void;
  /** Reads again after {@link PortForward.pause}. */
  resume(): void;
  /** Closes every connection (the WebSocket). */
  close(): void;
  /** Resolves when the WebSocket has closed, however it closed (failures are reported per port). */
  readonly closed: Promise<void>;
}

interface PortState {
  readonly port: number;
  readonly data: ByteStream;
  readonly channels: { readonly data: number; readonly error: number };
  dataPrefix: PortPrefixState;
  errorPrefix: PortPrefixState;
}

/**
 * Runs the port-forward protocol over `socket` (open, asked for `ports` in this order).
 *
 * ## Example
 * ```ts
 * const forward = portForwardSession(await client.openWebSocket(request, PORT_FORWARD_PROTOCOLS), [8080], { pod: 'web-0' });
 * ```
 */
export function portForwardSession(socket: StreamSocket, ports: readonly number[], context: Readonly<Record<string, unknown>> = {}): PortForward {
  const states: PortState[] = ports.map((port, index) => ({
    port,
    data: new ByteStream(),
    channels: portChannels(index),
    dataPrefix: PORT_PREFIX_START,
    errorPrefix: PORT_PREFIX_START,
  }));
  let finished = false;
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const decoder = new TextDecoder();

  const failAll = (error: PodStreamError): void => {
    for (const s of states) s.data.fail(error);
  };

  socket.listen({
    message(message) {
      if (finished) return;
      const frame = decodeFrame(message, { closeSignal: false });
      if (frame instanceof DecodeError) {
        failAll(new PodStreamError('protocolError', frame.message, { cause: frame, context }));
        socket.close(1000);
        return;
      }
      if (frame.type !== 'data') return;
      const { index, kind } = portChannel(frame.channel);
      const state = states[index];
      if (state === undefined) return;
      const stripped = stripPortPrefix(kind === 'data' ? state.dataPrefix : state.errorPrefix, frame.data, state.port);
      if (stripped instanceof PodStreamError) {
        state.data.fail(stripped);
        return;
      }
      if (kind === 'data') {
        state.dataPrefix = stripped.state;
        // No copy: a socket's message is the receiver's to keep (see StreamSocketHandlers.message).
        state.data.push(stripped.data);
      } else {
        state.errorPrefix = stripped.state;
        if (stripped.data.length > 0) {
          const message = decoder.decode(stripped.data).trim();
          state.data.fail(new PodStreamError('portForwardFailed', `port ${state.port}: ${message}`, { context: { ...context, port: state.port } }));
        }
      }
    },
    close() {
      finished = true;
      for (const s of states) s.data.end();
      markClosed();
    },
    error(error) {
      finished = true;
      failAll(error instanceof PodStreamError ? error : new PodStreamError('connectionLost', error.message, { cause: error, context }));
      markClosed();
    },
  });

  const encoder = new TextEncoder();
  const handles = new Map<number, ForwardedPort>(
    states.map((s) => [
      s.port,
      {
        port: s.port,
        data: s.data.observable,
        write(data: Uint8Array | string) {
          if (finished) return;
          const bytes = typeof data === 'string' ? encoder.encode(data) : data;
          if (bytes.length > 0) socket.send(encodeFrame(s.channels.data, bytes));
        },
      },
    ]),
  );
  return {
    ports: [...ports],
    port(port) {
      const handle = handles.get(port);
      if (handle === undefined) throw new InvalidRequestError('invalidParams', `port ${port} was not forwarded (ports: ${ports.join(', ')})`, { context: { port } });
      return handle;
    },
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    drained(lowWaterMark = 0) {
      if (socket.drained !== undefined) return socket.drained(lowWaterMark);
      return new Promise<void>((resolve) => {
        const check = (): void => {
          if (finished || socket.bufferedAmount <= lowWaterMark) resolve();
          else setTimeout(check, 10);
        };
        check();
      });
    },
    pause() {
      socket.pause?.();
    },
    resume() {
      socket.resume?.();
    },
    close() {
      socket.close(1000);
    },
    closed,
  };
}
