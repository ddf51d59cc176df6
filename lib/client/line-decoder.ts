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
  private readonly decoder = new TextDecoder('utf-8');
  /** Pieces of the current, unfinished line (kept apart to avoid re-scanning long lines). */
  private pending: string[] = [];

  /** Decodes one chunk and returns the lines it completes. */
  push(chunk: Uint8Array): string[] {
    return this.split(this.decoder.decode(chunk, { stream: true }));
  }

  /** Flushes the decoder at the end of the stream and returns the remaining lines, if any. */
  end(): string[] {
    const lines = this.split(this.decoder.decode());
    if (this.pending.length > 0) {
      const last = this.pending.join('');
      this.pending = [];
      if (last !== '') lines.push(last);
    }
    return lines;
  }

  private split(text: string): string[] {
    const lines: string[] = [];
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      let line = text.slice(start, newline);
      if (this.pending.length > 0) {
        this.pending.push(line);
        line = this.pending.join('');
        this.pending = [];
      }
      lines.push(line);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (start < text.length) this.pending.push(text.slice(start));
    return lines;
  }
}
