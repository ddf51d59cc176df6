/**
 * The exec/attach channel protocol as bytes: frames and close signals round-trip for every channel
 * and payload, malformed messages are DecodeErrors (never thrown), resize messages are the JSON the
 * kubelet reads.
 */
import fc from 'fast-check';
import {
  Channel,
  CHANNEL_PROTOCOL_V4,
  CHANNEL_PROTOCOL_V5,
  decodeFrame,
  decodeResize,
  encodeClose,
  encodeFrame,
  encodeResize,
  supportsCloseSignal,
} from '../../lib/core/channel-protocol.js';
import { DecodeError } from '../../lib/core/error-boundary.js';
import { InvalidRequestError } from '../../lib/core/errors.js';

const bytes = fc.uint8Array({ maxLength: 512 });
const channel = fc.integer({ min: 0, max: 254 });

describe('channel protocol', () => {
  it('should round-trip any data on any channel, with or without the close signal', () => {
    fc.assert(
      fc.property(channel, bytes, fc.boolean(), (ch, data, closeSignal) => {
        const frame = encodeFrame(ch, data);
        expect(frame.length).toBe(data.length + 1);
        expect(decodeFrame(frame, { closeSignal })).toEqual({ type: 'data', channel: ch, data });
      }),
    );
  });

  it('should round-trip the close signal of any channel on v5', () => {
    fc.assert(
      fc.property(channel, (ch) => {
        expect(Array.from(encodeClose(ch))).toEqual([255, ch]);
        expect(decodeFrame(encodeClose(ch), { closeSignal: true })).toEqual({ type: 'close', channel: ch });
      }),
    );
  });

  it('should read 255 as a data channel on v4 (no close signal there)', () => {
    expect(decodeFrame(Uint8Array.of(255, 0), { closeSignal: false })).toEqual({ type: 'data', channel: 255, data: Uint8Array.of(0) });
  });

  it('should return a DecodeError, never throw, for an empty message or a malformed close signal', () => {
    expect(decodeFrame(new Uint8Array(0), { closeSignal: true })).toBeInstanceOf(DecodeError);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 8 }).filter((b) => b.length !== 1), (rest) => {
        const frame = Uint8Array.of(255, ...rest);
        expect(decodeFrame(frame, { closeSignal: true })).toBeInstanceOf(DecodeError);
      }),
    );
  });

  it('should decode any bytes without throwing', () => {
    fc.assert(fc.property(bytes, fc.boolean(), (frame, closeSignal) => void decodeFrame(frame, { closeSignal })));
  });

  it('should refuse channels outside 0-254', () => {
    for (const bad of [-1, 255, 256, 1.5, Number.NaN]) {
      expect(() => encodeFrame(bad, new Uint8Array(0))).toThrow(InvalidRequestError);
      expect(() => encodeClose(bad)).toThrow(InvalidRequestError);
    }
  });

  it('should send resize as {"Width","Height"} on channel 4 and round-trip every size', () => {
    expect(new TextDecoder().decode(encodeResize({ width: 120, height: 40 }).subarray(1))).toBe('{"Width":120,"Height":40}');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), (width, height) => {
        const frame = encodeResize({ width, height });
        expect(frame[0]).toBe(Channel.resize);
        expect(decodeResize(frame.subarray(1))).toEqual({ width, height });
      }),
    );
  });

  it('should refuse terminal sizes outside 0-65535', () => {
    expect(() => encodeResize({ width: 65536, height: 1 })).toThrow(/width must be an integer from 0 to 65535/);
    expect(() => encodeResize({ width: 1, height: -1 })).toThrow(/height/);
    expect(decodeResize(new TextEncoder().encode('nope'))).toBeInstanceOf(DecodeError);
  });

  it('should know which protocol has the close signal', () => {
    expect(supportsCloseSignal(CHANNEL_PROTOCOL_V5)).toBe(true);
    expect(supportsCloseSignal(CHANNEL_PROTOCOL_V4)).toBe(false);
    expect(supportsCloseSignal('')).toBe(false);
  });
});
