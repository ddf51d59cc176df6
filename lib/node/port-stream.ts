/**
 * A Node `Duplex` over one port of a port-forward, for code that pipes (`pipeline(socket, duplex,
 * socket)`). Back-pressure both ways: a full readable side pauses the WebSocket (shared by every port
 * of the forward: it reads again once no port's stream is full), and a write calls back only once the
 * WebSocket's send buffer is below the high-water mark.
 *
 * WebSocket port-forward cannot half-close: ending the writable side sends nothing, and the readable
 * side ends when the forward closes. Destroying the Duplex does not close the forward; `forward.close()` does.
 *
 * @module
 */
import { Duplex, Writable } from 'node:stream';
import type { PortForward } from '../client/port-forward.js';
import { DEFAULT_NODE_HIGH_WATER_MARK, type NodeStreamOptions, observableReadable } from './observable-readable.js';
import { pauseGroupOf } from './pause-group.js';
import { whenDrained } from './when-drained.js';

/**
 * The Duplex of `port` of `forward` (one of `forward.ports`, else `InvalidRequestError`).
 *
 * ## Example
 * ```ts
 * const forward = await pods.portForward('web-0', [8080]);
 * const duplex = portStream(forward, 8080);
 * duplex.end('GET / HTTP/1.0\r\n\r\n');
 * for await (const chunk of duplex) process.stdout.write(chunk);
 * ```
 */
export function portStream(forward: PortForward, port: number, options: NodeStreamOptions = {}): Duplex {
  const connection = forward.port(port);
  const highWaterMark = options.highWaterMark ?? DEFAULT_NODE_HIGH_WATER_MARK;
  let closed = false;
  void forward.closed.then(() => {
    closed = true;
  });
  const writable = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, callback) {
      connection.write(chunk);
      whenDrained(() => forward.bufferedAmount, highWaterMark, () => closed, () => callback());
    },
  });
  return Duplex.from({ readable: observableReadable(connection.data, pauseGroupOf(forward), `port ${port}`, options), writable });
}
