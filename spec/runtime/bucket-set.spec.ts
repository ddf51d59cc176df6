/**
 * BucketSet: bucket arithmetic, the Lease bitmap encoding, and the selector a set prints as.
 */
import fc from 'fast-check';
import { fnv1a64, SHARD_HASH_SPACE } from '../../lib/core/shard-hash.js';
import { ShardSelector } from '../../lib/core/shard-selector.js';
import { BucketSet, bucketOf, bucketRange, checkBucketCount } from '../../lib/runtime/bucket-set.js';
import { ShardError } from '../../lib/runtime/shard-error.js';

describe('BucketSet', () => {
  it('encodes as a hex bitmap, bucket 0 first, and decodes back', () => {
    const s = BucketSet.of(16, [0, 5, 15]);
    expect(s.encode()).toBe('8401');
    expect(BucketSet.decode('8401', 16).toArray()).toEqual([0, 5, 15]);
    expect(BucketSet.empty(64).encode()).toBe('');
    expect(BucketSet.decode('', 64).isEmpty).toBe(true);
    expect(BucketSet.of(2, [1]).encode()).toBe('4');
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 8, 64, 256), fc.array(fc.nat()), (total, raw) => {
        const s = BucketSet.of(total, raw.map((b) => b % total));
        expect(BucketSet.decode(s.encode(), total).equals(s)).toBe(true);
        expect(s.size).toBe(new Set(raw.map((b) => b % total)).size);
      }),
    );
  });

  it('refuses a bitmap of the wrong length or alphabet, naming it', () => {
    expect(() => BucketSet.decode('xyz', 64)).toThrow(/must be 16 lowercase hex digits, got "xyz"/);
    expect(() => BucketSet.decode('ABCD', 16)).toThrow(ShardError);
    expect(() => BucketSet.of(8, [8])).toThrow(/bucket 8 is not in \[0, 8\)/);
  });

  it('only allows power-of-two bucket counts', () => {
    expect(() => checkBucketCount(48)).toThrow(/power of two/);
    expect(() => checkBucketCount(0)).toThrow(ShardError);
    expect(() => checkBucketCount(8192)).toThrow(ShardError);
    expect(() => checkBucketCount(1)).not.toThrow();
  });

  it('does set algebra', () => {
    const a = BucketSet.of(64, [1, 2, 3, 40]);
    const b = BucketSet.of(64, [3, 4, 40, 63]);
    expect(a.union(b).toArray()).toEqual([1, 2, 3, 4, 40, 63]);
    expect(a.minus(b).toArray()).toEqual([1, 2]);
    expect(a.intersect(b).toArray()).toEqual([3, 40]);
    expect(a.union(b).toString()).toBe('{1-4,40,63}');
    expect(() => a.union(BucketSet.empty(8))).toThrow(/8 buckets/);
  });

  it('puts a value in the bucket whose range holds its hash', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.constantFrom(1, 2, 4, 64, 4096), (uid, total) => {
        const b = bucketOf(uid, total);
        const r = bucketRange(b, total);
        const h = fnv1a64(uid);
        expect(h >= r.start && h < r.end).toBe(true);
      }),
    );
    expect(bucketRange(63, 64).end).toBe(SHARD_HASH_SPACE);
  });

  it('prints as merged ranges that select exactly its buckets', () => {
    const s = BucketSet.of(64, [0, 1, 2, 40, 63]);
    expect(s.toSelector().print()).toBe(
      "shardRange(object.metadata.uid, '0x0000000000000000', '0x0c00000000000000') || " +
        "shardRange(object.metadata.uid, '0xa000000000000000', '0xa400000000000000') || " +
        "shardRange(object.metadata.uid, '0xfc00000000000000', '0x10000000000000000')",
    );
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 63 })), fc.uuid(), (buckets, uid) => {
        const set = BucketSet.of(64, buckets);
        const selector = ShardSelector.parse(set.isEmpty ? ShardSelector.all().print() : set.toSelector().print());
        if (!set.isEmpty) expect(selector.matches({ metadata: { uid } })).toBe(set.has(bucketOf(uid, 64)));
      }),
    );
  });
});
