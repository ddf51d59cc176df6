// A streamed line without a newline must not grow memory without bound (issue 11, defect 3): the
// decoder and the client's streams give up at maxLineBytes with a typed LineTooLongError.
import { firstValueFrom, toArray } from 'rxjs';
import fc from 'fast-check';
import { Client } from '../../lib/client/client.js';
import { DEFAULT_MAX_LINE_BYTES, LineDecoder } from '../../lib/client/line-decoder.js';
import { LineTooLongError } from '../../lib/client/line-too-long-error.js';
import type { AdapterName } from '../../lib/client/transport.js';
import type { KubeRequest } from '../../lib/core/request.js';
import { type ScriptedServer, startServer } from './support/scripted-server.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const watch: KubeRequest = { verb: 'watch', method: 'GET', path: '/w', query: { watch: 'true' }, headers: { Accept: 'application/json' }, streaming: true };

describe('LineDecoder limit', () => {
  it('defaults to 16 MiB, like client-go', () => {
    expect(DEFAULT_MAX_LINE_BYTES).toBe(16 * 1024 * 1024);
  });

  it('throws LineTooLongError naming the limit as soon as an unfinished line passes it', () => {
    const d = new LineDecoder({ maxLineBytes: 10 });
    expect(d.push(enc('ok\n12345'))).toEqual(['ok']);
    expect(d.push(enc('678'))).toEqual([]);
    const e = (() => {
      try {
        d.push(enc('901'));
      } catch (x) {
        return x;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(LineTooLongError);
    expect((e as LineTooLongError).limitBytes).toBe(10);
    expect((e as LineTooLongError).receivedBytes).toBe(11);
    expect((e as Error).message).toMatch(/limit of 10 bytes \(maxLineBytes\)/);
  });

  it('also refuses a too-long line that arrives whole in one chunk, and accepts one exactly at the limit', () => {
    expect(new LineDecoder({ maxLineBytes: 3 }).push(enc('abc\n'))).toEqual(['abc']);
    expect(() => new LineDecoder({ maxLineBytes: 3 }).push(enc('abcd\n'))).toThrow(LineTooLongError);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new LineDecoder({ maxLineBytes: 0 })).toThrow(/maxLineBytes must be a positive integer/);
    expect(() => new Client({ server: 'https://x' }, { maxLineBytes: -1 })).toThrow(/maxLineBytes must be a positive integer/);
  });

  it('splits any chunking of any text like splitting the whole text (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.constant('\n')), { maxLength: 30 }), fc.array(fc.nat(40), { maxLength: 10 }), (parts, cuts) => {
        const text = parts.join('');
        const bytes = enc(text);
        const d = new LineDecoder();
        const out: string[] = [];
        let at = 0;
        for (const c of cuts) {
          const end = Math.min(bytes.length, at + c);
          out.push(...d.push(bytes.subarray(at, end)));
          at = end;
        }
        out.push(...d.push(bytes.subarray(at)));
        out.push(...d.end());
        const expected = text.split('\n');
        if (expected[expected.length - 1] === '') expected.pop();
        expect(out).toEqual(expected);
      }),
    );
  });
});

describe.each<AdapterName>(['http', 'fetch'])('a streamed line past maxLineBytes with the %s adapter', (adapter) => {
  let server: ScriptedServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('fails the stream with LineTooLongError after the lines before it, and closes the connection', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"first":1}\n');
      // An endless line: 64 KiB chunks without a newline until the client goes away.
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const timer = setInterval(() => res.write(chunk), 1);
      res.on('close', () => clearInterval(timer));
    });
    const closed = server.nextSocketClose();
    const got: string[] = [];
    const error = await new Promise<unknown>((resolve) =>
      new Client({ server: server.url }, { adapter, retry: false, maxLineBytes: 1024 * 1024 })
        .requestLines(watch)
        .subscribe({ next: (l) => got.push(l), error: resolve, complete: () => resolve('completed') }),
    );
    expect(got).toEqual(['{"first":1}']);
    expect(error).toBeInstanceOf(LineTooLongError);
    expect((error as LineTooLongError).limitBytes).toBe(1024 * 1024);
    await closed;
  });

  it('keeps the normal path: many lines across chunks still arrive whole', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ i, pad: 'y'.repeat(i * 37) }));
    server.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const all = Buffer.from(lines.join('\n') + '\n');
      for (let i = 0; i < all.length; i += 1000) res.write(all.subarray(i, i + 1000));
      res.end();
    });
    const got = await firstValueFrom(new Client({ server: server.url }, { adapter, retry: false }).requestLines(watch).pipe(toArray()));
    expect(got).toEqual(lines);
  });
});
