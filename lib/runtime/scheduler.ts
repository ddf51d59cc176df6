/**
 * The controller's scheduler: an RxJS operator that turns a stream of "reconcile this object at
 * time t" requests into a stream of due items, one per object, with per-object deduplication
 * (the earliest requested time wins), an optional trailing debounce and delayed requeues.
 * kube-rs's `scheduler` works the same way. The controller itself now uses `workQueue`, which
 * owns scheduling and running in one place; this operator stays for streams of your own.
 *
 * @module
 */
import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * A request to reconcile `ref` no earlier than `runAt` (in the time of the scheduler passed to
 * {@link scheduler}, i.e. `scheduler.now()` milliseconds), for `reason`.
 *
 * ## Example
 * ```ts
 * const req: ScheduleRequest<ObjectRef, string> = { ref, runAt: asyncScheduler.now() + 5_000, reason: 'requeue' };
 * ```
 */
export interface ScheduleRequest<T, Reason = unknown> {
  readonly ref: T;
  readonly runAt: number;
  readonly reason: Reason;
  /**
   * `low` runs after every due `high` item (`workQueue` only; {@link scheduler} ignores it):
   * the controller marks the items of an initial listing low, so fresh changes overtake a relist.
   * @default 'high'
   */
  readonly priority?: 'high' | 'low' | undefined;
}

/**
 * An item that has come due: the reference, the reason of the request that won, the object's
 * key and the scheduler time at which the object was first requested (for queue-time metrics).
 *
 * ## Example
 * ```ts
 * const item: ScheduledItem<ObjectRef, string> = { ref, reason: 'changed', key: 'ns/a', queuedAt: 0, dueAt: 10 };
 * ```
 */
export interface ScheduledItem<T, Reason = unknown> {
  readonly ref: T;
  readonly reason: Reason;
  readonly key: string;
  /** Scheduler time of the first request for this object still pending when it came due. */
  readonly queuedAt: number;
  /** Scheduler time at which it came due (its `runAt` plus the debounce). */
  readonly dueAt: number;
}

/** Settings of {@link scheduler}. */
export interface SchedulerOptions<T> {
  /** The identity of an object: two requests with the same key are the same object. */
  key: (ref: T) => string;
  /**
   * Trailing debounce in ms: a request runs `debounce` ms after it was asked for, and every new
   * request for the same object inside that window pushes it out again. `0` turns it off.
   * A stream of changes that never pauses for `debounce` ms therefore never comes due (as in
   * kube-rs); keep the value small (≤ a few seconds). @default 0
   */
  debounce?: number;
}

interface Entry<T, Reason> {
  ref: T;
  reason: Reason;
  runAt: number;
  queuedAt: number;
  timer: Subscription | undefined;
}

/**
 * Schedules reconcile requests. Rules, per object (by `key`):
 * - a request for an object that has none pending is scheduled at `runAt + debounce`;
 * - a request whose `runAt` is not later than the pending one's (debounced) time replaces it:
 *   the earliest time wins, and with a debounce every change pushes the run out (trailing edge);
 * - a later request is dropped: the pending run comes first, and its reconcile decides what next.
 *
 * Due items are emitted in time order; items due at once are emitted synchronously, without a
 * timer. The output completes when the input has completed and nothing is pending; unsubscribing
 * drops everything pending.
 *
 * ## Example
 * ```ts
 * requests$.pipe(
 *   scheduler({ key: (ref: ObjectRef) => ObjectRef.key(ref), debounce: 1_000 }),
 * ).subscribe((item) => console.log('due', item.key, item.reason));
 * ```
 *
 * @param options Key function and debounce.
 * @param scheduler The clock and timer source (a `TestScheduler` in tests).
 */
export function scheduler<T, Reason>(
  options: SchedulerOptions<T>,
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<ScheduleRequest<T, Reason>, ScheduledItem<T, Reason>> {
  const debounce = Math.max(0, options.debounce ?? 0);
  const keyOf = options.key;
  return (source) =>
    new Observable<ScheduledItem<T, Reason>>((subscriber) => {
      const pending = new Map<string, Entry<T, Reason>>();
      let inputDone = false;

      const fire = (key: string, entry: Entry<T, Reason>): void => {
        pending.delete(key);
        entry.timer = undefined;
        subscriber.next({ ref: entry.ref, reason: entry.reason, key, queuedAt: entry.queuedAt, dueAt: entry.runAt });
        if (inputDone && pending.size === 0) subscriber.complete();
      };

      const subscription = source.subscribe({
        next(request) {
          const key = keyOf(request.ref);
          const existing = pending.get(key);
          if (existing !== undefined) {
            if (existing.runAt < request.runAt) return;
            existing.timer?.unsubscribe();
            pending.delete(key);
          }
          const now = scheduler.now();
          const runAt = request.runAt + debounce;
          const queuedAt = existing?.queuedAt ?? now;
          if (runAt <= now) {
            // Due now: emit without a timer (the hot path when debounce is off).
            subscriber.next({ ref: request.ref, reason: request.reason, key, queuedAt, dueAt: runAt });
            if (inputDone && pending.size === 0) subscriber.complete();
            return;
          }
          const entry: Entry<T, Reason> = { ref: request.ref, reason: request.reason, runAt, queuedAt, timer: undefined };
          pending.set(key, entry);
          entry.timer = scheduler.schedule(() => {
            if (pending.get(key) === entry) fire(key, entry);
          }, runAt - now);
        },
        error(err) {
          subscriber.error(err);
        },
        complete() {
          inputDone = true;
          if (pending.size === 0) subscriber.complete();
        },
      });

      return () => {
        subscription.unsubscribe();
        for (const entry of pending.values()) entry.timer?.unsubscribe();
        pending.clear();
      };
    });
}
