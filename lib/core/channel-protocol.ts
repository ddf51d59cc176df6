/**
 * The channel protocol of `exec` and `attach` over WebSocket (`v5.channel.k8s.io`, falling back to
 * `v4.channel.k8s.io`), as pure functions on bytes. Every binary message starts with one byte naming
 * its channel (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize); the rest is the channel's data. v5 adds
 * one control message, `[255, channel]`: the sender closed that channel (the client closes stdin to
 * send EOF; v4 has no way to). Port-forward uses the same framing with two channels per port
 * (`port-forward-protocol.ts`).
 *
 * @module
 */
import { DecodeError } from './error-boundary.js';
import { InvalidRequestError } from './errors.js';

/** `v5.channel.k8s.io`: v4 plus the close signal (stdin can be half-closed). */
export const CHANNEL_PROTOCOL_V5 = 'v5.channel.k8s.io';
/** `v4.channel.k8s.io`: binary channels, the error channel carries a JSON `Status`. */
export const CHANNEL_PROTOCOL_V4 = 'v4.channel.k8s.io';
/** The subprotocols asked for exec and attach, preferred first. */
export const EXEC_PROTOCOLS: readonly string[] = [CHANNEL_PROTOCOL_V5, CHANNEL_PROTOCOL_V4];

/**
 * The channels of exec and attach.
 *
 * ## Example
 * ```ts
 * encodeFrame(Channel.stdin, new TextEncoder().encode('ls\n'));
 * ```
 */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4 } as const;

/** The first byte of v5's close message: `[CLOSE_SIGNAL, channel]`. */
export const CLOSE_SIGNAL = 255;

/**
 * One decoded message: data on a channel, or (v5) the close of a channel.
 *
 * ## Example
 * ```ts
 * const f = decodeFrame(bytes, { closeSignal: true });
 * if (!(f instanceof DecodeError) && f.type === 'data' && f.channel === Channel.stdout) write(f.data);
 * ```
 */
export type ChannelFrame =
  | { readonly type: 'data'; readonly channel: number; readonly data: Uint8Array }
  | { readonly type: 'close'; readonly channel: number };

/**
 * Whether a negotiated subprotocol has v5's close signal.
 *
 * ## Example
 * ```ts
 * supportsCloseSignal('v5.channel.k8s.io'); // true
 * ```
 */
export function supportsCloseSignal(protocol: string): boolean {
  return protocol === CHANNEL_PROTOCOL_V5;
}

function checkChannel(channel: number): void {
  if (!Number.isInteger(channel) || channel < 0 || channel >= CLOSE_SIGNAL) {
    throw new InvalidRequestError('invalidParams', `a channel is an integer from 0 to 254, got ${String(channel)}`, { context: { channel } });
  }
}

/**
 * The message carrying `data` on `channel`.
 *
 * ## Example
 * ```ts
 * encodeFrame(Channel.stdin, Uint8Array.of(104, 105)); // Uint8Array [0, 104, 105]
 * ```
 */
export function encodeFrame(channel: number, data: Uint8Array): Uint8Array {
  checkChannel(channel);
  const frame = new Uint8Array(data.length + 1);
  frame[0] = channel;
  frame.set(data, 1);
  return frame;
}

/**
 * v5's message closing `channel` (the client closes stdin to send EOF).
 *
 * ## Example
 * ```ts
 * encodeClose(Channel.stdin); // Uint8Array [255, 0]
 * ```
 */
export function encodeClose(channel: number): Uint8Array {
  checkChannel(channel);
  return Uint8Array.of(CLOSE_SIGNAL, channel);
}

/**
 * Decodes one message. Never throws: an empty message or a malformed close signal is a
 * {@link DecodeError}. With `closeSignal: false` (v4) a first byte of 255 is data on channel 255.
 *
 * ## Example
 * ```ts
 * decodeFrame(Uint8Array.of(1, 104, 105), { closeSignal: true }); // { type: 'data', channel: 1, data: [104, 105] }
 * decodeFrame(Uint8Array.of(255, 0), { closeSignal: true });      // { type: 'close', channel: 0 }
 * ```
 */
export function decodeFrame(frame: Uint8Array, options: { closeSignal: boolean }): ChannelFrame | DecodeError {
  if (frame.length === 0) return new DecodeError('an empty channel message (no channel byte)', { context: { length: 0 } });
  const channel = frame[0] as number;
  if (options.closeSignal && channel === CLOSE_SIGNAL) {
    if (frame.length !== 2) {
      return new DecodeError(`a close signal must name exactly one channel, got ${frame.length - 1} bytes`, { context: { length: frame.length } });
    }
    return { type: 'close', channel: frame[1] as number };
  }
  return { type: 'data', channel, data: frame.subarray(1) };
}

/**
 * A terminal size, in character cells (each 0–65535).
 *
 * ## Example
 * ```ts
 * const size: TerminalSize = { width: process.stdout.columns, height: process.stdout.rows };
 * ```
 */
export interface TerminalSize {
  readonly width: number;
  readonly height: number;
}

/**
 * The resize message for a TTY: `{"Width":w,"Height":h}` on the resize channel (4).
 * Sizes outside 0–65535 throw {@link InvalidRequestError}.
 *
 * ## Example
 * ```ts
 * socket.send(encodeResize({ width: 120, height: 40 }));
 * ```
 */
export function encodeResize(size: TerminalSize): Uint8Array {
  for (const [name, value] of [['width', size.width], ['height', size.height]] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
      throw new InvalidRequestError('invalidParams', `terminal ${name} must be an integer from 0 to 65535, got ${String(value)}`, { context: { [name]: value } });
    }
  }
  return encodeFrame(Channel.resize, new TextEncoder().encode(JSON.stringify({ Width: size.width, Height: size.height })));
}

/**
 * Decodes a resize message's data (the inverse of {@link encodeResize} after the channel byte), as a
 * scripted server or a test reads it.
 *
 * ## Example
 * ```ts
 * decodeResize(new TextEncoder().encode('{"Width":80,"Height":24}')); // { width: 80, height: 24 }
 * ```
 */
export function decodeResize(data: Uint8Array): TerminalSize | DecodeError {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(data)) as { Width?: unknown; Height?: unknown };
    if (typeof parsed.Width === 'number' && typeof parsed.Height === 'number') return { width: parsed.Width, height: parsed.Height };
  } catch {
    // fall through
  }
  return new DecodeError('a resize message must be {"Width":n,"Height":n}', { field: 'resize' });
}
