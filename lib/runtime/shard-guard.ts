/**
 * `ShardGuard`: the controller's side of a {@link ShardGate}. It wraps the work that runs one
 * reconcile so that a reconcile starts only while its object's bucket is active in this replica
 * (checked and counted in the one synchronous step of the start), and counts in the gate until
 * the reconcile has really ended — which is what lets membership hand a bucket over only after
 * its last reconcile here. Items refused because their bucket is not active are remembered and
 * asked for again if the bucket becomes active, so a bucket that leaves and comes back loses no
 * change. A fenced replica cancels its running reconciles.
 *
 * @module
 */
import { EMPTY, Observable, finalize } from 'rxjs';
import type { KubeObject } from '../core/resource.js';
import type { ShardField } from '../core/shard-selector.js';
import type { BucketSet } from './bucket-set.js';
import type { ShardGate } from './shard-gate.js';
import { shardBucketOf } from './sharded-reflector.js';
import type { StoreRef } from './store.js';
import type { ScheduledItem } from './scheduler.js';
import type { WorkCancellation } from './work-queue.js';

/**
 * Guards the starts of work items by a shard gate.
 *
 * ## Example
 * ```ts
 * const guard = new ShardGuard(gate, (ref) => store.get(ref));
 * requests$.pipe(workQueue(guard.wrap(reconcileOne), { key: storeKey })).subscribe();
 * gate.active$.subscribe((active) => guard.activated(active).forEach((ref) => requeue(ref)));
 * ```
 */
export class ShardGuard<T extends StoreRef> {
  private readonly refused = new Map<number, Map<string, T>>();
  private readonly running = new Map<WorkCancellation, T>();
  private refusedCount = 0;

  /**
   * @param gate The replica's gate.
   * @param lookup The object an item is about (from the store); items whose object is unknown
   *   are let through without a slot in the gate (the work skips them: there is nothing to reconcile).
   * @param field What objects are sharded by. @default 'object.metadata.uid'
   */
  constructor(
    readonly gate: ShardGate,
    private readonly lookup: (ref: T) => KubeObject | undefined,
    private readonly field: ShardField = 'object.metadata.uid',
  ) {}

  /** How many starts were refused so far (the bucket was not active here). */
  get refusals(): number {
    return this.refusedCount;
  }

  /** Work items running under the guard now. */
  get runningCount(): number {
    return this.running.size;
  }

  /**
   * Wraps `work`: an item whose object's bucket is not active ends at once with no value (and is
   * remembered for {@link activated}); otherwise the work runs, counted in the gate until it ends.
   */
  wrap<Reason, R>(
    work: (item: ScheduledItem<T, Reason>, cancellation?: WorkCancellation) => Observable<R>,
  ): (item: ScheduledItem<T, Reason>, cancellation: WorkCancellation) => Observable<R> {
    return (item, cancellation) => {
      const object = this.lookup(item.ref);
      if (object === undefined) return work(item, cancellation);
      const bucket = shardBucketOf(object, this.gate.total, this.field);
      const leave = this.gate.enter(bucket);
      if (leave === undefined) {
        this.refusedCount++;
        let keys = this.refused.get(bucket);
        if (keys === undefined) this.refused.set(bucket, (keys = new Map()));
        keys.set(item.key, item.ref);
        return EMPTY;
      }
      this.running.set(cancellation, item.ref);
      return work(item, cancellation).pipe(
        finalize(() => {
          this.running.delete(cancellation);
          leave();
        }),
      );
    };
  }

  /** The refs refused earlier whose buckets are in `active`: ask for them again (they are forgotten here). */
  activated(active: BucketSet): T[] {
    const out: T[] = [];
    for (const [bucket, keys] of this.refused) {
      if (!active.has(bucket)) continue;
      this.refused.delete(bucket);
      out.push(...keys.values());
    }
    return out;
  }

  /** Asks every running reconcile to stop (a fenced replica). */
  cancelRunning(reason: (ref: T) => unknown): void {
    for (const [c, ref] of [...this.running]) c.cancel(reason(ref));
  }
}
