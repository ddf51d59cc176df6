/**
 * `ShardGate`: the local half of the hand-over protocol. It knows which buckets this replica may
 * start work for (`active`) and how much work is running per bucket, so that a bucket taken away
 * stops starting work at once and is given up (its claim dropped from the Lease) only once the
 * work already running in it has really ended. Everything is synchronous: the check and the count
 * of a start happen in one step, so no start can slip past a deactivation.
 *
 * @module
 */
import { Observable, Subject, isObservable, finalize, type Subscription } from 'rxjs';
import { BucketSet, checkBucketCount } from './bucket-set.js';

/**
 * The gate between a replica's shard membership and the work it runs.
 *
 * ## Example
 * ```ts
 * const gate = new ShardGate(64);
 * gate.setActive(BucketSet.of(64, [1, 2]));
 * const leave = gate.enter(bucketOf(uid, 64)); // undefined: not ours, do not start
 * if (leave) doWork().finally(leave);
 * ```
 */
export class ShardGate {
  private activeSet: BucketSet;
  private readonly counts: Int32Array;
  private readonly drainedSubject = new Subject<BucketSet>();
  private readonly idleSubject = new Subject<number>();
  private readonly activeSubject = new Subject<BucketSet>();

  /**
   * Emits the buckets that just finished draining (deactivated, and their last running work
   * ended), so membership can drop their claims at once.
   */
  readonly drained$: Observable<BucketSet> = this.drainedSubject.asObservable();

  /** Emits the active set each time it changes. */
  readonly active$: Observable<BucketSet> = this.activeSubject.asObservable();

  /** @param total the bucket count (a power of two). */
  constructor(readonly total: number) {
    checkBucketCount(total);
    this.activeSet = BucketSet.empty(total);
    this.counts = new Int32Array(total);
  }

  /** The buckets work may start for now. */
  get active(): BucketSet {
    return this.activeSet;
  }

  /** Buckets that are not active but still have running work. */
  get draining(): BucketSet {
    const out: number[] = [];
    for (let b = 0; b < this.total; b++) if (this.counts[b]! > 0 && !this.activeSet.has(b)) out.push(b);
    return BucketSet.of(this.total, out);
  }

  /** Buckets with running work (active or not). */
  get busy(): BucketSet {
    const out: number[] = [];
    for (let b = 0; b < this.total; b++) if (this.counts[b]! > 0) out.push(b);
    return BucketSet.of(this.total, out);
  }

  /** Units of work running in `bucket`. */
  running(bucket: number): number {
    return this.counts[bucket] ?? 0;
  }

  /**
   * Starts one unit of work in `bucket` if the bucket is active: returns the function to call
   * (once) when the work has ended, or `undefined` when the work must not start.
   */
  enter(bucket: number): (() => void) | undefined {
    if (!this.activeSet.has(bucket)) return undefined;
    this.counts[bucket]!++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const n = --this.counts[bucket]!;
      if (n !== 0) return;
      if (!this.activeSet.has(bucket)) this.drainedSubject.next(BucketSet.of(this.total, [bucket]));
      this.idleSubject.next(bucket);
    };
  }

  /**
   * Runs `work` in `bucket` if the bucket is active, counting it until it has ended: a Promise
   * until it settles, an Observable until it completes, errors or is unsubscribed, anything else
   * at once. Returns `undefined` (and does not call `work`) when the bucket is not active.
   */
  run<T>(bucket: number, work: () => T): T | undefined {
    const leave = this.enter(bucket);
    if (leave === undefined) return undefined;
    let result: T;
    try {
      result = work();
    } catch (e) {
      leave();
      throw e;
    }
    if (isObservable(result)) return result.pipe(finalize(leave)) as T;
    if (isPromiseLike(result)) {
      result.then(leave, leave);
      return result;
    }
    leave();
    return result;
  }

  /**
   * Sets the active buckets. Buckets that leave the set stop admitting work at once; those with
   * no running work are reported on `drained$` right away.
   */
  setActive(next: BucketSet): void {
    if (next.total !== this.total) throw new RangeError(`ShardGate of ${this.total} buckets given a set of ${next.total}`);
    if (next.equals(this.activeSet)) return;
    const removed = this.activeSet.minus(next);
    this.activeSet = next;
    this.activeSubject.next(next);
    const idle = removed.toArray().filter((b) => this.counts[b] === 0);
    if (idle.length > 0) this.drainedSubject.next(BucketSet.of(this.total, idle));
  }

  /** Emits once no work runs in any of `buckets` (at once if none does), then completes. */
  whenIdle(buckets: BucketSet): Observable<void> {
    return new Observable<void>((subscriber) => {
      const check = (): boolean => {
        if (buckets.toArray().every((b) => this.counts[b] === 0)) {
          subscriber.next();
          subscriber.complete();
          return true;
        }
        return false;
      };
      if (check()) return undefined;
      const sub: Subscription = this.idleSubject.subscribe(() => check());
      return () => sub.unsubscribe();
    });
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}
