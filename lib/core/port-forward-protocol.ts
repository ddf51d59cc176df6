/**
 * Port-forward over WebSocket, as pure functions. The API server passes the upgrade to the kubelet,
 * which speaks `v4.channel.k8s.io` framing (see `channel-protocol.ts`) with two channels per port
 * asked for in `?ports=`: data (`2i`, both ways) and error (`2i + 1`, server to client). The first two
 * bytes the server sends on each channel are the port number, little-endian; after that the data
 * channel carries the TCP bytes and the error channel, if anything, one error message. There is no
 * half-close: one WebSocket carries one connection per port, and ends with it.
 *
 * @module
 */
import { CHANNEL_PROTOCOL_V4 } from './channel-protocol.js';
import { InvalidRequestError } from './errors.js';
import { PodStreamError } from './pod-stream-error.js';

/** The subprotocols asked for port-forward (the kubelet offers v4 channels only). */
export const PORT_FORWARD_PROTOCOLS: readonly string[] = [CHANNEL_PROTOCOL_V4];

/**
 * Which port and which of its two channels a channel number is.
 *
 * ## Example
 * ```ts
 * portChannel(3); // { index: 1, kind: 'error' }
 * ```
 */
export function portChannel(channel: number): { readonly index: number; readonly kind: 'data' | 'error' } {
  return { index: channel >> 1, kind: channel % 2 === 0 ? 'data' : 'error' };
}

/**
 * The data and error channel of the port at `index` in the request's port list.
 *
 * ## Example
 * ```ts
 * portChannels(1); // { data: 2, error: 3 }
 * ```
 */
export function portChannels(index: number): { readonly data: number; readonly error: number } {
  if (!Number.isInteger(index) || index < 0 || index > 126) {
    throw new InvalidRequestError('invalidParams', `a port-forward request carries at most 127 ports, index ${String(index)} is out of range`, { context: { index } });
  }
  return { data: 2 * index, error: 2 * index + 1 };
}

/**
 * The two bytes naming `port` at the start of each channel, little-endian.
 *
 * ## Example
 * ```ts
 * encodePortPrefix(8080); // Uint8Array [0x90, 0x1f]
 * ```
 */
export function encodePortPrefix(port: number): Uint8Array {
  checkPort(port);
  return Uint8Array.of(port & 0xff, port >> 8);
}

/**
 * Throws {@link InvalidRequestError} unless `port` is a TCP port (1–65535).
 *
 * ## Example
 * ```ts
 * checkPort(0); // throws
 * ```
 */
export function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 0xffff) {
    throw new InvalidRequestError('invalidParams', `a port is an integer from 1 to 65535, got ${String(port)}`, { context: { port } });
  }
}

/**
 * What has been read of a channel's port prefix: `pending` bytes so far, or `done`.
 *
 * ## Example
 * ```ts
 * let state: PortPrefixState = PORT_PREFIX_START;
 * ```
 */
export type PortPrefixState = { readonly done: false; readonly pending: readonly number[] } | { readonly done: true };

/** The state of a channel before anything was read. */
export const PORT_PREFIX_START: PortPrefixState = { done: false, pending: [] };

/**
 * Takes the port prefix off the data a channel received, wherever the message boundaries fall:
 * returns the new state and the data after the prefix. Once the two bytes are read they must name
 * `expectedPort`, else the result is a {@link PodStreamError} `protocolError`.
 *
 * ## Example
 * ```ts
 * const r = stripPortPrefix(PORT_PREFIX_START, Uint8Array.of(0x90, 0x1f, 104, 105), 8080);
 * // { state: { done: true }, data: Uint8Array [104, 105] }
 * ```
 */
export function stripPortPrefix(state: PortPrefixState, data: Uint8Array, expectedPort: number): { state: PortPrefixState; data: Uint8Array } | PodStreamError {
  if (state.done) return { state, data };
  const need = 2 - state.pending.length;
  const pending = [...state.pending, ...data.subarray(0, need)];
  if (pending.length < 2) return { state: { done: false, pending }, data: new Uint8Array(0) };
  const port = (pending[0] as number) | ((pending[1] as number) << 8);
  if (port !== expectedPort) {
    return new PodStreamError('protocolError', `the server named port ${port} on the channel of port ${expectedPort}`, { context: { port: expectedPort, received: port } });
  }
  return { state: { done: true }, data: data.subarray(need) };
}
