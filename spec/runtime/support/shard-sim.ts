/**
 * A simulated sharded controller in virtual time: replicas run the real `shardMembership` and
 * `ShardGate` against a {@link LeaseServer} with network latency, and a stand-in for the
 * controller's work queue (one reconcile per key at a time in a replica, a changed key that is
 * running is run again after; a replica that becomes active in buckets relists them after a lag,
 * like a watch restarted with a new shard selector). Every reconcile is logged with its start and
 * end, so tests can check that no key ran in two replicas at once and that every last change was
 * followed by a reconcile.
 */
import type { SchedulerLike, Subscription } from 'rxjs';
import { BucketSet, bucketOf } from '../../../lib/runtime/bucket-set.js';
import { ShardGate } from '../../../lib/runtime/shard-gate.js';
import { shardMembership, type ShardState } from '../../../lib/runtime/shard-membership.js';
import type { ShardError } from '../../../lib/runtime/shard-error.js';
import { LeaseServer, type LeaseClient } from './lease-server.js';
import { overlappingIntervals } from './replica-intervals.js';

export interface SimKey {
  readonly name: string;
  readonly bucket: number;
}

export interface Interval {
  readonly key: string;
  readonly replica: string;
  readonly start: number;
  end?: number;
}

export interface SimTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface SimOptions {
  clock: SchedulerLike;
  random: () => number;
  total: number;
  keys: number;
  timings: SimTimings;
  maxLatencyMs: number;
  /** Reconcile durations are uniform in [1, maxReconcileMs]. */
  maxReconcileMs: number;
  /** Delay between becoming active in buckets and reconciling all their keys (the relist). */
  maxRelistMs: number;
}

export class ShardSim {
  readonly server: LeaseServer;
  readonly keys: SimKey[];
  readonly intervals: Interval[] = [];
  readonly lastChange = new Map<string, number>();
  readonly replicas = new Map<string, Replica>();
  readonly errors: ShardError[] = [];
  private next = 0;

  constructor(readonly o: SimOptions) {
    this.server = new LeaseServer(o.clock, o.random, o.maxLatencyMs);
    this.keys = Array.from({ length: o.keys }, (_, i) => {
      const name = `obj-${i}`;
      // A uid-like value per key; its bucket is what the API server would shard it by.
      const uid = `${i.toString(16).padStart(8, '0')}-7a1e-4c0f-9d3b-${(i * 2654435761).toString(16).padStart(12, '0').slice(-12)}`;
      return { name, bucket: bucketOf(uid, o.total) };
    });
    for (const k of this.keys) this.lastChange.set(k.name, 0);
  }

  now(): number {
    return this.o.clock.now();
  }

  join(): Replica {
    const r = new Replica(this, `r${this.next++}`);
    this.replicas.set(r.id, r);
    r.start();
    return r;
  }

  /** A change of `key`: every live replica active in its bucket is asked to reconcile it (its watch sees it). */
  change(key: SimKey): void {
    this.lastChange.set(key.name, this.now());
    for (const r of this.replicas.values()) if (r.alive && r.gate.active.has(key.bucket)) r.request(key);
  }

  /** A random key changes every `everyMs` until `until`. */
  churn(everyMs: number, until: number): void {
    const tick = (): void => {
      if (this.now() >= until) return;
      this.change(this.keys[this.random(0, this.keys.length - 1)]!);
      this.o.clock.schedule(tick, everyMs);
    };
    this.o.clock.schedule(tick, everyMs);
  }

  live(): Replica[] {
    return [...this.replicas.values()].filter((r) => r.alive);
  }

  /** Keys that ran in two replicas at once, with the overlapping intervals. */
  overlaps(): string[] {
    return overlappingIntervals(this.intervals);
  }

  /** Keys whose last change has no completed reconcile that started at or after it. */
  lost(): string[] {
    const out: string[] = [];
    for (const k of this.keys) {
      const changed = this.lastChange.get(k.name) ?? 0;
      const ok = this.intervals.some((i) => i.key === k.name && i.start >= changed && i.end !== undefined);
      if (!ok) out.push(`${k.name} (bucket ${k.bucket}, changed at ${changed})`);
    }
    return out;
  }

  /** Whether the live replicas' active sets cover every bucket exactly once. */
  partitioned(): boolean {
    const counts = new Array<number>(this.o.total).fill(0);
    for (const r of this.live()) for (const b of r.gate.active.toArray()) counts[b]!++;
    return counts.every((c) => c === 1);
  }

  random(min: number, max: number): number {
    return min + Math.floor(this.o.random() * (max - min + 1));
  }
}

export class Replica {
  readonly gate: ShardGate;
  readonly client: LeaseClient;
  alive = true;
  state: ShardState | undefined;
  private sub: Subscription | undefined;
  private readonly running = new Map<string, { interval: Interval; timer: Subscription; leave: () => void }>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly sim: ShardSim,
    readonly id: string,
  ) {
    this.gate = new ShardGate(sim.o.total);
    this.client = sim.server.client();
  }

  start(): void {
    const { o } = this.sim;
    this.sub = shardMembership(this.client, this.gate, {
      group: 'sim',
      identity: this.id,
      buckets: o.total,
      ...o.timings,
      scheduler: o.clock,
      onError: (e) => this.sim.errors.push(e),
    }).subscribe((state) => {
      const before = this.state?.active ?? BucketSet.empty(o.total);
      this.state = state;
      if (state.fenced) this.cancelAll();
      const gained = state.active.minus(before);
      if (!gained.isEmpty) {
        o.clock.schedule(() => {
          for (const k of this.sim.keys) if (gained.has(k.bucket)) this.request(k);
        }, this.sim.random(0, o.maxRelistMs));
      }
    });
  }

  request(key: SimKey): void {
    if (!this.alive) return;
    if (this.running.has(key.name)) {
      this.dirty.add(key.name);
      return;
    }
    const leave = this.gate.enter(key.bucket);
    if (leave === undefined) return;
    const interval: Interval = { key: key.name, replica: this.id, start: this.sim.now() };
    this.sim.intervals.push(interval);
    const timer = this.sim.o.clock.schedule(() => this.finish(key), this.sim.random(1, this.sim.o.maxReconcileMs));
    this.running.set(key.name, { interval, timer, leave });
  }

  private finish(key: SimKey): void {
    const run = this.running.get(key.name);
    if (run === undefined) return;
    this.running.delete(key.name);
    run.interval.end = this.sim.now();
    run.leave();
    if (this.dirty.delete(key.name)) this.request(key);
  }

  /** Fenced: running reconciles are cancelled, each within the margin the protocol leaves. */
  private cancelAll(): void {
    const { leaseDurationMs, renewDeadlineMs } = this.sim.o.timings;
    for (const [name] of this.running) {
      const key = this.sim.keys.find((k) => k.name === name)!;
      this.dirty.delete(name);
      this.sim.o.clock.schedule(() => this.finish(key), this.sim.random(0, leaseDurationMs - renewDeadlineMs - 1));
    }
  }

  /** A clean shutdown: the gate closes, running work ends on its own, then the Lease is deleted. */
  leave(): void {
    this.alive = false;
    this.dirty.clear();
    this.sub?.unsubscribe();
  }

  /** SIGKILL: nothing more is sent or received, running work stops now, the Lease stays behind. */
  crash(): void {
    this.alive = false;
    this.client.dead = true;
    for (const [, run] of this.running) {
      run.timer.unsubscribe();
      run.interval.end = this.sim.now();
    }
    this.running.clear();
    this.sub?.unsubscribe();
  }

  partition(ms: number): void {
    this.client.partitioned = true;
    this.sim.o.clock.schedule(() => (this.client.partitioned = false), ms);
  }
}
