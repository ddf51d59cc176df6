/**
 * Port-forward framing: two channels per port, the little-endian port prefix taken off each channel's
 * first bytes wherever the message boundaries fall, and a prefix naming another port refused.
 */
import fc from 'fast-check';
import { InvalidRequestError } from '../../lib/core/errors.js';
import { PodStreamError } from '../../lib/core/pod-stream-error.js';
import {
  encodePortPrefix,
  PORT_PREFIX_START,
  type PortPrefixState,
  portChannel,
  portChannels,
  stripPortPrefix,
} from '../../lib/core/port-forward-protocol.js';

const port = fc.integer({ min: 1, max: 65535 });

/** Splits `data` at the sorted `cuts`. */
function split(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    parts.push(data.subarray(from, p));
    from = p;
  }
  parts.push(data.subarray(from));
  return parts;
}

describe('port-forward protocol', () => {
  it('should give port i the channels 2i (data) and 2i+1 (error), and back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 126 }), (i) => {
        const { data, error } = portChannels(i);
        expect([data, error]).toEqual([2 * i, 2 * i + 1]);
        expect(portChannel(data)).toEqual({ index: i, kind: 'data' });
        expect(portChannel(error)).toEqual({ index: i, kind: 'error' });
      }),
    );
    expect(() => portChannels(127)).toThrow(InvalidRequestError);
  });

  it('should encode the port little-endian', () => {
    expect(Array.from(encodePortPrefix(8080))).toEqual([0x90, 0x1f]);
    expect(() => encodePortPrefix(0)).toThrow(InvalidRequestError);
    expect(() => encodePortPrefix(65536)).toThrow(InvalidRequestError);
  });

  it('should take the prefix off and keep every byte after it, wherever the messages are split', () => {
    fc.assert(
      fc.property(port, fc.uint8Array({ maxLength: 64 }), fc.array(fc.nat(), { maxLength: 6 }), (p, payload, cuts) => {
        const stream = Uint8Array.of(...encodePortPrefix(p), ...payload);
        let state: PortPrefixState = PORT_PREFIX_START;
        const out: number[] = [];
        for (const part of split(stream, cuts)) {
          const r = stripPortPrefix(state, part, p);
          if (r instanceof PodStreamError) throw r;
          state = r.state;
          out.push(...r.data);
        }
        expect(state).toEqual({ done: true });
        expect(out).toEqual(Array.from(payload));
      }),
    );
  });

  it('should refuse a prefix naming another port', () => {
    fc.assert(
      fc.property(port, port, (expected, sent) => {
        fc.pre(expected !== sent);
        const r = stripPortPrefix(PORT_PREFIX_START, encodePortPrefix(sent), expected);
        expect(r).toBeInstanceOf(PodStreamError);
        expect(r).toMatchObject({ reason: 'protocolError', context: { port: expected, received: sent } });
      }),
    );
  });
});
