import fc from 'fast-check';
import { LineDecoder } from '../../lib/client/line-decoder.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function decodeAll(chunks: Uint8Array[]): string[] {
  const d = new LineDecoder();
  return [...chunks.flatMap((c) => d.push(c)), ...d.end()];
}

describe('LineDecoder', () => {
  it('joins a line split across chunks', () => {
    const d = new LineDecoder();
    expect(d.push(bytes('{"type":"ADD'))).toEqual([]);
    expect(d.push(bytes('ED"}\n'))).toEqual(['{"type":"ADDED"}']);
    expect(d.end()).toEqual([]);
  });

  it('splits several lines in one chunk and keeps empty lines', () => {
    expect(decodeAll([bytes('a\n\nb\nc\n')])).toEqual(['a', '', 'b', 'c']);
  });

  it('returns an unterminated last line from end()', () => {
    const d = new LineDecoder();
    expect(d.push(bytes('a\npart'))).toEqual(['a']);
    expect(d.end()).toEqual(['part']);
  });

  it('joins a long line spread over many chunks', () => {
    const line = 'x'.repeat(10_000);
    const chunks = Array.from({ length: 100 }, (_, i) => bytes(line.slice(i * 100, (i + 1) * 100)));
    expect(decodeAll([...chunks, bytes('\n')])).toEqual([line]);
  });

  it('decodes a multi-byte character split between chunks', () => {
    const b = bytes('✓\n');
    expect(decodeAll([b.subarray(0, 1), b.subarray(1, 2), b.subarray(2)])).toEqual(['✓']);
  });

  it('drops a byte order mark at the start of the stream only, even split across chunks', () => {
    const b = bytes('\uFEFFa\n\uFEFFb\n');
    expect(decodeAll([b.subarray(0, 2), b.subarray(2)])).toEqual(['a', '\uFEFFb']);
  });

  it('keeps a pending partial line when the caller reuses its buffer', () => {
    const d = new LineDecoder();
    const buffer = bytes('{"a"');
    expect(d.push(buffer)).toEqual([]);
    buffer.fill(0x20);
    expect(d.push(bytes(':1}\n'))).toEqual(['{"a":1}']);
  });

  it('gives the same lines however the bytes are chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }).map((s) => s.replace(/\n/g, '')), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (lines, cuts) => {
        const text = lines.map((l) => `${l}\n`).join('');
        const all = bytes(text);
        const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let at = 0;
        for (const p of [...points, all.length]) {
          chunks.push(all.subarray(at, p));
          at = p;
        }
        expect(decodeAll(chunks)).toEqual(lines);
      }),
    );
  });
});
