/**
 * Shard selectors (KEP-5866, `shardSelector` on LIST and WATCH, Kubernetes 1.36 alpha behind the
 * `ShardedListAndWatch` feature gate): a set of hash ranges of one field, printed the way the API
 * server parses it —
 * `shardRange(object.metadata.uid, '0x0000000000000000', '0x8000000000000000') || shardRange(...)` —
 * a parser for the same text with the server's rules, and local matching with the server's hash
 * (so a client can filter by the same assignment when the server does not).
 *
 * The server's rules (k8s.io/apiserver `pkg/sharding/parser.go`, v0.36.3): only `shardRange()` and
 * `||`; the field is `object.metadata.uid` or `object.metadata.namespace`, the same in every
 * range; bounds are quoted strings `0x` + exactly 16 lowercase hex digits, or
 * `'0x10000000000000000'` (2^64) as an end; the start is inclusive, the end exclusive, and
 * start < end. The parser here accepts the subset of CEL a selector needs (parentheses, either
 * quote, whitespace) and refuses the rest with a {@link ShardSelectorError} naming the offset.
 *
 * @module
 */
import { ERROR_BRAND, InvalidRequestError } from './errors.js';
import { fnv1a64, SHARD_HASH_SPACE } from './shard-hash.js';

/** The object fields the API server can shard by. */
export type ShardField = 'object.metadata.uid' | 'object.metadata.namespace';

const FIELDS: readonly ShardField[] = ['object.metadata.uid', 'object.metadata.namespace'];

/**
 * A half-open range `[start, end)` of the 64-bit hash space; `end` may be 2^64.
 *
 * ## Example
 * ```ts
 * const lowerHalf: ShardRange = { start: 0n, end: 0x8000000000000000n };
 * ```
 */
export interface ShardRange {
  readonly start: bigint;
  readonly end: bigint;
}

/**
 * A shard selector that cannot be built or parsed. `selector` is the text (when parsing), `offset`
 * the character where the problem was found, `token` what was found there.
 *
 * ## Example
 * ```ts
 * try { ShardSelector.parse("shardRange(object.metadata.uid, '0x0', '0x1')"); }
 * catch (e) { if (e instanceof ShardSelectorError) console.log(e.offset, e.message); }
 * ```
 */
export class ShardSelectorError extends InvalidRequestError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.ShardSelectorError';
  override readonly name: string = 'ShardSelectorError';
  constructor(
    message: string,
    /** The selector text, when parsing. */
    readonly selector: string | undefined,
    /** The offset in `selector` where the problem is, when parsing. */
    readonly offset: number | undefined,
    /** The offending token or value. */
    readonly token: string,
  ) {
    super('invalidSelector', message, { context: { selector, offset, token } });
  }
}

/**
 * Type guard for {@link ShardSelectorError}.
 *
 * ## Example
 * ```ts
 * if (isShardSelectorError(e)) console.log(e.token);
 * ```
 */
export function isShardSelectorError(e: unknown): e is ShardSelectorError {
  return e instanceof ShardSelectorError;
}

/**
 * Prints a hash bound the way the server wants it: `0x` + 16 lowercase hex digits, or
 * `0x10000000000000000` for 2^64.
 *
 * ## Example
 * ```ts
 * formatShardBound(0n); // '0x0000000000000000'
 * formatShardBound(1n << 64n); // '0x10000000000000000'
 * ```
 */
export function formatShardBound(value: bigint): string {
  if (value < 0n || value > SHARD_HASH_SPACE) {
    throw new ShardSelectorError(`a shard bound must be in [0, 2^64], got ${value}`, undefined, undefined, String(value));
  }
  return value === SHARD_HASH_SPACE ? '0x10000000000000000' : `0x${value.toString(16).padStart(16, '0')}`;
}

/**
 * The hash range of one slice when the space is cut into `count` equal slices (slice `index`).
 * The last slice ends at 2^64; with a `count` that is not a power of two the bounds are rounded down.
 *
 * ## Example
 * ```ts
 * shardSlice(1, 2); // { start: 0x8000000000000000n, end: 0x10000000000000000n }
 * ```
 */
export function shardSlice(index: number, count: number): ShardRange {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new ShardSelectorError(`shardSlice needs 0 <= index < count, got index ${index} of ${count}`, undefined, undefined, `${index}/${count}`);
  }
  const n = BigInt(count);
  return { start: (BigInt(index) * SHARD_HASH_SPACE) / n, end: (BigInt(index + 1) * SHARD_HASH_SPACE) / n };
}

/**
 * An immutable set of hash ranges over one field. Build it with {@link ShardSelector.of},
 * {@link ShardSelector.slice} or {@link ShardSelector.parse}; send `print()` as
 * `shardSelector`; test objects locally with `matches`.
 *
 * `of` sorts the ranges and merges overlapping or touching ones, so equal sets print equally
 * (`parse` keeps the ranges as written, like the server). A selector with no ranges matches
 * nothing and cannot be printed (the server refuses an empty `shardSelector`).
 *
 * ## Example
 * ```ts
 * const mine = ShardSelector.slice(0, 3);
 * await api.list({ shardSelector: mine.print() });
 * mine.matches(cm); // true when the ConfigMap's uid hashes into the first third
 * ```
 */
export class ShardSelector {
  private constructor(
    /** The hashed field. */
    readonly field: ShardField,
    /** The ranges, as given (sorted and merged when built with `of`). */
    readonly ranges: readonly ShardRange[],
  ) {
    Object.freeze(this.ranges);
    Object.freeze(this);
  }

  /**
   * A selector of `ranges` over `field`, normalised (sorted, overlapping and touching ranges merged).
   * Throws {@link ShardSelectorError} for a range outside `[0, 2^64]` or with `start >= end`.
   */
  static of(ranges: Iterable<ShardRange>, field: ShardField = 'object.metadata.uid'): ShardSelector {
    checkField(field, undefined, undefined);
    const list = Array.from(ranges, (r) => {
      if (r.start < 0n || r.end > SHARD_HASH_SPACE || r.start >= r.end) {
        throw new ShardSelectorError(
          `a shard range needs 0 <= start < end <= 2^64, got [${formatShardBound(clampBound(r.start))}, ${formatShardBound(clampBound(r.end))})`,
          undefined,
          undefined,
          `${r.start}..${r.end}`,
        );
      }
      return { start: r.start, end: r.end };
    }).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const merged: ShardRange[] = [];
    for (const r of list) {
      const last = merged[merged.length - 1];
      if (last !== undefined && r.start <= last.end) {
        if (r.end > last.end) merged[merged.length - 1] = { start: last.start, end: r.end };
      } else merged.push(r);
    }
    return new ShardSelector(field, merged);
  }

  /** The whole hash space of `field` (matches every object). */
  static all(field: ShardField = 'object.metadata.uid'): ShardSelector {
    return ShardSelector.of([{ start: 0n, end: SHARD_HASH_SPACE }], field);
  }

  /** Slice `index` of `count` equal slices (see {@link shardSlice}). */
  static slice(index: number, count: number, field: ShardField = 'object.metadata.uid'): ShardSelector {
    return ShardSelector.of([shardSlice(index, count)], field);
  }

  /**
   * Parses a selector with the API server's rules. Throws {@link ShardSelectorError} with the
   * offset and the offending token for anything the server would refuse.
   */
  static parse(text: string): ShardSelector {
    const { field, ranges } = new Parser(text).parse();
    return new ShardSelector(field, ranges);
  }

  /** Whether the selector has no ranges (matches nothing). */
  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** Whether the ranges cover the whole hash space. */
  get isAll(): boolean {
    const n = ShardSelector.of(this.ranges, this.field);
    return n.ranges.length === 1 && n.ranges[0]!.start === 0n && n.ranges[0]!.end === SHARD_HASH_SPACE;
  }

  /** The wire form, for `ListParams.shardSelector` / `WatchParams.shardSelector`. */
  print(): string {
    if (this.ranges.length === 0) {
      throw new ShardSelectorError('an empty shard selector cannot be sent (the server refuses it): watch nothing instead', undefined, undefined, '');
    }
    return this.ranges.map((r) => `shardRange(${this.field}, '${formatShardBound(r.start)}', '${formatShardBound(r.end)}')`).join(' || ');
  }

  /** Same as {@link print} (`''` when empty). */
  toString(): string {
    return this.ranges.length === 0 ? '' : this.print();
  }

  /** Whether a hash falls in one of the ranges. */
  matchesHash(hash: bigint): boolean {
    for (const r of this.ranges) if (hash >= r.start && hash < r.end) return true;
    return false;
  }

  /** Whether a field value (a uid, a namespace) hashes into one of the ranges. */
  matchesValue(value: string): boolean {
    return this.matchesHash(fnv1a64(value));
  }

  /**
   * Whether the server would return `object` for this selector (the field is read from
   * `metadata`; a missing value hashes as `''`, as the server does).
   */
  matches(object: { readonly metadata?: { readonly uid?: string | undefined; readonly namespace?: string | undefined } | undefined }): boolean {
    const m = object.metadata;
    return this.matchesValue((this.field === 'object.metadata.uid' ? m?.uid : m?.namespace) ?? '');
  }
}

function clampBound(v: bigint): bigint {
  return v < 0n ? 0n : v > SHARD_HASH_SPACE ? SHARD_HASH_SPACE : v;
}

function checkField(field: string, text: string | undefined, offset: number | undefined): asserts field is ShardField {
  if (!(FIELDS as readonly string[]).includes(field)) {
    throw new ShardSelectorError(
      `unsupported shard field ${JSON.stringify(field)}; supported: ${FIELDS.join(', ')}`,
      text,
      offset,
      field,
    );
  }
}

const HEX16 = /^0x[0-9a-f]{16}$/;
const FULL_END = '0x10000000000000000';

/** A recursive-descent parser of `term ('||' term)*`, `term := '(' expr ')' | shardRange(path, 'hex', 'hex')`. */
class Parser {
  private pos = 0;
  private readonly ranges: ShardRange[] = [];
  private field: ShardField | undefined;

  constructor(private readonly text: string) {}

  parse(): { field: ShardField; ranges: ShardRange[] } {
    this.skip();
    if (this.pos >= this.text.length) this.fail('an empty shard selector is not allowed; omit the parameter to select everything', '');
    this.expr(0);
    this.skip();
    if (this.pos < this.text.length) this.fail(`unexpected ${JSON.stringify(this.text.slice(this.pos, this.pos + 12))} after a complete selector; join ranges with ||`, this.rest());
    return { field: this.field!, ranges: this.ranges };
  }

  private expr(depth: number): void {
    if (depth > 32) this.fail('parentheses nested too deeply', this.rest());
    this.term(depth);
    for (;;) {
      this.skip();
      if (!this.text.startsWith('||', this.pos)) return;
      this.pos += 2;
      this.term(depth);
    }
  }

  private term(depth: number): void {
    this.skip();
    if (this.text[this.pos] === '(') {
      this.pos++;
      this.expr(depth + 1);
      this.expect(')');
      return;
    }
    const start = this.pos;
    const name = this.ident();
    if (name !== 'shardRange') {
      this.fail(
        name === '' ? `expected shardRange(...) at offset ${start}` : `unsupported function ${JSON.stringify(name)}; only shardRange() and || are allowed`,
        name || this.rest(),
        start,
      );
    }
    this.expect('(');
    this.skip();
    const pathAt = this.pos;
    const path = this.path();
    checkField(path, this.text, pathAt);
    if (this.field !== undefined && this.field !== path) {
      this.fail(`all shard ranges must use the same field, got ${this.field} and ${path}`, path, pathAt);
    }
    this.field = path;
    this.expect(',');
    const startAt = this.peekPos();
    const lo = this.bound('start');
    this.expect(',');
    const hi = this.bound('end');
    this.expect(')');
    if (lo.value >= hi.value) this.fail(`shard range start ${lo.text} must be less than end ${hi.text}`, `${lo.text}, ${hi.text}`, startAt);
    this.ranges.push({ start: lo.value, end: hi.value });
  }

  private bound(which: 'start' | 'end'): { text: string; value: bigint } {
    this.skip();
    const at = this.pos;
    const quote = this.text[this.pos];
    if (quote !== "'" && quote !== '"') this.fail(`the range ${which} must be a quoted hex string like '0x8000000000000000'`, this.rest(), at);
    const close = this.text.indexOf(quote, this.pos + 1);
    if (close < 0) this.fail(`unterminated string for the range ${which}`, this.rest(), at);
    const s = this.text.slice(this.pos + 1, close);
    if (s.includes('\\')) this.fail(`escape sequences are not allowed in the range ${which}`, s, at);
    this.pos = close + 1;
    if (!s.startsWith('0x')) this.fail(`the range ${which} must have the '0x' prefix, got ${JSON.stringify(s)}`, s, at);
    if (s === FULL_END) return { text: s, value: SHARD_HASH_SPACE };
    if (!HEX16.test(s)) {
      const digits = s.slice(2);
      const hint = /^[0-9a-f]{1,15}$/.test(digits) ? ` (did you mean '0x${digits.padStart(16, '0')}'?)` : '';
      this.fail(`the range ${which} must be '0x' and 16 lowercase hex digits (or '${FULL_END}' for 2^64), got ${JSON.stringify(s)}${hint}`, s, at);
    }
    return { text: s, value: BigInt(s) };
  }

  private path(): string {
    const parts = [this.ident()];
    for (;;) {
      this.skip();
      if (this.text[this.pos] !== '.') break;
      this.pos++;
      parts.push(this.ident());
    }
    if (parts.some((p) => p === '')) this.fail('expected a field path like object.metadata.uid', parts.join('.'));
    return parts.join('.');
  }

  private ident(): string {
    this.skip();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (m === null) return '';
    this.pos += m[0].length;
    return m[0];
  }

  private expect(c: string): void {
    this.skip();
    if (this.text[this.pos] !== c) {
      this.fail(this.pos >= this.text.length ? `expected ${JSON.stringify(c)} but the selector ended` : `expected ${JSON.stringify(c)}`, this.rest());
    }
    this.pos++;
  }

  private peekPos(): number {
    this.skip();
    return this.pos;
  }

  private skip(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private rest(): string {
    return this.text.slice(this.pos, this.pos + 20);
  }

  private fail(message: string, token: string, offset = this.pos): never {
    throw new ShardSelectorError(`shard selector ${JSON.stringify(this.text)}: ${message} (at offset ${offset})`, this.text, offset, token);
  }
}
