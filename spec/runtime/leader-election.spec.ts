import { TestScheduler } from 'rxjs/testing';
import { Observable, Subscription, defer, mergeMap, tap, throwError, timer, type SchedulerLike } from 'rxjs';
import { isLeaderElectionError, leaderElection, leaseLeadership, type Lease, type LeaseApi } from '../../lib/runtime/leader-election.js';
import { InMemoryMetrics, METRICS } from '../../lib/runtime/metrics.js';
import { SingleLeaseServer as LeaseServer } from './support/single-lease-server.js';

describe('leaderElection', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  /** Subscribes a candidate from `from` to `until` and logs `identity:leading@time`. */
  function candidate(server: LeaseServer, identity: string, log: string[], from: number, until: number, extra = {}) {
    ts.schedule(() => {
      const sub = leaderElection(server.api(), { leaseName: 'l', identity, scheduler: ts, ...extra }).subscribe((leading) =>
        log.push(`${identity}:${leading}@${ts.now()}`),
      );
      ts.schedule(() => sub.unsubscribe(), until - from);
    }, from);
  }

  it('lets exactly one candidate lead, and records it in the Lease', () => {
    ts.run(() => {
      const server = new LeaseServer();
      const log: string[] = [];
      const metrics = new InMemoryMetrics();
      candidate(server, 'a', log, 0, 60_000, { metrics });
      candidate(server, 'b', log, 1_000, 60_000);
      ts.schedule(() => {
        expect(server.lease?.spec?.holderIdentity).toBe('a');
        expect(server.lease?.spec?.leaseDurationSeconds).toBe(15);
        expect(server.lease?.spec?.renewTime).toBe('1970-01-01T00:00:30.000000Z');
        expect(metrics.value(METRICS.leaderElectionMasterStatus, { name: 'l' })).toBe(1);
      }, 31_000);
      ts.flush();
      expect(log).toEqual(['a:false@0', 'a:true@0', 'b:false@1000']);
    });
  });

  it('hands over at the next retry when the leader releases the Lease on shutdown', () => {
    ts.run(() => {
      const server = new LeaseServer();
      const log: string[] = [];
      candidate(server, 'a', log, 0, 10_000);
      candidate(server, 'b', log, 1_000, 60_000);
      ts.flush();
      // b tries every 2 s from 1000: the release at 10 000 is seen at 11 000.
      expect(log).toEqual(['a:false@0', 'a:true@0', 'b:false@1000', 'b:true@11000']);
      expect(server.lease?.spec?.leaseTransitions).toBe(1);
    });
  });

  it('still releases on shutdown when the Lease changed after its last read (409 on release)', () => {
    ts.run(() => {
      const server = new LeaseServer();
      const log: string[] = [];
      candidate(server, 'a', log, 0, 10_000);
      candidate(server, 'b', log, 1_000, 60_000);
      // As if a renewal cancelled at shutdown had still reached the server: same holder, new resourceVersion.
      ts.schedule(() => {
        server.lease = { ...server.lease!, metadata: { ...server.lease!.metadata, resourceVersion: '999' } };
      }, 9_500);
      ts.flush();
      // The release re-reads the Lease, sees it still names 'a', and releases it: b takes over at its next retry
      // instead of waiting for the Lease to expire.
      expect(log).toEqual(['a:false@0', 'a:true@0', 'b:false@1000', 'b:true@11000']);
    });
  });

  it('takes over a Lease whose holder stopped renewing, once its duration has passed', () => {
    ts.run(() => {
      const server = new LeaseServer();
      const log: string[] = [];
      candidate(server, 'a', log, 0, 10_000, { releaseOnCancel: false });
      candidate(server, 'b', log, 1_000, 60_000);
      ts.flush();
      // a stops at 10 000 (before its tick then); its last renewal, at 8 000, is seen by b at 9 000;
      // 15 s later (24 000) b may take the Lease, and does at its next attempt (25 000).
      expect(log).toEqual(['a:false@0', 'a:true@0', 'b:false@1000', 'b:true@25000']);
    });
  });

  it('steps down when it cannot renew within the renew deadline', () => {
    ts.run(() => {
      const server = new LeaseServer();
      const log: string[] = [];
      candidate(server, 'a', log, 0, 60_000);
      ts.schedule(() => (server.down = true), 5_000);
      ts.flush();
      // last renewal at 4 000; attempts at 6 000 … 14 000 fail; 14 000 − 4 000 ≥ 10 000.
      expect(log).toEqual(['a:false@0', 'a:true@0', 'a:false@14000']);
    });
  });

  it('steps down at once when another candidate holds the Lease', () => {
    ts.run(() => {
      const server = new LeaseServer();
      const log: string[] = [];
      candidate(server, 'a', log, 0, 60_000);
      ts.schedule(() => {
        const lease = server.lease!;
        server.lease = { ...lease, spec: { ...lease.spec, holderIdentity: 'intruder', renewTime: '1970-01-01T00:00:05.000000Z' } };
      }, 5_000);
      ts.flush();
      expect(log.slice(0, 3)).toEqual(['a:false@0', 'a:true@0', 'a:false@6000']);
    });
  });

  it('steps down at the renew deadline even when a slow failure is followed by a hung renewal, before a standby can lead', () => {
    ts.run(() => {
      const server = new LeaseServer();
      const log: string[] = [];
      const errors: unknown[] = [];
      // a's second and third reads: one fails after 7.9 s, the next never answers (until aborted).
      let reads = 0;
      let hungAborted = -1;
      const base = server.api();
      const flaky: LeaseApi = {
        ...base,
        get$: (n) =>
          defer(() => {
            reads += 1;
            if (reads === 2) return timer(7_900, ts).pipe(mergeMap(() => throwError(() => new Error('slow 503'))));
            if (reads === 3) return new Observable<Lease>(() => () => (hungAborted = ts.now()));
            return base.get$(n);
          }),
      };
      ts.schedule(() => {
        const sub = leaderElection(flaky, { leaseName: 'l', identity: 'a', scheduler: ts, onError: (e) => errors.push(e) }).subscribe((leading) =>
          log.push(`a:${leading}@${ts.now()}`),
        );
        ts.schedule(() => sub.unsubscribe(), 60_000);
      }, 0);
      candidate(server, 'b', log, 1_000, 60_000);
      ts.flush();
      // a renewed at 0; the attempt at 2 000 fails at 9 900, the one at 11 900 would hang: a must step
      // down at 10 000 (0 + renew deadline), aborting nothing yet, and the hung attempt is aborted
      // when it comes. b saw a's renewal at 1 000 and may lead from 16 000 on (its attempt at 17 000).
      const aDown = log.indexOf('a:false@10000');
      const bUp = log.findIndex((l) => l.startsWith('b:true@'));
      expect(aDown).toBeGreaterThan(-1);
      expect(bUp).toBeGreaterThan(aDown);
      expect(log[bUp]).toBe('b:true@17000');
      expect(errors.some((e) => isLeaderElectionError(e) && e.reason === 'renewDeadlineExceeded')).toBe(true);
      expect(hungAborted).toBeGreaterThanOrEqual(0);
    });
  });

  it('aborts a renewal that is still running at the renew deadline and steps down then', () => {
    ts.run(() => {
      const server = new LeaseServer();
      const log: string[] = [];
      let reads = 0;
      let aborted = -1;
      const base = server.api();
      const hanging: LeaseApi = {
        ...base,
        get$: (n) => defer(() => (++reads === 2 ? new Observable<Lease>(() => () => (aborted = ts.now())) : base.get$(n))),
      };
      ts.schedule(() => {
        const sub = leaderElection(hanging, { leaseName: 'l', identity: 'a', scheduler: ts }).subscribe((leading) => log.push(`a:${leading}@${ts.now()}`));
        ts.schedule(() => sub.unsubscribe(), 60_000);
      }, 0);
      ts.flush();
      // renewed at 0; the attempt at 2 000 hangs; the deadline is 10 000, not 2 000 + 10 000.
      expect(log.slice(0, 3)).toEqual(['a:false@0', 'a:true@0', 'a:false@10000']);
      expect(aborted).toBe(10_000);
    });
  });

  it('rejects timings that cannot work', () => {
    expect(() => leaderElection(new LeaseServer().api(), { leaseName: 'l', identity: 'a', renewDeadlineMs: 20_000 })).toThrow(RangeError);
  });
});

describe('leaseLeadership', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('shares one campaign among subscribers and, on resign, releases the Lease before leader$ completes', async () => {
    const server = new LeaseServer();
    const base = server.api();
    let reads = 0;
    let releasedAt = -1;
    const slowRelease: LeaseApi = {
      ...base,
      get$: (n) => defer(() => ((reads += 1), base.get$(n))),
      // the release (the write that clears the holder) takes 500 ms to be answered
      replace$: (n, lease) =>
        lease.spec?.holderIdentity === undefined ? timer(500, ts).pipe(mergeMap(() => base.replace$(n, lease)), tap(() => (releasedAt = ts.now()))) : base.replace$(n, lease),
    };
    const log: string[] = [];
    let resigned: Promise<void> | undefined;
    ts.run(() => {
      const leadership = leaseLeadership(slowRelease, { leaseName: 'l', identity: 'a', scheduler: ts });
      expect(leadership.stepDownGraceMs).toBe(5_000);
      leadership.leader$.subscribe({ next: (v) => log.push(`1:${v}@${ts.now()}`), complete: () => log.push(`1:done@${ts.now()}`) });
      leadership.leader$.subscribe({ next: (v) => log.push(`2:${v}@${ts.now()}`), complete: () => log.push(`2:done@${ts.now()}`) });
      ts.schedule(() => {
        resigned = leadership.resign();
        expect(leadership.resign()).toBe(resigned);
      }, 5_000);
      ts.schedule(() => leadership.leader$.subscribe({ complete: () => log.push(`late:done@${ts.now()}`) }), 7_000);
      ts.flush();
    });
    // one campaign: reads at 0, 2 000 and 4 000 only, whatever the number of subscribers
    expect(reads).toBe(3);
    expect(log).toEqual(['1:false@0', '1:true@0', '2:true@0', '1:false@5000', '2:false@5000', '1:done@5500', '2:done@5500', 'late:done@7000']);
    expect(releasedAt).toBe(5_500);
    expect(server.lease?.spec?.holderIdentity).toBeUndefined();
    await expect(resigned).resolves.toBeUndefined();
  });

  it('resolves resign at once when nothing campaigns, and stays resigned', async () => {
    const server = new LeaseServer();
    const leadership = leaseLeadership(server.api(), { leaseName: 'l', identity: 'a', scheduler: ts });
    await leadership.resign();
    const seen: string[] = [];
    leadership.leader$.subscribe({ next: (v) => seen.push(String(v)), complete: () => seen.push('done') });
    expect(seen).toEqual(['done']);
    expect(server.lease).toBeUndefined();
  });

  it('says it no longer leads once the renew deadline has passed, even before its overdue timers ran (a frozen process)', () => {
    const clock = new FrozenClock();
    const server = new LeaseServer();
    const seen: boolean[] = [];
    const leadership = leaseLeadership(server.api(), { leaseName: 'l', identity: 'a', scheduler: clock });
    const sub = leadership.leader$.subscribe((v) => seen.push(v));
    expect(seen).toEqual([false, true]);
    expect(leadership.isLeader()).toBe(true);
    clock.now = () => 9_999;
    expect(leadership.isLeader()).toBe(true);
    // frozen for a while: the clock moved on, no timer has run yet, leader$ still says true
    clock.now = () => 30_000;
    expect(seen[seen.length - 1]).toBe(true);
    expect(leadership.isLeader()).toBe(false);
    sub.unsubscribe();
  });
});

/** A clock whose time is set by hand and whose timers never run by themselves (as in a frozen process). */
class FrozenClock implements SchedulerLike {
  now = (): number => 0;
  schedule(): Subscription {
    return new Subscription();
  }
}
