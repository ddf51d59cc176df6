/**
 * The hand-over invariant of `Controller.shard`, end to end through the real controller (watch,
 * store, work queue, guard, membership) in virtual time: replicas join, leave cleanly and crash
 * (no release) at random, objects change all along, Lease requests have random latency, and the
 * API server filters by shard selector or not. For every run:
 * - no object is reconciled by two replicas at once (start/end of every reconcile recorded);
 * - every object's last version is reconciled to the end by someone.
 */
import fc from 'fast-check';
import { TestScheduler } from 'rxjs/testing';
import { seededRandom } from './support/lease-server.js';
import { Fleet } from './support/shard-controllers.js';

type Op = { type: 'join' } | { type: 'leave'; pick: number } | { type: 'crash'; pick: number } | { type: 'change'; key: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ type: 'join' as const }) },
  { weight: 2, arbitrary: fc.nat().map((pick) => ({ type: 'leave' as const, pick })) },
  { weight: 2, arbitrary: fc.nat().map((pick) => ({ type: 'crash' as const, pick })) },
  { weight: 6, arbitrary: fc.nat({ max: 39 }).map((key) => ({ type: 'change' as const, key })) },
);

const TIMINGS = { leaseDurationMs: 6_000, renewDeadlineMs: 4_000, retryPeriodMs: 1_000 };

describe('Controller.shard (property)', () => {
  it('never reconciles one object in two replicas at once and loses no change', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 3_000 }), op }), { minLength: 1, maxLength: 30 }),
        fc.integer(),
        fc.boolean(),
        fc.constantFrom(8, 64),
        // A long restart delay lets a bucket leave and come back before the watch restarts (no relist).
        fc.constantFrom(0, 200, 2_500),
        (initial, ops, seed, serverSide, buckets, restartDelayMs) => {
          const ts = new TestScheduler(() => undefined);
          let fleet: Fleet | undefined;
          ts.run(() => {
            const f = new Fleet({ clock: ts, random: seededRandom(seed), serverSide, buckets, timings: TIMINGS, maxLatencyMs: 200, maxReconcileMs: 2_000, restartDelayMs });
            fleet = f;
            for (let i = 0; i < 40; i++) f.put(`cm-${i}`, '0');
            for (let i = 0; i < initial; i++) f.join();
            let at = 0;
            let version = 0;
            for (const { gap, op: o } of ops) {
              at += gap;
              ts.schedule(() => {
                const live = f.live();
                const pick = (n: number) => live[n % live.length];
                if (o.type === 'join') f.join();
                else if (o.type === 'leave' && live.length > 1) pick(o.pick)!.leave();
                else if (o.type === 'crash' && live.length > 1) pick(o.pick)!.crash();
                else if (o.type === 'change') f.put(`cm-${o.key}`, String(++version));
              }, at);
            }
            // Quiet long enough for expiry, hand-over and the relist, then everyone leaves.
            ts.schedule(() => {
              if (f.live().length === 0) f.join();
            }, at + 1);
            ts.schedule(() => {
              for (const r of f.live()) r.leave();
            }, at + 30_000);
          });
          expect(fleet!.overlaps()).toEqual([]);
          expect(fleet!.lost()).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
