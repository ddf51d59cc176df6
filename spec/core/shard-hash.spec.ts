/**
 * The shard hash: FNV-1a 64 over UTF-8, checked against vectors the API server's own code produced
 * (spec/fixtures/shard-vectors, from k8s.io/apimachinery v0.36.3 `sharding.HashField`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { fnv1a64, fnv1a64Hex, fnv1a64High32, SHARD_HASH_SPACE } from '../../lib/core/shard-hash.js';

interface HashVector {
  value: string;
  hash: string;
}

const vectors = readFileSync(join(__dirname, '../fixtures/shard-vectors/vectors.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l) as Record<string, unknown>)
  .filter((v): v is HashVector & Record<string, unknown> => typeof v.hash === 'string');

/** The textbook definition on BigInt, byte by byte: the reference for the limb arithmetic. */
function reference(value: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(value)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) % SHARD_HASH_SPACE;
  }
  return h;
}

describe('fnv1a64', () => {
  it('has the vectors of the API server (211 values: empty, ASCII, multi-byte, astral, lone surrogates, uids)', () => {
    expect(vectors.length).toBeGreaterThan(200);
    for (const v of vectors) {
      expect({ value: v.value, hash: fnv1a64Hex(v.value) }).toEqual({ value: v.value, hash: v.hash });
    }
  });

  it('agrees between its hex, BigInt and high-32 forms', () => {
    for (const v of vectors) {
      expect(fnv1a64(v.value)).toBe(BigInt(`0x${v.hash}`));
      expect(fnv1a64High32(v.value)).toBe(Number.parseInt(v.hash.slice(0, 8), 16));
    }
  });

  it('matches the BigInt definition on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        expect(fnv1a64(s)).toBe(reference(s));
      }),
      { numRuns: 400 },
    );
  });

  it('has the published FNV-1a 64 test values', () => {
    // From the FNV reference test suite (Fowler, Noll, Vo).
    expect(fnv1a64Hex('')).toBe('cbf29ce484222325');
    expect(fnv1a64Hex('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64Hex('foobar')).toBe('85944171f73967e8');
  });
});
