/**
 * `BucketSet`: a set of buckets, the unit in which a sharded controller hands work around. The
 * 64-bit hash space of KEP-5866 is cut into `total` equal buckets (a power of two, so a bucket is
 * the top bits of the hash: no BigInt per object); a replica owns a set of them, which prints as a
 * {@link ShardSelector} of merged ranges for the API server, and as a hex bitmap in its Lease.
 *
 * @module
 */
import { fnv1a64High32, SHARD_HASH_SPACE } from '../core/shard-hash.js';
import { ShardSelector, type ShardField, type ShardRange } from '../core/shard-selector.js';
import { ShardError } from './shard-error.js';

/** The largest bucket count (the bitmap in a Lease annotation stays under 1 KiB). */
export const MAX_SHARD_BUCKETS = 4096;

/**
 * Checks a bucket count: a power of two from 1 to {@link MAX_SHARD_BUCKETS}.
 *
 * ## Example
 * ```ts
 * checkBucketCount(64); // ok
 * checkBucketCount(48); // throws ShardError('invalidOptions')
 * ```
 */
export function checkBucketCount(total: number): void {
  if (!Number.isInteger(total) || total < 1 || total > MAX_SHARD_BUCKETS || (total & (total - 1)) !== 0) {
    throw new ShardError('invalidOptions', `the bucket count must be a power of two from 1 to ${MAX_SHARD_BUCKETS}, got ${total}`, { buckets: total });
  }
}

/**
 * The bucket (of `total`) that a field value (a uid, a namespace) hashes into.
 *
 * ## Example
 * ```ts
 * bucketOf(pod.metadata.uid, 64); // 0..63
 * ```
 */
export function bucketOf(value: string, total: number): number {
  if (total === 1) return 0;
  return fnv1a64High32(value) >>> (32 - Math.log2(total));
}

/**
 * The hash range of bucket `index` of `total`.
 *
 * ## Example
 * ```ts
 * bucketRange(1, 2); // { start: 2n ** 63n, end: 2n ** 64n }
 * ```
 */
export function bucketRange(index: number, total: number): ShardRange {
  const width = SHARD_HASH_SPACE / BigInt(total);
  return { start: BigInt(index) * width, end: BigInt(index + 1) * width };
}

/**
 * An immutable set of buckets out of `total`.
 *
 * ## Example
 * ```ts
 * const mine = BucketSet.of(64, [0, 1, 2, 40]);
 * mine.toSelector().print(); // two shardRange(...) terms: buckets 0-2 and 40
 * BucketSet.decode(mine.encode(), 64).equals(mine); // true
 * ```
 */
export class BucketSet {
  private constructor(
    /** How many buckets the hash space is cut into. */
    readonly total: number,
    private readonly bits: Uint32Array,
    /** How many buckets are in the set. */
    readonly size: number,
  ) {
    Object.freeze(this);
  }

  /** The empty set of `total` buckets. */
  static empty(total: number): BucketSet {
    checkBucketCount(total);
    return new BucketSet(total, new Uint32Array(Math.ceil(total / 32)), 0);
  }

  /** Every bucket. */
  static all(total: number): BucketSet {
    return BucketSet.of(total, Array.from({ length: total }, (_, i) => i));
  }

  /** The set of the given buckets (each in `[0, total)`). */
  static of(total: number, buckets: Iterable<number>): BucketSet {
    checkBucketCount(total);
    const bits = new Uint32Array(Math.ceil(total / 32));
    for (const b of buckets) {
      if (!Number.isInteger(b) || b < 0 || b >= total) throw new ShardError('invalidOptions', `bucket ${b} is not in [0, ${total})`, { bucket: b, buckets: total });
      bits[b >>> 5]! |= 1 << (b & 31);
    }
    return new BucketSet(total, bits, count(bits));
  }

  /**
   * Reads the hex bitmap {@link encode} writes. Throws {@link ShardError} (`invalidClaims`) for
   * anything else, naming the text.
   */
  static decode(hex: string, total: number): BucketSet {
    checkBucketCount(total);
    const digits = Math.ceil(total / 4);
    if (hex === '') return BucketSet.empty(total);
    if (hex.length !== digits || !/^[0-9a-f]+$/.test(hex)) {
      throw new ShardError('invalidClaims', `a bucket bitmap of ${total} buckets must be ${digits} lowercase hex digits, got ${JSON.stringify(hex.slice(0, 40))}`, {
        claims: hex.slice(0, 40),
        buckets: total,
      });
    }
    const buckets: number[] = [];
    for (let d = 0; d < digits; d++) {
      const nibble = Number.parseInt(hex[d]!, 16);
      for (let j = 0; j < 4; j++) if (nibble & (8 >> j)) buckets.push(d * 4 + j);
    }
    return BucketSet.of(total, buckets);
  }

  /** The hex bitmap (bucket 0 is the top bit of the first digit); `''` when empty. */
  encode(): string {
    if (this.size === 0) return '';
    let out = '';
    const digits = Math.ceil(this.total / 4);
    for (let d = 0; d < digits; d++) {
      let nibble = 0;
      for (let j = 0; j < 4; j++) if (this.has(d * 4 + j)) nibble |= 8 >> j;
      out += nibble.toString(16);
    }
    return out;
  }

  /** Whether `bucket` is in the set. */
  has(bucket: number): boolean {
    return bucket >= 0 && bucket < this.total && (this.bits[bucket >>> 5]! & (1 << (bucket & 31))) !== 0;
  }

  /** Whether the set is empty. */
  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** The buckets, ascending. */
  toArray(): number[] {
    const out: number[] = [];
    for (let b = 0; b < this.total; b++) if (this.has(b)) out.push(b);
    return out;
  }

  /** Buckets in this set or `other`. */
  union(other: BucketSet): BucketSet {
    return this.combine(other, (a, b) => a | b);
  }

  /** Buckets in this set and not in `other`. */
  minus(other: BucketSet): BucketSet {
    return this.combine(other, (a, b) => a & ~b);
  }

  /** Buckets in both. */
  intersect(other: BucketSet): BucketSet {
    return this.combine(other, (a, b) => a & b);
  }

  /** Same buckets (and total). */
  equals(other: BucketSet): boolean {
    return this.total === other.total && this.bits.every((w, i) => w === other.bits[i]);
  }

  /** The hash ranges of the set, adjacent buckets merged. */
  ranges(): ShardRange[] {
    const out: ShardRange[] = [];
    let b = 0;
    while (b < this.total) {
      if (!this.has(b)) {
        b++;
        continue;
      }
      const first = b;
      while (b < this.total && this.has(b)) b++;
      out.push({ start: bucketRange(first, this.total).start, end: bucketRange(b - 1, this.total).end });
    }
    return out;
  }

  /** The selector for the API server (empty when the set is). */
  toSelector(field: ShardField = 'object.metadata.uid'): ShardSelector {
    return ShardSelector.of(this.ranges(), field);
  }

  /** `{0-2,40}` */
  toString(): string {
    const parts: string[] = [];
    let b = 0;
    while (b < this.total) {
      if (!this.has(b)) {
        b++;
        continue;
      }
      const first = b;
      while (b < this.total && this.has(b)) b++;
      parts.push(b - 1 === first ? `${first}` : `${first}-${b - 1}`);
    }
    return `{${parts.join(',')}}`;
  }

  private combine(other: BucketSet, op: (a: number, b: number) => number): BucketSet {
    if (other.total !== this.total) {
      throw new ShardError('bucketMismatch', `cannot combine bucket sets of ${this.total} and ${other.total} buckets`, { buckets: this.total, other: other.total });
    }
    const bits = this.bits.map((w, i) => op(w, other.bits[i]!) >>> 0);
    return new BucketSet(this.total, bits, count(bits));
  }
}

function count(bits: Uint32Array): number {
  let n = 0;
  for (let w of bits) {
    while (w !== 0) {
      w &= w - 1;
      n++;
    }
  }
  return n;
}
