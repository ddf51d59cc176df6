/**
 * `assignBuckets(members, total)`: which replica should own which buckets, computed the same way
 * by every replica from the same member list (no coordinator, no stored state).
 *
 * Rendezvous (highest-random-weight) hashing with bounded load: every (member, bucket) pair gets a
 * pseudo-random score; going through the pairs from the highest score down, a bucket goes to the
 * member of the pair unless the bucket is taken or the member already has its share
 * (`ceil(total / n)`). So each member gets within one bucket of an equal share, and when a member
 * joins or leaves only about `total / n` buckets change owner (the ones the newcomer scores
 * highest on, or the ones the leaver had), instead of most of them as with equal ranges by sorted
 * member id.
 *
 * @module
 */
import { fnv1a64 } from '../core/shard-hash.js';
import { BucketSet, checkBucketCount } from './bucket-set.js';

const MASK64 = (1n << 64n) - 1n;
const cache = new Map<string, ReadonlyMap<string, BucketSet>>();

/** A 64-bit finaliser (MurmurHash3's fmix64): spreads FNV's weak low-entropy inputs over all bits. */
function mix64(h: bigint): bigint {
  h ^= h >> 33n;
  h = (h * 0xff51afd7ed558ccdn) & MASK64;
  h ^= h >> 33n;
  h = (h * 0xc4ceb9fe1a85ec53n) & MASK64;
  h ^= h >> 33n;
  return h;
}

/**
 * The rendezvous score of `member` for `bucket` (higher wins).
 *
 * ## Example
 * ```ts
 * rendezvousScore('replica-a', 3) > rendezvousScore('replica-b', 3); // who prefers bucket 3
 * ```
 */
export function rendezvousScore(member: string, bucket: number): bigint {
  return mix64(fnv1a64(`${member}\u0000${bucket}`));
}

/**
 * Assigns `total` buckets to `members` (duplicates ignored, order irrelevant). Every bucket goes
 * to exactly one member and no member gets more than `ceil(total / n)` (so with 64 buckets and
 * three members: 22, 22 and 20 at worst). No members: an empty map.
 *
 * ## Example
 * ```ts
 * const plan = assignBuckets(['a', 'b', 'c'], 64);
 * plan.get('a')!.size; // 21 or 22
 * ```
 */
export function assignBuckets(members: Iterable<string>, total: number): ReadonlyMap<string, BucketSet> {
  checkBucketCount(total);
  const ids = [...new Set(members)].sort();
  // Every replica recomputes this every round with the same members: remember the last few.
  const cacheKey = `${total}\u0000${ids.join('\u0000')}`;
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return cached;
  const out = new Map<string, BucketSet>();
  if (ids.length === 0) return out;
  const cap = Math.ceil(total / ids.length);
  const pairs: { score: bigint; member: number; bucket: number }[] = [];
  for (let m = 0; m < ids.length; m++) {
    for (let b = 0; b < total; b++) pairs.push({ score: rendezvousScore(ids[m]!, b), member: m, bucket: b });
  }
  // Ties (practically impossible) break by member id, then bucket, so every replica agrees.
  pairs.sort((x, y) => (x.score > y.score ? -1 : x.score < y.score ? 1 : x.member - y.member || x.bucket - y.bucket));
  const owner = new Int32Array(total).fill(-1);
  const load = new Int32Array(ids.length);
  let left = total;
  for (const p of pairs) {
    if (left === 0) break;
    if (owner[p.bucket] !== -1 || load[p.member]! >= cap) continue;
    owner[p.bucket] = p.member;
    load[p.member]!++;
    left--;
  }
  const lists = ids.map(() => [] as number[]);
  owner.forEach((m, b) => lists[m]!.push(b));
  ids.forEach((id, m) => out.set(id, BucketSet.of(total, lists[m]!)));
  if (cache.size >= 16) cache.delete(cache.keys().next().value!);
  cache.set(cacheKey, out);
  return out;
}
