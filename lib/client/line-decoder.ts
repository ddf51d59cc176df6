/**
 * Turns a stream of UTF-8 byte chunks into lines, in order: a line split across chunks is joined,
 * several lines in one chunk are split, a multi-byte character split across chunks is decoded
 * whole, and an unterminated last line is returned by `end()`. Pure and synchronous.
 *
 * @module
 */
import { LineTooLongError } from './line-too-long-error.js';

/**
 * The default longest line: 16 MiB, where client-go's streaming decoder stops too. Kubernetes
 * objects are limited to about 1.5 MiB by etcd, so a longer line is a broken or hostile stream.
 */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Options of {@link LineDecoder}.
 *
 * ## Example
 * ```ts
 * const options: LineDecoderOptions = { maxLineBytes: 4 * 1024 * 1024 };
 * ```
 */
export interface LineDecoderOptions {
  /** The longest line in bytes, without its newline; longer ones throw {@link LineTooLongError}. @default 16 MiB */
  maxLineBytes?: number;
}

/**
 * Incremental UTF-8 line splitter. Lines are returned without their `\n`; empty lines are kept
 * (they matter in logs), so callers parsing JSON skip them.
 *
 * A line that grows past `maxLineBytes` throws {@link LineTooLongError} as soon as the bytes
 * that break the limit arrive, so a stream without newlines cannot grow memory without bound.
 * The unfinished part of a line is kept decoded (string pieces, not byte copies), and a line
 * that arrives in one chunk is decoded straight from that chunk.
 *
 * ## Example
 * ```ts
 * const d = new LineDecoder();
 * d.push(new TextEncoder().encode('{"a":1}\n{"b"')); // ['{"a":1}']
 * d.push(new TextEncoder().encode(':2}\n'));          // ['{"b":2}']
 * d.end();                                            // []
 * ```
 */
export class LineDecoder {
  /** Decodes in stream mode across chunks; `\n` (0x0A) never occurs inside a multi-byte UTF-8 sequence. */
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** The current, unfinished line, decoded piece by piece. */
  private pending: string[] = [];
  /** Its length in bytes. */
  private pendingBytes = 0;
  /** No line returned yet: a byte order mark at the very start of the stream is dropped. */
  private first = true;
  private readonly maxLineBytes: number;

  constructor(options: LineDecoderOptions = {}) {
    const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!(Number.isInteger(max) && max > 0)) throw new RangeError(`maxLineBytes must be a positive integer, got ${String(max)}`);
    this.maxLineBytes = max;
  }

  /** Returns the lines a chunk completes, in order. Throws {@link LineTooLongError} past the limit. */
  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    let start = 0;
    let newline = chunk.indexOf(0x0a);
    while (newline !== -1) {
      const bytes = this.pendingBytes + newline - start;
      if (bytes > this.maxLineBytes) this.overflow(bytes);
      const tail = this.decoder.decode(chunk.subarray(start, newline));
      lines.push(this.finish(this.pending.length === 0 ? tail : this.joined(tail)));
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) {
      const bytes = this.pendingBytes + chunk.length - start;
      if (bytes > this.maxLineBytes) this.overflow(bytes);
      this.pending.push(this.decoder.decode(chunk.subarray(start), { stream: true }));
      this.pendingBytes = bytes;
    }
    return lines;
  }

  /** Returns the unterminated last line at the end of the stream, if any. */
  end(): string[] {
    if (this.pendingBytes === 0) return [];
    const last = this.finish(this.joined(this.decoder.decode()));
    return last === '' ? [] : [last];
  }

  private joined(tail: string): string {
    this.pending.push(tail);
    const line = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }

  private overflow(bytes: number): never {
    this.pending = [];
    this.pendingBytes = 0;
    throw new LineTooLongError(this.maxLineBytes, bytes);
  }

  private finish(text: string): string {
    if (!this.first) return text;
    this.first = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
}
