/**
 * The hash of KEP-5866 sharded LIST and WATCH: 64-bit FNV-1a over the UTF-8 bytes of a field value
 * (`metadata.uid` or `metadata.namespace`), exactly as the API server computes it
 * (`k8s.io/apimachinery/pkg/sharding.HashField`, Go's `hash/fnv` New64a). The server compares the
 * hash with each range's bounds; {@link ShardSelector} does the same on the client.
 *
 * Computed on four 16-bit limbs in plain numbers (no BigInt on the hot path: client-side filtering
 * hashes every event); the BigInt form is for range arithmetic.
 *
 * @module
 */

/** The size of the hash space, 2^64: the exclusive end of the full range. */
export const SHARD_HASH_SPACE = 1n << 64n;

// FNV-1a 64 offset basis 0xcbf29ce484222325, least significant limb first.
const BASIS0 = 0x2325;
const BASIS1 = 0x8422;
const BASIS2 = 0x9ce4;
const BASIS3 = 0xcbf2;
// FNV 64 prime 0x100000001b3 = 2^40 + 0x1b3: limb 0 is 0x1b3, limb 2 is 0x100 (2^40 = 2^32 * 0x100).
const PRIME0 = 0x1b3;
const PRIME2 = 0x100;

function hashLimbs(value: string): [number, number, number, number] {
  let h0 = BASIS0;
  let h1 = BASIS1;
  let h2 = BASIS2;
  let h3 = BASIS3;
  const step = (byte: number): void => {
    h0 ^= byte;
    // (h * prime) mod 2^64 on 16-bit limbs; every partial sum stays below 2^31.
    let r0 = h0 * PRIME0;
    let r1 = h1 * PRIME0;
    let r2 = h2 * PRIME0 + h0 * PRIME2;
    let r3 = h3 * PRIME0 + h1 * PRIME2;
    r1 += r0 >>> 16;
    r0 &= 0xffff;
    r2 += r1 >>> 16;
    r1 &= 0xffff;
    r3 += r2 >>> 16;
    r2 &= 0xffff;
    r3 &= 0xffff;
    h0 = r0;
    h1 = r1;
    h2 = r2;
    h3 = r3;
  };
  for (let i = 0; i < value.length; i++) {
    let c = value.charCodeAt(i);
    if (c < 0x80) {
      step(c);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const low = value.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    // A lone surrogate is encoded as U+FFFD, as Go does when it converts such text to UTF-8.
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x800) {
      step(0xc0 | (c >> 6));
      step(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      step(0xe0 | (c >> 12));
      step(0x80 | ((c >> 6) & 0x3f));
      step(0x80 | (c & 0x3f));
    } else {
      step(0xf0 | (c >> 18));
      step(0x80 | ((c >> 12) & 0x3f));
      step(0x80 | ((c >> 6) & 0x3f));
      step(0x80 | (c & 0x3f));
    }
  }
  return [h0, h1, h2, h3];
}

/**
 * FNV-1a 64 of `value` as 16 lowercase hex digits, without `0x`: the server's `HashField`.
 *
 * ## Example
 * ```ts
 * fnv1a64Hex(''); // 'cbf29ce484222325'
 * fnv1a64Hex('a'); // 'af63dc4c8601ec8c'
 * ```
 */
export function fnv1a64Hex(value: string): string {
  const [h0, h1, h2, h3] = hashLimbs(value);
  return hex4(h3) + hex4(h2) + hex4(h1) + hex4(h0);
}

/**
 * FNV-1a 64 of `value` as an unsigned BigInt in `[0, 2^64)`.
 *
 * ## Example
 * ```ts
 * fnv1a64('a') === 0xaf63dc4c8601ec8cn; // true
 * ```
 */
export function fnv1a64(value: string): bigint {
  const [h0, h1, h2, h3] = hashLimbs(value);
  return (BigInt(h3 * 0x10000 + h2) << 32n) | BigInt(h1 * 0x10000 + h0);
}

/**
 * The top 32 bits of the FNV-1a 64 hash of `value`, as a number in `[0, 2^32)`: enough to find a
 * bucket among up to 2^32 equal slices of the hash space without BigInt.
 *
 * ## Example
 * ```ts
 * fnv1a64High32('a'); // 0xaf63dc4c
 * ```
 */
export function fnv1a64High32(value: string): number {
  const [, , h2, h3] = hashLimbs(value);
  return h3 * 0x10000 + h2;
}

function hex4(limb: number): string {
  return limb.toString(16).padStart(4, '0');
}
