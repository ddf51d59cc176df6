/**
 * Sharded controllers in virtual time: replicas of one `Controller.for(...).shard(...)` over an
 * {@link ObjectServer} (objects) and a {@link LeaseServer} (membership), with a reconciler that
 * records the start and end of every reconcile per key, so tests can check that no key ran in two
 * replicas at once, and that every object's last change was followed by a completed reconcile.
 */
import { Observable, switchMap, timer, type SchedulerLike, type Subscription } from 'rxjs';
import { Action, ErrorPolicy } from '../../../lib/runtime/action.js';
import { Controller } from '../../../lib/runtime/controller.js';
import { InMemoryMetrics } from '../../../lib/runtime/metrics.js';
import type { ShardError } from '../../../lib/runtime/shard-error.js';
import type { ShardState } from '../../../lib/runtime/shard-membership.js';
import { LeaseServer, type LeaseClient } from './lease-server.js';
import { ObjectServer, type Obj } from './object-server.js';
import { overlappingIntervals } from './replica-intervals.js';

export interface Interval {
  readonly key: string;
  readonly replica: string;
  readonly version: string;
  readonly start: number;
  end?: number;
}

export interface FleetOptions {
  clock: SchedulerLike;
  random: () => number;
  serverSide: boolean;
  buckets: number;
  timings: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  maxLatencyMs: number;
  maxReconcileMs: number;
  filtering?: 'auto' | 'server' | 'client';
  /** Delay of the primary watch's restart after a shard change. @default the controller's */
  restartDelayMs?: number;
  /** Extra delay of the LIST that asks whether the server filters by shard selector. @default none */
  detectionDelayMs?: number;
}

export class Fleet {
  readonly objects: ObjectServer;
  /** Objects owned by those of `objects` (their ownerReferences name them); watched with `owns`. */
  readonly children: ObjectServer;
  readonly leases: LeaseServer;
  readonly intervals: Interval[] = [];
  readonly errors: ShardError[] = [];
  readonly replicas = new Map<string, FleetReplica>();
  /** Version (data.v) each object was last changed to, and when. */
  readonly lastChange = new Map<string, { value: string; at: number }>();
  private next = 0;
  private uidSeq = 0;

  constructor(readonly o: FleetOptions) {
    this.objects = new ObjectServer(o.clock, o.serverSide, 3);
    this.children = new ObjectServer(o.clock, o.serverSide, 3);
    this.leases = new LeaseServer(o.clock, o.random, o.maxLatencyMs);
  }

  now(): number {
    return this.o.clock.now();
  }

  put(name: string, value: string): void {
    const n = this.uidSeq++;
    const uid = `${n.toString(16).padStart(8, '0')}-5b1e-4c0f-9d3b-${(n * 2654435761).toString(16).padStart(12, '0').slice(-12)}`;
    this.objects.put(name, uid, value);
    this.lastChange.set(name, { value, at: this.now() });
  }

  /** A child of `owner` (its uid must not collide with the owners': the children's server keeps its own). */
  putChild(name: string, owner: string, value: string): void {
    const n = this.uidSeq++;
    const uid = `${n.toString(16).padStart(8, '0')}-c41d-4c0f-9d3b-${(n * 40503).toString(16).padStart(12, '0').slice(-12)}`;
    this.children.put(name, uid, value, this.objects.objects.get(owner));
  }

  join(): FleetReplica {
    const r = new FleetReplica(this, `r${this.next++}`);
    this.replicas.set(r.id, r);
    r.start();
    return r;
  }

  live(): FleetReplica[] {
    return [...this.replicas.values()].filter((r) => r.alive);
  }

  random(min: number, max: number): number {
    return min + Math.floor(this.o.random() * (max - min + 1));
  }

  /** Keys that ran in two replicas at once. */
  overlaps(): string[] {
    return overlappingIntervals(this.intervals);
  }

  /** Objects whose last version was never reconciled to the end. */
  lost(): string[] {
    const out: string[] = [];
    for (const [name, { value, at }] of this.lastChange) {
      if (!this.objects.objects.has(name)) continue;
      const ok = this.intervals.some((i) => i.key === name && i.version === value && i.end !== undefined);
      if (!ok) out.push(`${name} (v${value}, changed at ${at})`);
    }
    return out;
  }
}

export class FleetReplica {
  alive = true;
  state: (ShardState & { filtering: string }) | undefined;
  readonly metrics = new InMemoryMetrics();
  readonly lease: LeaseClient;
  private sub: Subscription | undefined;
  private readonly open = new Map<string, Interval>();

  constructor(
    private readonly fleet: Fleet,
    readonly id: string,
  ) {
    this.lease = fleet.leases.client();
  }

  start(): void {
    const { o } = this.fleet;
    const reconcile = (obj: Obj): Observable<Action> =>
      new Observable<Action>((subscriber) => {
        const interval: Interval = { key: obj.metadata.name, replica: this.id, version: obj.data?.['v'] ?? '', start: this.fleet.now() };
        this.fleet.intervals.push(interval);
        this.open.set(obj.metadata.name, interval);
        const t = o.clock.schedule(() => {
          subscriber.next(Action.awaitChange());
          subscriber.complete();
        }, this.fleet.random(1, o.maxReconcileMs));
        return () => {
          t.unsubscribe();
          interval.end ??= this.fleet.now();
          this.open.delete(obj.metadata.name);
        };
      });
    const children = this.fleet.children.client(`${this.id}-children`);
    const objects = this.fleet.objects.client(this.id);
    const delay = o.detectionDelayMs ?? 0;
    const source: typeof objects =
      delay === 0 ? objects : { ...objects, list$: (p) => (p.shardSelector === undefined ? objects.list$(p) : timer(delay, o.clock).pipe(switchMap(() => objects.list$(p)))) };
    this.sub = Controller.for(source, {
      name: 'widgets',
      scheduler: o.clock,
      metrics: this.metrics,
      concurrency: 4,
      resource: { kind: 'ConfigMap', apiVersion: 'v1' },
    })
      .owns({ listMetadata$: (p) => children.list$(p), watchMetadata: (p) => children.watch(p) })
      .shard({
        leases: this.lease,
        identity: this.id,
        buckets: o.buckets,
        ...o.timings,
        filtering: o.filtering ?? (o.serverSide ? 'auto' : 'client'),
        ...(o.restartDelayMs === undefined ? {} : { restartDelayMs: o.restartDelayMs }),
        onError: (e) => this.fleet.errors.push(e),
        onState: (s) => (this.state = s),
      })
      .run(reconcile, ErrorPolicy.requeueAfter(1_000), {}, {})
      .subscribe();
  }

  /** A clean stop: nothing new starts, running reconciles finish, then the Lease is deleted. */
  leave(): void {
    this.alive = false;
    this.sub?.unsubscribe();
  }

  /** SIGKILL: no more requests, the running reconciles end now, the Lease stays behind. */
  crash(): void {
    this.alive = false;
    this.lease.dead = true;
    for (const i of this.open.values()) i.end = this.fleet.now();
    this.open.clear();
    this.sub?.unsubscribe();
    // The process is gone: whatever its queue would still do must not count.
    for (const i of this.fleet.intervals) if (i.replica === this.id && i.end === undefined) i.end = this.fleet.now();
  }
}
