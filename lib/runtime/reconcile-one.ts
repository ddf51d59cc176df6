/**
 * One reconcile of one object, as the controller's runner starts it: read the latest object from
 * the store, call the reconciler (Action, Promise or Observable), apply the timeout, turn the
 * outcome into a {@link ControllerResult}, record metrics, and ask for the requeue the Action or
 * the error policy wants. Written out by hand rather than as an operator chain: this is the
 * per-object hot path (see bench/controller.ts).
 *
 * @module
 */
import { Observable, isObservable, type SchedulerLike, type Subscription } from 'rxjs';
import { Action, type ErrorPolicy } from './action.js';
import { ControllerError } from './controller-error.js';
import { METRICS, type MetricsSink } from './metrics.js';
import type { ReconcileBackoff } from './reconcile-backoff.js';
import type { ControllerRef, ReconcileInfo, ReconcileReason } from './reconcile-reason.js';
import type { ScheduledItem } from './scheduler.js';
import type { Store } from './store.js';
import type { WatchErrorResult } from './watch-health.js';

/**
 * What a reconcile produced.
 * - `reconciled`: the reconciler returned `action` (what happens next).
 * - `failed`: it threw or timed out with `error`; `action` is what the error policy decided.
 * - `watchError`: not a reconcile: one of the controller's watches failed (it retries); see {@link WatchErrorResult}.
 *
 * ## Example
 * ```ts
 * controller.run(reconcile, ErrorPolicy.backoff(), ctx).subscribe((r) => {
 *   if (r.type === 'failed') console.warn(`reconcile ${r.ref.name} failed`, r.error);
 * });
 * ```
 */
export type ControllerResult =
  | { readonly type: 'reconciled'; readonly ref: ControllerRef; readonly reason: ReconcileReason; readonly action: Action }
  | {
      readonly type: 'failed';
      readonly ref: ControllerRef;
      readonly reason: ReconcileReason;
      readonly error: unknown;
      readonly action: Action;
    }
  | WatchErrorResult;

/**
 * A reconcile function: gets the latest state of the object from the store, the context given to
 * `run`, and why it runs; returns an {@link Action} directly, as a Promise, or as an Observable
 * (its last value counts; none means `awaitChange`).
 *
 * ## Example
 * ```ts
 * const reconcile: Reconciler<Widget, Ctx> = async (w, ctx) => {
 *   await ctx.apply(w);
 *   return Action.requeue(300_000);
 * };
 * ```
 */
export type Reconciler<K, C> = (object: K, ctx: C, info: ReconcileInfo) => Action | PromiseLike<Action> | Observable<Action>;

/**
 * What {@link reconcileRunner} needs from its controller.
 *
 * ## Example
 * ```ts
 * const deps: ReconcileDeps<Widget, Ctx> = { reader, reconcile, errorPolicy, context, backoff, metrics, controllerName: 'widgets', clock, requeue };
 * ```
 */
export interface ReconcileDeps<K, C> {
  readonly reader: Store<K>;
  readonly reconcile: Reconciler<K, C>;
  readonly errorPolicy: ErrorPolicy<C, ControllerRef>;
  readonly context: C;
  readonly backoff: ReconcileBackoff;
  readonly metrics: MetricsSink;
  /** The `controller` (and work-queue `name`) label. */
  readonly controllerName: string;
  readonly clock: SchedulerLike;
  /** Fails a reconcile that runs longer than this, in ms. */
  readonly timeoutMs?: number | undefined;
  /** Schedules another reconcile of `ref` in `afterMs`. */
  readonly requeue: (ref: ControllerRef, afterMs: number, reason: ReconcileReason) => void;
}

const REQUEUE: ReconcileReason = Object.freeze({ type: 'requeue' });
const ERROR_BACKOFF: ReconcileReason = Object.freeze({ type: 'errorBackoff' });

/**
 * Makes the function that runs one due item: a cold Observable that emits one
 * {@link ControllerResult} (none when the object is gone from the store: that is skipped and
 * counted, not an error) and completes. Unsubscribing before the reconcile settles aborts
 * `info.signal` and discards the outcome.
 *
 * ## Example
 * ```ts
 * due$.pipe(runner(reconcileRunner(deps), { concurrency: 16 })).subscribe(console.log);
 * ```
 */
export function reconcileRunner<K, C>(deps: ReconcileDeps<K, C>): (item: ScheduledItem<ControllerRef, ReconcileReason>) => Observable<ControllerResult> {
  const { reader, reconcile, errorPolicy, context, backoff, metrics, clock, timeoutMs, requeue } = deps;
  const ctl = { controller: deps.controllerName };
  const queue = { name: deps.controllerName };
  return (item) =>
    new Observable<ControllerResult>((subscriber) => {
      const started = clock.now();
      metrics.observe(METRICS.workqueueQueueDurationSeconds, queue, Math.max(0, started - Math.max(item.dueAt, item.queuedAt)) / 1000);
      const object = reader.get(item.ref);
      if (object === undefined) {
        backoff.forget(item.key);
        metrics.inc(METRICS.reconcileSkippedTotal, ctl);
        subscriber.complete();
        return undefined;
      }
      let abort: AbortController | undefined;
      let settled = false;
      let timer: Subscription | undefined;
      let inner: Subscription | undefined;
      const info: ReconcileInfo = {
        ref: item.ref,
        reason: item.reason,
        // Created on first use: most reconcilers never look at it, and it is not free.
        get signal(): AbortSignal {
          abort ??= new AbortController();
          return abort.signal;
        },
      };
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        timer?.unsubscribe();
        metrics.observe(METRICS.reconcileTimeSeconds, ctl, (clock.now() - started) / 1000);
        return true;
      };
      const succeed = (action: Action): void => {
        if (!settle()) return;
        backoff.forget(item.key);
        metrics.inc(METRICS.reconcileTotal, { ...ctl, result: action.type === 'requeue' ? 'requeue_after' : 'success' });
        if (action.type === 'requeue') requeue(item.ref, action.afterMs, REQUEUE);
        subscriber.next({ type: 'reconciled', ref: item.ref, reason: item.reason, action });
        subscriber.complete();
      };
      const fail = (error: unknown): void => {
        if (!settle()) return;
        inner?.unsubscribe();
        abort?.abort(error);
        const failure = backoff.fail(item.key);
        let action: Action;
        try {
          action = errorPolicy(error, item.ref, context, failure);
        } catch {
          action = Action.requeue(failure.backoffMs);
        }
        metrics.inc(METRICS.reconcileTotal, { ...ctl, result: 'error' });
        metrics.inc(METRICS.reconcileErrorsTotal, ctl);
        if (action.type === 'requeue') {
          metrics.inc(METRICS.workqueueRetriesTotal, queue);
          requeue(item.ref, action.afterMs, ERROR_BACKOFF);
        }
        subscriber.next({ type: 'failed', ref: item.ref, reason: item.reason, error, action });
        subscriber.complete();
      };
      if (timeoutMs !== undefined) {
        timer = clock.schedule(
          () => fail(new ControllerError('reconcileTimeout', `reconcile of ${describe(item.ref)} took longer than ${timeoutMs} ms`, { ...item.ref })),
          timeoutMs,
        );
      }
      try {
        const result = reconcile(object, context, info);
        if (isObservable(result)) {
          let last: Action = Action.awaitChange();
          inner = result.subscribe({ next: (a) => (last = a), error: fail, complete: () => succeed(last) });
        } else if (isPromiseLike(result)) {
          result.then(succeed, fail);
        } else {
          succeed(result);
        }
      } catch (error) {
        fail(error);
      }
      return () => {
        timer?.unsubscribe();
        inner?.unsubscribe();
        if (!settled) {
          settled = true;
          abort?.abort(new ControllerError('reconcileCancelled', `reconcile of ${describe(item.ref)} was cancelled at shutdown`, { ...item.ref }));
        }
      };
    });
}

function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<T>).then === 'function';
}

function describe(ref: ControllerRef): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}
