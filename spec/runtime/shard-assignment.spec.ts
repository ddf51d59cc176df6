/**
 * The bucket assignment: deterministic, complete, balanced, and moving few buckets when a member
 * joins or leaves.
 */
import fc from 'fast-check';
import { BucketSet } from '../../lib/runtime/bucket-set.js';
import { assignBuckets } from '../../lib/runtime/shard-assignment.js';

const memberIds = fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,12}$/), { minLength: 1, maxLength: 8 });

function owners(plan: ReadonlyMap<string, BucketSet>, total: number): string[] {
  const out = new Array<string>(total).fill('');
  for (const [m, set] of plan) for (const b of set.toArray()) out[b] = m;
  return out;
}

describe('assignBuckets', () => {
  it('gives every bucket to exactly one member, at most ceil(total/n) each', () => {
    fc.assert(
      fc.property(memberIds, fc.constantFrom(1, 8, 64, 256), (members, total) => {
        const plan = assignBuckets(members, total);
        expect([...plan.keys()].sort()).toEqual([...members].sort());
        let sum = 0;
        for (const set of plan.values()) {
          expect(set.size).toBeLessThanOrEqual(Math.ceil(total / members.length));
          sum += set.size;
        }
        expect(sum).toBe(total);
        expect(owners(plan, total).every((o) => o !== '')).toBe(true);
      }),
    );
  });

  it('is the same whatever the order of the members (every replica computes it alike)', () => {
    fc.assert(
      fc.property(memberIds, (members) => {
        const a = owners(assignBuckets(members, 64), 64);
        const b = owners(assignBuckets([...members].reverse().concat(members[0]!), 64), 64);
        expect(b).toEqual(a);
      }),
    );
  });

  it('moves few buckets when a member joins: at most 2.5 times the newcomer share (about 1.2 times on average)', () => {
    fc.assert(
      fc.property(memberIds, fc.stringMatching(/^[a-z0-9]{1,12}$/), (members, newcomer) => {
        fc.pre(!members.includes(newcomer));
        const total = 64;
        const before = owners(assignBuckets(members, total), total);
        const after = owners(assignBuckets([...members, newcomer], total), total);
        const moved = before.filter((o, b) => after[b] !== o).length;
        const share = Math.ceil(total / (members.length + 1));
        expect(moved).toBeLessThanOrEqual(2.5 * share);
      }),
    );
  });

  it('splits 64 buckets among three replicas within two buckets of a third each', () => {
    const plan = assignBuckets(['replica-0', 'replica-1', 'replica-2'], 64);
    for (const set of plan.values()) expect(set.size).toBeGreaterThanOrEqual(20);
    expect(assignBuckets([], 64).size).toBe(0);
  });
});
