/**
 * The controller's work queue: one RxJS operator that owns every key's delayed, waiting and
 * running state, so that the rules which keep one object's reconciles apart live in one place.
 * It replaces the `scheduler()` + `runner()` pair inside the controller, with kube-rs's
 * "hold unless running" semantics:
 *
 * - one entry per key; a new request replaces a pending one only if it is due earlier (the
 *   earliest wins), with an optional trailing debounce;
 * - a key that is running absorbs every new request into its entry, its own requeues included,
 *   and the earliest wins across the run: a change that arrives during a run makes the run's own
 *   `requeue(5 min)` moot, so a stale requeue never fires after a newer run that said
 *   `awaitChange`;
 * - a key is running until its work has really ended (the Observable ended, the Promise settled):
 *   cancelling is asking (an abort), never forgetting;
 * - a gate (leadership) that closes stops all starts at once, aborts the running work and reports
 *   when it has drained (or a bound has passed), so a Lease can be released only after.
 *
 * @module
 */
import {
  Observable,
  asyncScheduler,
  from,
  isObservable,
  type ObservableInput,
  type OperatorFunction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { ScheduleRequest, ScheduledItem } from './scheduler.js';

/**
 * The cancellation of one run, handed to the work with its item. Cheaper than an
 * `AbortController` (most work never looks at it): the work registers one listener, the queue
 * calls {@link WorkCancellation.cancel}.
 *
 * ## Example
 * ```ts
 * const work = (item: ScheduledItem<string, string>, cancellation: WorkCancellation) =>
 *   new Observable<string>((sub) => {
 *     const ac = new AbortController();
 *     cancellation.onCancel((reason) => ac.abort(reason));
 *     fetch(`/things/${item.key}`, { signal: ac.signal }).then(() => sub.complete(), () => sub.complete());
 *   });
 * ```
 */
export class WorkCancellation {
  private listener: ((reason: unknown) => void) | undefined;
  private reasonValue: unknown;
  private done = false;

  /** Whether the run was asked to stop. */
  get cancelled(): boolean {
    return this.done;
  }

  /** Why the run was asked to stop (undefined while it was not). */
  get reason(): unknown {
    return this.reasonValue;
  }

  /** Sets the listener told when the run is asked to stop (at once if it already was). */
  onCancel(listener: (reason: unknown) => void): void {
    if (this.done) listener(this.reasonValue);
    else this.listener = listener;
  }

  /** Asks the run to stop; only the first call counts. */
  cancel(reason: unknown): void {
    if (this.done) return;
    this.done = true;
    this.reasonValue = reason;
    const listener = this.listener;
    this.listener = undefined;
    listener?.(reason);
  }
}

/** Why running work is cancelled: the gate closed, the queue stopped, or the output was unsubscribed. */
export type CancelCause = 'gateClosed' | 'stopped' | 'unsubscribed';

/**
 * What a drain ended with: after the gate closed (`gateClosed`) or a final stop (`stopped`),
 * every running item ended (`abandoned: 0`) or the bound passed with `abandoned` items still
 * running. Abandoned items keep their keys until they really end.
 *
 * ## Example
 * ```ts
 * const report: DrainReport = { cause: 'gateClosed', abandoned: 0, at: 1_700_000_000_000 };
 * ```
 */
export interface DrainReport {
  readonly cause: 'gateClosed' | 'stopped';
  /** Items still running when the drain was reported (0 unless the bound passed). */
  readonly abandoned: number;
  /** Scheduler time of the report. */
  readonly at: number;
}

/** Settings of {@link workQueue}. */
export interface WorkQueueOptions<T, Reason, R> {
  /** The identity of an object: two requests with the same key are the same object. */
  key: (ref: T) => string;
  /**
   * Trailing debounce in ms: a request runs `debounce` ms after it was asked for, and each new
   * request for the same object inside that window pushes it out again. `0` turns it off. @default 0
   */
  debounce?: number;
  /** Runs at most this many items at once; `0` or `Infinity` means unbounded. @default 16 */
  concurrency?: number;
  /**
   * Nothing starts while the latest value is `false` (or before the first value): the readiness
   * of every store the work reads. Running work is not affected. @default always ready
   */
  ready$?: Observable<boolean>;
  /**
   * The leadership gate: nothing starts while the latest value is `false` (or before the first
   * value). When it turns from `true` to `false`, starting stops at once, every running item is
   * cancelled ({@link WorkCancellation}) and, once they all have ended or `drainTimeoutMs` has
   * passed, `onDrained` is told. Pending keys are kept, and a key whose run was cancelled this
   * way is queued again: it runs when the gate reopens. @default always open
   */
  gate$?: Observable<boolean>;
  /** Bound of a drain after the gate closed, in ms. @default 5_000 */
  drainTimeoutMs?: number;
  /**
   * Asked right before each start, while the gate is open: `false` leaves the item waiting (it is
   * not dropped) until the gate next opens or something else wakes the queue. For a gate whose
   * `false` may come late: a leader judged by the clock (`Leadership.isLeader`) in a process that
   * was frozen and runs its overdue timers in order when it resumes. @default always
   */
  canStart?: () => boolean;
  /**
   * Final stop: pending keys are dropped, nothing new starts, running work may finish for up to
   * `shutdownTimeoutMs` (then it is cancelled and unsubscribed), `onDrained` is told, and the
   * output completes.
   */
  stop$?: Observable<unknown>;
  /**
   * How long running work may go on after a stop or an unsubscribe before it is cancelled and
   * unsubscribed. @default 30_000 (controller-runtime's graceful shutdown)
   */
  shutdownTimeoutMs?: number;
  /** Told when a drain (gate closed, or stop) is complete. */
  onDrained?: (report: DrainReport) => void;
  /** The reason given to {@link WorkCancellation.cancel}. @default the cause itself */
  cancelReason?: (item: ScheduledItem<T, Reason>, cause: CancelCause) => unknown;
  /**
   * Turns an error of the work (or a throw while starting it) into an output value; the key is
   * released either way. @default the output errors
   */
  onError?: (item: ScheduledItem<T, Reason>, error: unknown) => R;
  /** Told the number of due items not yet started whenever it changes: `workqueue_depth`. */
  onDepth?: (depth: number) => void;
}

/** At least one in this many starts goes to a waiting low-priority item. */
const LOW_EVERY = 8;

interface Entry<T, Reason> {
  readonly key: string;
  ref: T;
  reason: Reason;
  /** Scheduler time at which it is due (the request's `runAt` plus the debounce). */
  runAt: number;
  readonly queuedAt: number;
  low: boolean;
  due: boolean;
  /** In the high or low queue, waiting for a slot. */
  queued: boolean;
  timer: Subscription | undefined;
}

/** What a run needs from its queue (one object per queue, so a run allocates no closures). */
interface RunHost<T, Reason, R> {
  emit(run: Run<T, Reason, R>, value: R): void;
  failed(run: Run<T, Reason, R>, error: unknown): void;
  end(run: Run<T, Reason, R>): void;
}

/** One running item: its cancellation, and the observer of its work. */
class Run<T, Reason, R> extends WorkCancellation {
  subscription: Subscription | undefined = undefined;
  ended = false;
  /** Cancelled because the gate closed: queue the key again when it ends. */
  redo = false;
  /** Results are no longer delivered (after the output was unsubscribed or completed). */
  discard = false;

  constructor(
    readonly item: ScheduledItem<T, Reason>,
    private readonly host: RunHost<T, Reason, R>,
  ) {
    super();
  }

  next(value: R): void {
    this.host.emit(this, value);
  }

  error(error: unknown): void {
    this.host.failed(this, error);
  }

  complete(): void {
    this.host.end(this);
  }
}

/**
 * A FIFO of entries with lazy removal: an entry that left the queue stays in the array and is
 * skipped when it comes up.
 */
class EntryQueue<T, Reason> {
  private items: Array<Entry<T, Reason>> = [];
  private head = 0;

  push(entry: Entry<T, Reason>): void {
    this.items.push(entry);
  }

  /** The first entry for which `valid` holds; earlier ones are dropped. */
  shift(valid: (entry: Entry<T, Reason>) => boolean): Entry<T, Reason> | undefined {
    while (this.head < this.items.length) {
      const entry = this.items[this.head]!;
      this.head++;
      if (valid(entry)) {
        this.compact();
        return entry;
      }
    }
    this.clear();
    return undefined;
  }

  clear(): void {
    this.items.length = 0;
    this.head = 0;
  }

  private compact(): void {
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * Schedules and runs work per key: requests (`{ ref, runAt, reason, priority? }`) in, the work's
 * values out. Rules, per key:
 * - a request is due at `runAt + debounce`; a request due earlier than the pending one replaces
 *   it (the earliest wins, and with a debounce each change pushes the run out); a later one is
 *   dropped;
 * - a due key starts when a slot is free (`concurrency`), the store is ready (`ready$`) and the
 *   gate is open (`gate$`); keys asked for with `priority: 'low'` (an initial listing) start after
 *   the others, except that every 8th start goes to a waiting low one (no starvation);
 * - a running key is never started again: requests for it (its own requeues included) wait in
 *   its entry, the earliest winning, and start after the run has really ended;
 * - the output emits what the work emits and completes when the input has completed and nothing
 *   is pending or running, or after a stop.
 *
 * Unsubscribing starts nothing new; running work is cancelled and left to end for up to
 * `shutdownTimeoutMs` (its values are no longer delivered), then unsubscribed.
 *
 * ## Example
 * ```ts
 * requests$.pipe(
 *   workQueue((item, cancellation) => reconcileOne(item, cancellation), {
 *     key: (ref: ObjectRef) => ObjectRef.key(ref),
 *     concurrency: 16,
 *     ready$: store.ready$,
 *     gate$: leader$,
 *     onDrained: () => lease.release(),
 *   }),
 * ).subscribe(console.log);
 * ```
 *
 * @param work Starts the work of one due item; it must end (complete) when the work has really
 *   ended, and should stop soon after its {@link WorkCancellation} fires.
 * @param options Key, debounce, concurrency, readiness, gate, stop and drains.
 * @param scheduler The clock and timer source (a `TestScheduler` in tests).
 */
export function workQueue<T, Reason, R>(
  work: (item: ScheduledItem<T, Reason>, cancellation: WorkCancellation) => ObservableInput<R>,
  options: WorkQueueOptions<T, Reason, R>,
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<ScheduleRequest<T, Reason>, R> {
  const keyOf = options.key;
  const debounce = Math.max(0, options.debounce ?? 0);
  const concurrency =
    options.concurrency === undefined ? 16 : options.concurrency <= 0 ? Infinity : options.concurrency;
  const drainMs = Math.max(0, options.drainTimeoutMs ?? 5_000);
  const graceMs = Math.max(0, options.shutdownTimeoutMs ?? 30_000);
  const cancelReason = options.cancelReason ?? ((_item: ScheduledItem<T, Reason>, cause: CancelCause): unknown => cause);
  const { onDepth, onDrained, onError } = options;

  return (source) =>
    new Observable<R>((subscriber) => {
      const entries = new Map<string, Entry<T, Reason>>();
      const running = new Map<string, Run<T, Reason, R>>();
      const high = new EntryQueue<T, Reason>();
      const low = new EntryQueue<T, Reason>();
      let due = 0;
      /** High-priority starts since the last low one. */
      let highStreak = 0;
      /** Entries waiting in `high`/`low` for a slot. */
      let queued = 0;
      let ready = options.ready$ === undefined;
      let open = options.gate$ === undefined;
      let stopped = false;
      let inputDone = false;
      let pumping = false;
      const canStart = options.canStart;
      let drainTimer: Subscription | undefined;
      let yielded: Subscription | undefined;
      let draining: 'gateClosed' | 'stopped' | undefined;
      const subscriptions: Subscription[] = [];

      const depth = (): void => onDepth?.(due);
      const validHigh = (e: Entry<T, Reason>): boolean => e.queued && entries.get(e.key) === e;
      const validLow = (e: Entry<T, Reason>): boolean => e.queued && e.low && entries.get(e.key) === e;

      const enqueue = (entry: Entry<T, Reason>): void => {
        entry.queued = true;
        queued++;
        (entry.low ? low : high).push(entry);
      };

      const makeDue = (entry: Entry<T, Reason>): void => {
        entry.timer = undefined;
        entry.due = true;
        due++;
        depth();
        if (!running.has(entry.key)) {
          enqueue(entry);
          pump();
        }
      };

      const request = (ref: T, reason: Reason, runAtRequested: number, isLow: boolean): void => {
        const key = keyOf(ref);
        const now = scheduler.now();
        const runAt = runAtRequested + debounce;
        let entry = entries.get(key);
        if (entry !== undefined) {
          if (entry.due) {
            // Already due (waiting for a slot, or held by its running key): nothing is earlier.
            if (!isLow && entry.low) {
              entry.low = false;
              if (entry.queued) high.push(entry);
            }
            return;
          }
          // Compared without the debounce: a change inside the window pushes the run out.
          if (entry.runAt < runAtRequested) {
            if (!isLow) entry.low = false;
            return;
          }
          entry.timer?.unsubscribe();
          entry.ref = ref;
          entry.reason = reason;
          entry.runAt = runAt;
          entry.low = entry.low && isLow;
        } else {
          if (
            runAt <= now &&
            queued === 0 &&
            !pumping &&
            open &&
            ready &&
            !stopped &&
            running.size < concurrency &&
            !running.has(key) &&
            (canStart === undefined || canStart())
          ) {
            // The hot path: due now, nothing waits ahead of it and a slot is free: no entry at all.
            pumping = true;
            try {
              launch({ ref, reason, key, queuedAt: now, dueAt: runAt });
            } finally {
              pumping = false;
            }
            if (queued > 0) pump();
            else checkDone();
            return;
          }
          entry = { key, ref, reason, runAt, queuedAt: now, low: isLow, due: false, queued: false, timer: undefined };
          entries.set(key, entry);
        }
        if (runAt <= now) {
          makeDue(entry);
          return;
        }
        const scheduled = entry;
        entry.timer = scheduler.schedule(() => {
          if (entries.get(key) === scheduled && !scheduled.due) makeDue(scheduled);
        }, runAt - now);
      };

      const pump = (): void => {
        if (pumping) return;
        pumping = true;
        // Synchronous work that keeps asking for itself at once (`requeue(0)`) would spin here
        // forever: after more starts than there were due keys (plus slack), yield to the scheduler.
        let budget = due + 1024;
        try {
          while (open && ready && !stopped && running.size < concurrency && (canStart === undefined || canStart())) {
            if (--budget < 0) {
              if (yielded === undefined || yielded.closed) yielded = scheduler.schedule(() => pump());
              break;
            }
            // High first, but every LOW_EVERY-th start goes to a waiting low item: requeues and
            // fresh changes that never stop cannot starve a listing.
            let entry: Entry<T, Reason> | undefined;
            if (highStreak >= LOW_EVERY) entry = low.shift(validLow) ?? high.shift(validHigh);
            else entry = high.shift(validHigh) ?? low.shift(validLow);
            if (entry === undefined) break;
            highStreak = entry.low ? 0 : highStreak + 1;
            start(entry);
          }
        } finally {
          pumping = false;
        }
        checkDone();
      };

      const start = (entry: Entry<T, Reason>): void => {
        entries.delete(entry.key);
        entry.queued = false;
        queued--;
        due--;
        depth();
        launch({ ref: entry.ref, reason: entry.reason, key: entry.key, queuedAt: entry.queuedAt, dueAt: entry.runAt });
      };

      const launch = (item: ScheduledItem<T, Reason>): void => {
        const run = new Run<T, Reason, R>(item, host);
        running.set(item.key, run);
        let input: ObservableInput<R>;
        try {
          input = work(item, run);
        } catch (error) {
          failed(run, error);
          return;
        }
        const subscription = (isObservable(input) ? input : from(input)).subscribe(run);
        if (run.ended) subscription.unsubscribe();
        else run.subscription = subscription;
      };

      const failed = (run: Run<T, Reason, R>, error: unknown): void => {
        if (run.ended) return;
        end(run);
        if (run.discard) return;
        if (onError === undefined) subscriber.error(error);
        else subscriber.next(onError(run.item, error));
      };

      // The one place a key is released. Runs in every path that ends a run (complete, error,
      // throw at start, forced unsubscribe), so a key can never stay running by accident.
      const end = (run: Run<T, Reason, R>): void => {
        if (run.ended) return;
        run.ended = true;
        const { key } = run.item;
        if (running.get(key) === run) running.delete(key);
        const entry = entries.get(key);
        if (entry !== undefined) {
          if (entry.due && !entry.queued && !stopped) enqueue(entry);
        } else if (run.redo && !stopped) {
          // Cancelled by the gate: its object still needs the work once the gate reopens.
          const requeued: Entry<T, Reason> = {
            key,
            ref: run.item.ref,
            reason: run.item.reason,
            runAt: scheduler.now(),
            queuedAt: run.item.queuedAt,
            low: false,
            due: false,
            queued: false,
            timer: undefined,
          };
          entries.set(key, requeued);
          makeDue(requeued);
        }
        if (draining !== undefined && running.size === 0) reportDrained(0);
        pump();
      };

      const host: RunHost<T, Reason, R> = {
        emit: (run, value) => {
          if (!run.discard) subscriber.next(value);
        },
        failed: (run, error) => failed(run, error),
        end: (run) => end(run),
      };

      const reportDrained = (abandoned: number): void => {
        const cause = draining;
        if (cause === undefined) return;
        draining = undefined;
        drainTimer?.unsubscribe();
        drainTimer = undefined;
        onDrained?.({ cause, abandoned, at: scheduler.now() });
        if (cause === 'stopped' && !subscriber.closed) subscriber.complete();
      };

      const checkDone = (): void => {
        if (inputDone && !stopped && entries.size === 0 && running.size === 0 && !subscriber.closed) subscriber.complete();
      };

      const cancelAll = (cause: CancelCause): void => {
        for (const run of [...running.values()]) {
          if (cause === 'gateClosed') run.redo = true;
          run.cancel(cancelReason(run.item, cause));
        }
      };

      const closeGate = (): void => {
        if (!open) return;
        open = false;
        if (stopped) return;
        draining = 'gateClosed';
        cancelAll('gateClosed');
        if (running.size === 0) reportDrained(0);
        else drainTimer = scheduler.schedule(() => reportDrained(running.size), drainMs);
      };

      const openGate = (): void => {
        if (open) return;
        open = true;
        if (draining === 'gateClosed') {
          // Leadership came back before the drain ended: that drain is not reported.
          draining = undefined;
          drainTimer?.unsubscribe();
          drainTimer = undefined;
        }
        pump();
      };

      const dropPending = (): void => {
        for (const entry of entries.values()) entry.timer?.unsubscribe();
        entries.clear();
        high.clear();
        low.clear();
        due = 0;
        queued = 0;
        depth();
      };

      const stop = (): void => {
        if (stopped) return;
        stopped = true;
        input.unsubscribe();
        dropPending();
        drainTimer?.unsubscribe();
        draining = 'stopped';
        if (running.size === 0) {
          reportDrained(0);
          return;
        }
        drainTimer = scheduler.schedule(() => {
          const abandoned = running.size;
          for (const run of [...running.values()]) {
            run.cancel(cancelReason(run.item, 'stopped'));
            run.discard = true;
            run.subscription?.unsubscribe();
          }
          reportDrained(abandoned);
        }, graceMs);
      };

      const input = source.subscribe({
        next(req) {
          if (stopped) return;
          request(req.ref, req.reason, req.runAt, req.priority === 'low');
        },
        error(err) {
          subscriber.error(err);
        },
        complete() {
          inputDone = true;
          checkDone();
        },
      });

      if (options.ready$ !== undefined) {
        subscriptions.push(
          options.ready$.subscribe({
            next: (value) => {
              ready = value;
              if (value) pump();
            },
            error: (err: unknown) => subscriber.error(err),
          }),
        );
      }
      if (options.gate$ !== undefined) {
        subscriptions.push(
          options.gate$.subscribe({
            next: (value) => (value ? openGate() : closeGate()),
            error: (err: unknown) => subscriber.error(err),
          }),
        );
      }
      if (options.stop$ !== undefined) {
        let fired = false;
        const stopSub = options.stop$.subscribe(() => {
          if (fired) return;
          fired = true;
          stop();
        });
        subscriptions.push(stopSub);
      }
      pump();

      return () => {
        const wasStopped = stopped;
        stopped = true;
        input.unsubscribe();
        for (const s of subscriptions) s.unsubscribe();
        drainTimer?.unsubscribe();
        yielded?.unsubscribe();
        dropPending();
        for (const run of [...running.values()]) {
          run.discard = true;
          if (!wasStopped) run.cancel(cancelReason(run.item, 'unsubscribed'));
          const sub = run.subscription;
          if (sub === undefined || sub.closed) continue;
          if (graceMs <= 0 || wasStopped) sub.unsubscribe();
          else sub.add(scheduler.schedule(() => sub.unsubscribe(), graceMs));
        }
      };
    });
}
