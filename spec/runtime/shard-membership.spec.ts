/**
 * shardMembership in virtual time against an in-memory Lease server: joining, splitting,
 * draining before hand-over, clean leave, takeover after a crash within the stated bound,
 * fencing when cut off, contested claims, and bad Leases of the group.
 */
import { TestScheduler } from 'rxjs/testing';
import type { Subscription } from 'rxjs';
import type { Lease } from '../../lib/core/api/coordination/v1.js';
import { BucketSet } from '../../lib/runtime/bucket-set.js';
import { ShardGate } from '../../lib/runtime/shard-gate.js';
import { InMemoryMetrics } from '../../lib/runtime/metrics.js';
import {
  SHARD_BUCKETS_ANNOTATION,
  SHARD_CLAIMS_ANNOTATION,
  SHARD_GROUP_LABEL,
  SHARD_METRICS,
  shardMembership,
  type ShardMembershipOptions,
  type ShardState,
} from '../../lib/runtime/shard-membership.js';
import { ShardError } from '../../lib/runtime/shard-error.js';
import { assignBuckets } from '../../lib/runtime/shard-assignment.js';
import { LeaseServer, type LeaseClient } from './support/lease-server.js';

const T = { leaseDurationMs: 6_000, renewDeadlineMs: 4_000, retryPeriodMs: 1_000 };

interface Member {
  gate: ShardGate;
  client: LeaseClient;
  states: ShardState[];
  errors: ShardError[];
  /** `[time, active]` each time the active set changed. */
  log: Array<[number, string]>;
  sub?: Subscription;
}

describe('shardMembership', () => {
  let ts: TestScheduler;
  let server: LeaseServer;
  beforeEach(() => {
    ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    server = new LeaseServer(ts);
  });

  function member(identity: string, from: number, extra: Partial<ShardMembershipOptions> = {}): Member {
    const m: Member = { gate: new ShardGate(extra.buckets ?? 8), client: server.client(), states: [], errors: [], log: [] };
    m.gate.active$.subscribe((a) => m.log.push([ts.now(), a.toString()]));
    ts.schedule(() => {
      m.sub = shardMembership(m.client, m.gate, { group: 'widgets', identity, buckets: 8, ...T, scheduler: ts, onError: (e) => m.errors.push(e), ...extra }).subscribe(
        (s) => m.states.push(s),
      );
    }, from);
    return m;
  }

  const at = (ms: number, fn: () => void): void => void ts.schedule(fn, ms);
  const stopAll = (ms: number, ...ms_: Member[]): void => at(ms, () => ms_.forEach((m) => m.sub?.unsubscribe()));

  it('a lone replica takes every bucket and publishes its claims in its Lease', () => {
    ts.run(() => {
      const metrics = new InMemoryMetrics();
      const a = member('a', 0, { metrics });
      at(3_000, () => {
        const lease = server.leases.get('widgets-a')!;
        expect(lease.metadata?.labels?.[SHARD_GROUP_LABEL]).toBe('widgets');
        expect(lease.metadata?.annotations?.[SHARD_BUCKETS_ANNOTATION]).toBe('8');
        expect(lease.metadata?.annotations?.[SHARD_CLAIMS_ANNOTATION]).toBe('ff');
        expect(lease.spec?.holderIdentity).toBe('a');
        expect(lease.spec?.leaseDurationSeconds).toBe(6);
        expect(metrics.value(SHARD_METRICS.ownedBuckets, { group: 'widgets' })).toBe(8);
        expect(metrics.value(SHARD_METRICS.members, { group: 'widgets' })).toBe(1);
      });
      stopAll(3_000, a);
      ts.flush();
      // claims written (round 1 at 0), confirmed by the read after the next write (the immediate round 2)
      expect(a.log).toEqual([[0, '{0-7}'], [3_000, '{}']]);
      expect(a.states[0]!.active.isEmpty).toBe(true);
      expect(a.states.at(-2)!.members).toEqual(['a']);
      expect(server.leases.has('widgets-a')).toBe(false); // deleted on leave
    });
  });

  it('splits the buckets when a second replica joins, the first letting go before the second takes them', () => {
    ts.run(() => {
      const a = member('a', 0);
      const b = member('b', 1_500);
      stopAll(10_000, a, b);
      ts.flush();
      const plan = assignBuckets(['a', 'b'], 8);
      expect(a.states.find((s) => s.members.length === 2)?.target.equals(plan.get('a')!)).toBe(true);
      // a gives b's buckets up at its round after b's Lease appears (2000); b takes them at its next round (2500)
      expect(a.log).toEqual([[0, '{0-7}'], [2_000, plan.get('a')!.toString()], [10_000, '{}']]);
      expect(b.log).toEqual([[2_500, plan.get('b')!.toString()], [10_000, '{}']]);
    });
  });

  it('does not hand a bucket over while work started in it is still running', () => {
    ts.run(() => {
      const a = member('a', 0);
      const b = member('b', 1_500);
      const bBuckets = assignBuckets(['a', 'b'], 8).get('b')!.toArray();
      let leave: (() => void) | undefined;
      at(1_900, () => (leave = a.gate.enter(bBuckets[0]!)));
      at(5_300, () => leave!());
      at(2_100, () => expect(a.gate.enter(bBuckets[0]!)).toBeUndefined()); // no new start once given up
      stopAll(12_000, a, b);
      ts.flush();
      const firstB = b.log[0]!;
      // Everything but the busy bucket moves at 2500; the busy one right after its work ended (5300).
      expect(firstB[0]).toBe(2_500);
      expect(BucketSet.of(8, bBuckets).minus(BucketSet.of(8, [bBuckets[0]!])).toString()).toBe(firstB[1]);
      const busyMoved = b.log.find(([, s]) => s === BucketSet.of(8, bBuckets).toString())!;
      expect(busyMoved[0]).toBeGreaterThanOrEqual(5_300);
      expect(busyMoved[0]).toBeLessThanOrEqual(5_300 + T.retryPeriodMs);
    });
  });

  it('hands over at the next rounds when a replica leaves cleanly', () => {
    ts.run(() => {
      const a = member('a', 0);
      const b = member('b', 500);
      at(5_200, () => a.sub!.unsubscribe());
      stopAll(12_000, b);
      ts.flush();
      expect(a.log.at(-1)).toEqual([5_200, '{}']);
      const all = b.log.find(([, s]) => s === '{0-7}')!;
      expect(all[0]).toBeGreaterThan(5_200);
      expect(all[0]).toBeLessThanOrEqual(5_200 + 2 * T.retryPeriodMs);
    });
  });

  it('takes over a crashed replica only after its Lease expired, within lease duration + 2 retry periods', () => {
    ts.run(() => {
      const a = member('a', 0);
      const b = member('b', 500);
      const crashAt = 5_200;
      at(crashAt, () => {
        a.client.dead = true; // SIGKILL: no release, no more renewals
        a.sub!.unsubscribe();
      });
      stopAll(30_000, b);
      ts.flush();
      const all = b.log.find(([, s]) => s === '{0-7}')!;
      // a's last renewal was at 5000; b saw it at 5500 and takes over at its first round after 5500 + 6000.
      expect(all[0]).toBeGreaterThanOrEqual(crashAt + T.leaseDurationMs - T.retryPeriodMs);
      expect(all[0]).toBeLessThanOrEqual(crashAt + T.leaseDurationMs + 2 * T.retryPeriodMs);
      // and deletes the dead replica's Lease once it has been expired for another lease duration
      expect(server.leases.has('widgets-a')).toBe(false);
    });
  });

  it('stops all work when it cannot renew within the renew deadline, and comes back after', () => {
    ts.run(() => {
      const a = member('a', 0);
      const b = member('b', 500);
      at(3_100, () => (a.client.partitioned = true));
      at(12_000, () => (a.client.partitioned = false));
      stopAll(25_000, a, b);
      ts.flush();
      // last successful round of a started at 3000: fenced at 7000, before b may take over (b saw a's
      // last renewal at 3500 at the earliest: 9500 at the earliest).
      expect(a.log.find(([, s]) => s === '{}')![0]).toBe(7_000);
      expect(a.errors.some((e) => e.reason === 'fenced')).toBe(true);
      const bAll = b.log.find(([, s]) => s === '{0-7}')!;
      expect(bAll[0]).toBeGreaterThanOrEqual(9_500);
      // back: a gets its share again
      const back = a.log.find(([t, s]) => t > 12_000 && s !== '{}');
      expect(back).toBeDefined();
      expect(a.states.at(-2)!.fenced).toBe(false);
    });
  });

  it('does not take a bucket another live Lease claims, even one it claimed first and the assignment gives it', () => {
    ts.run(() => {
      // 200 ms each way: a's claims are written 200 ms into a round, its read is applied 600 ms in.
      server = new LeaseServer(ts, () => 0.5, 400);
      // x: a live member (renewed by the test) that starts claiming one of a's buckets between a's
      // claim write and a's read — as a replica whose view of the members differs would.
      const plan = assignBuckets(['a', 'x'], 8);
      const contested = plan.get('a')!.toArray()[0]!;
      const x = server.client();
      const lease = (claims: BucketSet, resourceVersion?: string): Lease => ({
        metadata: {
          name: 'widgets-x',
          labels: { [SHARD_GROUP_LABEL]: 'widgets' },
          annotations: { [SHARD_BUCKETS_ANNOTATION]: '8', [SHARD_CLAIMS_ANNOTATION]: claims.encode() },
          ...(resourceVersion === undefined ? {} : { resourceVersion }),
        },
        spec: { holderIdentity: 'x', leaseDurationSeconds: 6 },
      });
      let claims = plan.get('x')!.union(BucketSet.of(8, [contested]));
      const a = member('a', 100);
      // a's second round (900) writes its claims on everything (applied 1100) and reads at 1500.
      at(1_000, () => x.create$(lease(claims)).subscribe()); // applied at 1200
      for (let t = 2_000; t < 20_000; t += 1_000) {
        at(t, () => x.replace$('widgets-x', lease(claims, server.leases.get('widgets-x')!.metadata!.resourceVersion!)).subscribe());
      }
      at(8_000, () => (claims = plan.get('x')!)); // applied 8200
      stopAll(20_000, a);
      ts.flush();
      const contestedActive = a.log.filter(([, s]) => parse(s).has(contested));
      expect(a.log.length).toBeGreaterThan(0);
      expect(contestedActive[0]![0]).toBeGreaterThan(8_200);
      expect(contestedActive[0]![0]).toBeLessThanOrEqual(8_200 + 2 * T.retryPeriodMs + 1_000);
    });
  });

  it('respects the claims of a member with another bucket count, and reports it', () => {
    ts.run(() => {
      const x = server.client();
      // x uses 2 buckets and claims the lower half: with 8 buckets that is buckets 0-3.
      x.create$({
        metadata: { name: 'widgets-x', labels: { [SHARD_GROUP_LABEL]: 'widgets' }, annotations: { [SHARD_BUCKETS_ANNOTATION]: '2', [SHARD_CLAIMS_ANNOTATION]: '8' } },
        spec: { holderIdentity: 'x', leaseDurationSeconds: 600 },
      }).subscribe();
      const a = member('a', 100);
      stopAll(5_000, a);
      ts.flush();
      for (const [, s] of a.log) expect(BucketSet.of(8, [0, 1, 2, 3]).intersect(parse(s)).isEmpty).toBe(true);
      expect(a.errors.some((e) => e.reason === 'bucketMismatch' && e.context.lease === 'widgets-x')).toBe(true);
    });
  });

  it('takes a Lease with unreadable claims as claiming everything, naming it', () => {
    ts.run(() => {
      const x = server.client();
      x.create$({
        metadata: { name: 'widgets-x', labels: { [SHARD_GROUP_LABEL]: 'widgets' }, annotations: { [SHARD_BUCKETS_ANNOTATION]: '8', [SHARD_CLAIMS_ANNOTATION]: 'zz' } },
        spec: { holderIdentity: 'x', leaseDurationSeconds: 600 },
      }).subscribe();
      const a = member('a', 100);
      stopAll(5_000, a);
      ts.flush();
      expect(a.log).toEqual([]);
      const e = a.errors.find((err) => err.reason === 'invalidClaims')!;
      expect(e.message).toMatch(/Lease widgets-x has unreadable shard claims/);
    });
  });

  it('refuses options that cannot work, with a typed error', () => {
    const gate = new ShardGate(8);
    const api = server.client();
    expect(() => shardMembership(api, gate, { group: 'g', identity: 'a', buckets: 8, renewDeadlineMs: 20_000 })).toThrow(/retryPeriodMs .* < renewDeadlineMs .* < leaseDurationMs/);
    expect(() => shardMembership(api, gate, { group: 'g', identity: 'a', buckets: 16 })).toThrow(ShardError);
    expect(() => shardMembership(api, gate, { group: 'not a label', identity: 'a', buckets: 8 })).toThrow(/shard group "not a label"/);
    expect(() => shardMembership(api, gate, { group: 'g', identity: 'A_b', buckets: 8 })).toThrow(/does not make a valid Lease name/);
  });
});

function parse(s: string): BucketSet {
  const inner = s.slice(1, -1);
  const out: number[] = [];
  if (inner !== '') {
    for (const part of inner.split(',')) {
      const [lo, hi] = part.split('-').map(Number);
      for (let b = lo!; b <= (hi ?? lo!); b++) out.push(b);
    }
  }
  return BucketSet.of(8, out);
}
