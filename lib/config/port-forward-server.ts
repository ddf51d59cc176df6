/**
 * A local TCP listener forwarding to a pod's port, like `kubectl port-forward`: every accepted
 * connection gets its own port-forward WebSocket (`Api.portForward`), so many connections run at once
 * and each fails alone (reported to `onError`, the connection is reset, the listener goes on). Node only.
 *
 * Back-pressure both ways, so memory stays bounded whatever the speed of either side: the WebSocket is
 * paused while more than `highWaterMark` bytes wait in the local socket (a slow local reader), until they
 * are written, and the local socket is paused while more than `highWaterMark` bytes wait in the WebSocket
 * (a slow pod or network), until half of them are sent. What a local client writes in one turn of the event loop goes to the pod as one message.
 *
 * WebSocket port-forward has no half-close: when the local side ends its connection, the forward is
 * closed (the pod's side sees the connection closed), so a client that half-closes and waits for the
 * answer (rare: HTTP clients do not) loses it.
 *
 * @module
 */
import net from 'node:net';
import type { Api } from '../client/api.js';
import type { PortForward } from '../client/port-forward.js';
import type { Pod } from '../core/builtins.js';
import { InvalidRequestError, KubeError } from '../core/errors.js';
import { PodStreamError } from '../core/pod-stream-error.js';
import { checkPort } from '../core/port-forward-protocol.js';

/**
 * Options of {@link portForwardServer}.
 *
 * ## Example
 * ```ts
 * const options: PortForwardServerOptions = { localPort: 8080, onError: (e) => console.error(e.message) };
 * ```
 */
export interface PortForwardServerOptions {
  /** The local port; `0` picks a free one (read it from `server.port`). @default 0 */
  localPort?: number;
  /** The local address to listen on. @default '127.0.0.1' */
  address?: string;
  /** Called when one connection fails (the upgrade is refused, the pod's side reports an error, ...). */
  onError?: (error: KubeError) => void;
  /**
   * Bytes that may wait for one side before the other is paused: from a local client in its WebSocket
   * (reading the client resumes once half of them are sent), and from the pod in the client's socket
   * (reading the WebSocket resumes once they are written). @default 1048576 (1 MiB)
   */
  highWaterMark?: number;
  /**
   * Forwards kept open ahead of connections, so an accepted connection does not wait for a WebSocket
   * upgrade through the API server and the kubelet (what makes a new connection cost more than with
   * `kubectl port-forward`, which opens a stream on a connection it keeps). Each spare connects to the
   * pod's port before any local client does: keep the default for servers that take one connection
   * only, close idle connections early, or greet each connection with something that goes stale.
   * A spare closed by the pod's side is dropped, and replaced at the next connection. @default 0
   */
  spare?: number;
}

/** The default {@link PortForwardServerOptions.highWaterMark}. */
const HIGH_WATER_MARK = 1024 * 1024;

/**
 * A running listener.
 *
 * ## Example
 * ```ts
 * console.log(`Forwarding from ${server.address}:${server.port}`);
 * await server.close();
 * ```
 */
export interface PortForwardServer {
  readonly address: string;
  readonly port: number;
  /** The connections open now. */
  readonly connections: number;
  /** Stops accepting, closes every open connection and its WebSocket, resolves when the listener is closed. */
  close(): Promise<void>;
}

function asKubeError(error: unknown): KubeError {
  if (error instanceof KubeError) return error;
  return new PodStreamError('connectionLost', error instanceof Error ? error.message : String(error), { cause: error });
}

/**
 * Listens on a local port and forwards each connection to `remotePort` of pod `name`.
 *
 * ## Example
 * ```ts
 * const pods = Api.namespaced(new Client(await Config.infer()), Pod, 'default');
 * const server = await portForwardServer(pods, 'web-0', 8080, { localPort: 0 });
 * const res = await fetch(`http://127.0.0.1:${server.port}/`);
 * await server.close();
 * ```
 */
export async function portForwardServer(pods: Api<Pod, 'Namespaced'>, name: string, remotePort: number, options: PortForwardServerOptions = {}): Promise<PortForwardServer> {
  checkPort(remotePort);
  const highWaterMark = options.highWaterMark ?? HIGH_WATER_MARK;
  if (!(highWaterMark >= 0)) {
    throw new InvalidRequestError('invalidParams', `highWaterMark must be a number of bytes (0 or more), got ${String(highWaterMark)}`, { context: { highWaterMark } });
  }
  const spareCount = options.spare ?? 0;
  if (!Number.isInteger(spareCount) || spareCount < 0) {
    throw new InvalidRequestError('invalidParams', `spare must be a whole number of forwards (0 or more), got ${String(spareCount)}`, { context: { spare: spareCount } });
  }
  const address = options.address ?? '127.0.0.1';
  const report = (error: unknown): void => options.onError?.(asKubeError(error));
  const open = new Set<{ destroy: () => void }>();

  // Spares: forwards opened ahead; `ended` once the pod's side closed one before it was handed out.
  const closing = new AbortController();
  const spares: Array<{ readonly forward: Promise<PortForward>; ended: boolean }> = [];
  const openSpare = (): void => {
    const spare = { forward: pods.portForward(name, [remotePort], { signal: closing.signal }), ended: false };
    spare.forward.then(
      (forward) => {
        if (closing.signal.aborted) forward.close();
        void forward.closed.then(() => (spare.ended = true));
      },
      () => (spare.ended = true),
    );
    spares.push(spare);
  };
  /** A spare that is open or opening (the oldest first), else undefined; tops the spares up again. */
  const takeSpare = (): Promise<PortForward> | undefined => {
    let taken: Promise<PortForward> | undefined;
    while (taken === undefined && spares.length > 0) {
      const spare = spares.shift() as (typeof spares)[number];
      if (!spare.ended) taken = spare.forward;
      else void spare.forward.then((f) => f.close(), () => undefined);
    }
    while (spares.length < spareCount) openSpare();
    return taken;
  };
  for (let i = 0; i < spareCount; i++) openSpare();

  // noDelay: small writes (a request, an answer) go out at once, as kubectl's Go sockets do.
  const server = net.createServer({ allowHalfOpen: false, pauseOnConnect: true, noDelay: true }, (socket) => {
    const controller = new AbortController();
    let forwardClose: (() => void) | undefined;
    const entry = {
      destroy: () => {
        controller.abort();
        forwardClose?.();
        socket.destroy();
      },
    };
    open.add(entry);
    socket.once('close', () => {
      open.delete(entry);
      controller.abort();
      forwardClose?.();
    });
    socket.on('error', () => forwardClose?.());
    (takeSpare() ?? pods.portForward(name, [remotePort], { signal: controller.signal })).then(
      (forward) => {
        forwardClose = () => forward.close();
        if (socket.destroyed) return forward.close();
        const port = forward.port(remotePort);
        let readerPaused = false;
        port.data.subscribe({
          next: (chunk) => {
            // A slow local reader pauses the WebSocket once more than highWaterMark bytes wait for it, until its
            // socket drains: memory stays bounded. (Pausing at the socket's own 16 KiB mark stopped and started
            // the WebSocket for nearly every message.)
            socket.write(chunk);
            if (!readerPaused && socket.writableLength > highWaterMark) {
              readerPaused = true;
              forward.pause();
              socket.once('drain', () => {
                readerPaused = false;
                forward.resume();
              });
            }
          },
          complete: () => socket.end(),
          error: (error: unknown) => {
            report(error);
            socket.destroy();
          },
        });
        // Bytes read from the local socket in one turn of the event loop go as one message (fewer, larger
        // messages cost less on every hop to the pod). A slow pod (or network) pauses the local socket while
        // the WebSocket and this batch hold more than highWaterMark: the bytes wait in the local client.
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        let waiting = false;
        const flush = (): void => {
          if (pendingBytes === 0) return;
          const data = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
          port.write(new Uint8Array(data.buffer, data.byteOffset, data.length));
        };
        socket.on('data', (chunk: Buffer) => {
          if (pendingBytes === 0) setImmediate(flush);
          pending.push(chunk);
          pendingBytes += chunk.length;
          if (waiting || forward.bufferedAmount + pendingBytes <= highWaterMark) return;
          flush();
          waiting = true;
          socket.pause();
          void forward.drained(highWaterMark / 2).then(() => {
            waiting = false;
            if (!socket.destroyed) socket.resume();
          });
        });
        socket.once('end', () => {
          flush();
          forward.close();
        });
        socket.resume();
      },
      (error: unknown) => {
        if (!controller.signal.aborted) report(error);
        socket.destroy();
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.localPort ?? 0, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as net.AddressInfo;
  return {
    address: bound.address,
    port: bound.port,
    get connections() {
      return open.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        for (const spare of spares.splice(0)) void spare.forward.then((f) => f.close(), () => undefined);
        for (const entry of open) entry.destroy();
        server.close(() => resolve());
      }),
  };
}
