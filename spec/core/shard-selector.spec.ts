/**
 * Shard selectors: building, printing, parsing with the server's rules (checked against the API
 * server's own parser through spec/fixtures/shard-vectors), and local matching.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { SHARD_HASH_SPACE, fnv1a64 } from '../../lib/core/shard-hash.js';
import { ShardSelector, ShardSelectorError, formatShardBound, isShardSelectorError, shardSlice } from '../../lib/core/shard-selector.js';
import { InvalidRequestError } from '../../lib/core/errors.js';
import { RequestBuilder } from '../../lib/core/request.js';

interface ParseVector {
  selector: string;
  error?: string;
  string?: string;
  requirements?: Array<{ Key: string; Start: string; End: string }>;
}

const parseVectors = readFileSync(join(__dirname, '../fixtures/shard-vectors/vectors.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l) as ParseVector & { hash?: string })
  .filter((v) => typeof v.selector === 'string');

const HALF = 1n << 63n;

describe('ShardSelector', () => {
  it('prints ranges the way the server parses them', () => {
    expect(ShardSelector.slice(0, 2).print()).toBe("shardRange(object.metadata.uid, '0x0000000000000000', '0x8000000000000000')");
    expect(ShardSelector.slice(1, 2).print()).toBe("shardRange(object.metadata.uid, '0x8000000000000000', '0x10000000000000000')");
    expect(ShardSelector.of([{ start: 0n, end: 1n }, { start: 3n * (HALF / 2n), end: SHARD_HASH_SPACE }], 'object.metadata.namespace').print()).toBe(
      "shardRange(object.metadata.namespace, '0x0000000000000000', '0x0000000000000001') || shardRange(object.metadata.namespace, '0xc000000000000000', '0x10000000000000000')",
    );
  });

  it('sorts and merges overlapping and touching ranges when built with of()', () => {
    const s = ShardSelector.of([
      { start: 30n, end: 40n },
      { start: 0n, end: 10n },
      { start: 10n, end: 20n },
      { start: 35n, end: 38n },
    ]);
    expect(s.ranges).toEqual([
      { start: 0n, end: 20n },
      { start: 30n, end: 40n },
    ]);
    expect(ShardSelector.of([0, 1, 2].map((i) => shardSlice(i, 3))).isAll).toBe(true);
    expect(ShardSelector.slice(0, 3).isAll).toBe(false);
  });

  it('cuts the space into equal slices that cover it exactly once', () => {
    for (const n of [1, 2, 3, 7, 64]) {
      let end = 0n;
      for (let i = 0; i < n; i++) {
        const r = shardSlice(i, n);
        expect(r.start).toBe(end);
        end = r.end;
      }
      expect(end).toBe(SHARD_HASH_SPACE);
    }
    expect(() => shardSlice(3, 3)).toThrow(ShardSelectorError);
  });

  it('refuses impossible ranges and an empty print with a typed error', () => {
    expect(() => ShardSelector.of([{ start: 5n, end: 5n }])).toThrow(/0 <= start < end <= 2\^64/);
    expect(() => ShardSelector.of([{ start: 0n, end: SHARD_HASH_SPACE + 1n }])).toThrow(ShardSelectorError);
    expect(() => ShardSelector.of([], 'metadata.uid' as never)).toThrow(/unsupported shard field "metadata.uid"/);
    const empty = ShardSelector.of([]);
    expect(empty.isEmpty).toBe(true);
    expect(`${empty}`).toBe('');
    expect(() => empty.print()).toThrow(/empty shard selector/);
    expect(formatShardBound(SHARD_HASH_SPACE)).toBe('0x10000000000000000');
  });

  it(`accepts and refuses exactly what the API server's parser does (${parseVectors.length} selectors)`, () => {
    expect(parseVectors.length).toBeGreaterThan(80);
    for (const v of parseVectors) {
      let mine: ShardSelector | ShardSelectorError;
      try {
        mine = ShardSelector.parse(v.selector);
      } catch (e) {
        if (!isShardSelectorError(e)) throw e;
        mine = e;
      }
      if (v.error !== undefined) {
        expect({ selector: v.selector, refused: mine instanceof ShardSelectorError }).toEqual({ selector: v.selector, refused: true });
      } else {
        expect(mine).toBeInstanceOf(ShardSelector);
        const s = mine as ShardSelector;
        expect(s.print()).toBe(v.string);
        expect(s.ranges.map((r) => ({ Key: s.field, Start: formatShardBound(r.start), End: formatShardBound(r.end) }))).toEqual(v.requirements);
      }
    }
  });

  it('names the offset and token of a parse error, and is an InvalidRequestError', () => {
    const text = "shardRange(object.metadata.uid, '0x0', '0x8000000000000000')";
    let error: unknown;
    try {
      ShardSelector.parse(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidRequestError);
    const e = error as ShardSelectorError;
    expect(e.reason).toBe('invalidSelector');
    expect(e.offset).toBe(32);
    expect(e.token).toBe('0x0');
    expect(e.message).toContain("did you mean '0x0000000000000000'?");
    expect(() => ShardSelector.parse("shardRange(object.metadata.name, '0x0000000000000000', '0x8000000000000000')")).toThrow(
      /unsupported shard field "object.metadata.name"/,
    );
    expect(() => ShardSelector.parse('shardRange(object.metadata.uid')).toThrow(/expected "," but the selector ended/);
    expect(() => ShardSelector.parse('(' .repeat(40) + 'x')).toThrow(/nested too deeply/);
  });

  it('never throws anything but a ShardSelectorError on garbage', () => {
    const alphabet = fc.constantFrom(..."shardRange(object.metadata.uid, '0x0123456789abcdef0000', ')|| \"".split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(alphabet, { maxLength: 120 }).map((a) => a.join(''))), (text) => {
        try {
          ShardSelector.parse(text);
        } catch (e) {
          expect(e).toBeInstanceOf(ShardSelectorError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips any set of ranges through print and parse', () => {
    const bound = fc.bigInt({ min: 0n, max: SHARD_HASH_SPACE });
    const range = fc.tuple(bound, bound).filter(([a, b]) => a !== b).map(([a, b]) => (a < b ? { start: a, end: b } : { start: b, end: a }));
    fc.assert(
      fc.property(fc.array(range, { minLength: 1, maxLength: 6 }), fc.constantFrom('object.metadata.uid' as const, 'object.metadata.namespace' as const), (ranges, field) => {
        const s = ShardSelector.of(ranges, field);
        const back = ShardSelector.parse(s.print());
        expect(back.ranges).toEqual(s.ranges);
        expect(back.field).toBe(field);
      }),
    );
  });

  it('matches an object when its hashed uid (or namespace) is in a range, start inclusive, end exclusive', () => {
    const uid = '3f0a2b4c-0000-4000-8000-000000000001';
    const h = fnv1a64(uid);
    const obj = { metadata: { uid, namespace: 'ns' } };
    expect(ShardSelector.of([{ start: h, end: h + 1n }]).matches(obj)).toBe(true);
    expect(ShardSelector.of([{ start: h + 1n, end: SHARD_HASH_SPACE }]).matches(obj)).toBe(h + 1n >= SHARD_HASH_SPACE);
    expect(ShardSelector.of([{ start: 0n, end: h }]).matches(obj)).toBe(false);
    expect(ShardSelector.of([{ start: fnv1a64('ns'), end: fnv1a64('ns') + 1n }], 'object.metadata.namespace').matches(obj)).toBe(true);
    // a cluster-scoped object hashes its namespace as ''
    expect(ShardSelector.of([{ start: fnv1a64(''), end: fnv1a64('') + 1n }], 'object.metadata.namespace').matches({ metadata: { uid } })).toBe(true);
  });

  it('puts every object in exactly one of n slices', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.integer({ min: 1, max: 16 }), (uid, n) => {
        const hits = Array.from({ length: n }, (_, i) => ShardSelector.slice(i, n).matches({ metadata: { uid } })).filter(Boolean);
        expect(hits).toHaveLength(1);
      }),
    );
  });
});

describe('shardSelector in LIST and WATCH requests', () => {
  const rb = RequestBuilder.for({ group: '', version: 'v1', plural: 'configmaps' }, 'ns');
  const sel = ShardSelector.slice(1, 4).print();

  it('is sent as the shardSelector query parameter', () => {
    expect(rb.list({ shardSelector: sel }).query).toEqual({ shardSelector: sel });
    expect(rb.watch({ shardSelector: sel, resourceVersion: '5' }).query).toEqual({ watch: 'true', shardSelector: sel, resourceVersion: '5' });
    expect(rb.listMetadata({ shardSelector: '' }).query).toEqual({});
  });

  it('is checked before a request exists', () => {
    expect(() => rb.list({ shardSelector: 'shardRange(object.metadata.uid)' })).toThrow(ShardSelectorError);
    expect(() => rb.watch({ shardSelector: "shardRange(object.metadata.uid, '0x1', '0x2')" })).toThrow(/16 lowercase hex digits/);
  });
});
