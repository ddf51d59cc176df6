/**
 * The hand-over invariant of sharding, as a property over random membership changes in virtual
 * time: replicas join, leave cleanly, crash (SIGKILL: no release), get cut off from the API
 * server for a while; requests have random latency (some are applied with the answer lost);
 * objects change all along. Asserted for every run:
 * - no object is reconciled by two replicas at once (start/end of every reconcile recorded);
 * - nothing is lost: every object's last change is followed by a completed reconcile;
 * - once things are quiet, the live replicas' active buckets cover the hash space exactly once.
 */
import fc from 'fast-check';
import { TestScheduler } from 'rxjs/testing';
import { seededRandom } from './support/lease-server.js';
import { ShardSim } from './support/shard-sim.js';

type Op =
  | { type: 'join' }
  | { type: 'leave'; pick: number }
  | { type: 'crash'; pick: number }
  | { type: 'partition'; pick: number; ms: number }
  | { type: 'change'; key: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ type: 'join' as const }) },
  { weight: 2, arbitrary: fc.nat().map((pick) => ({ type: 'leave' as const, pick })) },
  { weight: 2, arbitrary: fc.nat().map((pick) => ({ type: 'crash' as const, pick })) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('partition' as const), pick: fc.nat(), ms: fc.integer({ min: 500, max: 12_000 }) }) },
  { weight: 8, arbitrary: fc.nat({ max: 59 }).map((key) => ({ type: 'change' as const, key })) },
);

const TIMINGS = { leaseDurationMs: 6_000, renewDeadlineMs: 4_000, retryPeriodMs: 1_000 };

describe('shardMembership (property)', () => {
  it('never lets two replicas reconcile one object at once, loses no change, and converges', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 4_000 }), op }), { minLength: 1, maxLength: 40 }),
        fc.integer(),
        fc.constantFrom(8, 64),
        (initial, ops, seed, total) => {
          const ts = new TestScheduler(() => undefined);
          let result: { overlaps: string[]; lost: string[]; partitioned: boolean; live: number } | undefined;
          ts.run(() => {
            const sim = new ShardSim({
              clock: ts,
              random: seededRandom(seed),
              total,
              keys: 60,
              timings: TIMINGS,
              maxLatencyMs: 300,
              maxReconcileMs: 2_500,
              maxRelistMs: 800,
            });
            for (let i = 0; i < initial; i++) sim.join();
            let at = 0;
            for (const { gap, op: o } of ops) {
              at += gap;
              ts.schedule(() => {
                const live = sim.live();
                const pick = (n: number) => live[n % live.length];
                switch (o.type) {
                  case 'join':
                    if (live.length < 6) sim.join();
                    break;
                  case 'leave':
                    // keep one replica, or nothing would be left to reconcile
                    if (live.length > 1) pick(o.pick)!.leave();
                    break;
                  case 'crash':
                    if (live.length > 1) pick(o.pick)!.crash();
                    break;
                  case 'partition':
                    if (live.length > 0) pick(o.pick)!.partition(o.ms);
                    break;
                  case 'change':
                    sim.change(sim.keys[o.key % sim.keys.length]!);
                    break;
                }
              }, at);
            }
            sim.churn(200, at + 12_000);
            // Quiet period: every partition has healed, crashed Leases have expired.
            ts.schedule(() => {
              result = { overlaps: sim.overlaps(), lost: sim.lost(), partitioned: sim.partitioned(), live: sim.live().length };
              for (const r of sim.live()) r.leave();
            }, at + 12_000 + 40_000);
            ts.flush();
          });
          expect(result).toBeDefined();
          expect(result!.overlaps).toEqual([]);
          expect(result!.lost).toEqual([]);
          expect(result!.partitioned).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});
