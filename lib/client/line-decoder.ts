/**
 * Turns a stream of UTF-8 byte chunks into lines, in order: a line split across chunks is joined,
 * several lines in one chunk are split, a multi-byte character split across chunks is decoded
 * whole, and an unterminated last line is returned by `end()`. Pure and synchronous.
 *
 * @module
 */

/**
 * Incremental UTF-8 line splitter. Lines are returned without their `\n`; empty lines are kept
 * (they matter in logs), so callers parsing JSON skip them.
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
  /** Decodes whole lines only: `\n` (0x0A) never occurs inside a multi-byte UTF-8 sequence. */
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** Bytes of the current, unfinished line (copies, so callers may reuse their buffers). */
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  /** No line returned yet: a byte order mark at the very start of the stream is dropped. */
  private first = true;

  /** Returns the lines a chunk completes, decoding each once, whole. */
  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    let start = 0;
    let newline = chunk.indexOf(0x0a);
    while (newline !== -1) {
      lines.push(this.pendingLength > 0 ? this.joined(chunk.subarray(0, newline)) : this.decode(chunk.subarray(start, newline)));
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) {
      this.pending.push(chunk.slice(start));
      this.pendingLength += chunk.length - start;
    }
    return lines;
  }

  /** Returns the unterminated last line at the end of the stream, if any. */
  end(): string[] {
    if (this.pendingLength === 0) return [];
    const last = this.joined(new Uint8Array(0));
    return last === '' ? [] : [last];
  }

  /** The pending bytes followed by `tail`, decoded as one line; clears the pending bytes. */
  private joined(tail: Uint8Array): string {
    const bytes = new Uint8Array(this.pendingLength + tail.length);
    let offset = 0;
    for (const piece of this.pending) {
      bytes.set(piece, offset);
      offset += piece.length;
    }
    bytes.set(tail, offset);
    this.pending = [];
    this.pendingLength = 0;
    return this.decode(bytes);
  }

  private decode(bytes: Uint8Array): string {
    const text = this.decoder.decode(bytes);
    if (!this.first) return text;
    this.first = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
}
