/**
 * One reconcile of one object, as the controller's runner starts it: read the latest object from
 * the store, call the reconciler (Action, Promise or Observable), apply the timeout, turn the
 * outcome into a {@link ControllerResult}, record metrics, and ask for the requeue the Action or
 * the error policy wants. The Observable it returns ends when the reconcile has really ended, which
 * is what keeps the object's key held in the work queue. Written out by hand rather than as an operator chain: this is the
 * per-object hot path (see bench/controller.ts).
 *
 * @module
 */
import { Observable, isObservable, type SchedulerLike, type Subscription } from 'rxjs';
import { Action, type ErrorPolicy } from './action.js';
import { ControllerError, type ControllerErrorReason } from './controller-error.js';
import { METRICS, type MetricsSink } from './metrics.js';
import type { ReconcileBackoff } from './reconcile-backoff.js';
import type { ControllerRef, ReconcileInfo, ReconcileReason } from './reconcile-reason.js';
import type { ScheduledItem } from './scheduler.js';
import type { Store } from './store.js';
import type { TokenBucket } from './token-bucket.js';
import type { WatchErrorResult } from './watch-health.js';
import type { WorkCancellation } from './work-queue.js';

/**
 * What a reconcile produced.
 * - `reconciled`: the reconciler returned `action` (what happens next).
 * - `failed`: it threw, rejected or timed out with `error`; `action` is what the error policy decided.
 * - `internalError`: something around the reconcile threw (the error policy, the metrics sink, the
 *   controller itself): `error` is a {@link ControllerError} with the thrown value as `cause`. The
 *   object's key is released as always; when the error policy threw, the object is retried with
 *   its backoff. Comes after the `reconciled`/`failed` result of the same run, if there was one.
 * - `watchError`: not a reconcile: one of the controller's watches failed (it retries); see {@link WatchErrorResult}.
 *
 * ## Example
 * ```ts
 * controller.run(reconcile, ErrorPolicy.backoff(), ctx).subscribe((r) => {
 *   if (r.type === 'failed') console.warn(`reconcile ${r.ref.name} failed`, r.error);
 *   if (r.type === 'internalError') console.error(r.error.reason, r.error.cause);
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
  | { readonly type: 'internalError'; readonly ref: ControllerRef; readonly reason: ReconcileReason; readonly error: ControllerError }
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
  /**
   * The overall limit on retries after failures (controller-runtime's 10 qps, burst 100): the
   * `backoffMs` handed to the error policy is the larger of the per-object backoff and the wait
   * for a token. @default none
   */
  readonly retryLimit?: TokenBucket | undefined;
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
const NONE: unique symbol = Symbol('none');

/**
 * Makes the function that runs one due item: a cold Observable that emits the
 * {@link ControllerResult}s of one reconcile (none when the object is gone from the store: that
 * is skipped and counted, not an error) and completes when the reconcile has really ended.
 *
 * - A timeout aborts `info.signal` and reports `failed` at once; an Observable reconcile is
 *   unsubscribed, but a Promise cannot be stopped from outside: the Observable completes (and the
 *   work queue keeps the object's key) only once the Promise has settled. Pass `info.signal` to
 *   every API call so that it settles soon after the abort.
 * - A `cancellation` (loss of leadership, shutdown) aborts `info.signal` the same way; an
 *   Observable reconcile is unsubscribed without a result, a Promise is waited for and its
 *   outcome reported.
 * - Nothing around the reconcile (metrics sink, error policy) can keep it from completing: what
 *   they throw becomes an `internalError` result.
 * - Unsubscribing before the reconcile settles aborts `info.signal` and discards the outcome.
 *
 * ## Example
 * ```ts
 * requests$.pipe(workQueue(reconcileRunner(deps), { key: storeKey, concurrency: 16 })).subscribe(console.log);
 * ```
 */
export function reconcileRunner<K, C>(
  deps: ReconcileDeps<K, C>,
): (item: ScheduledItem<ControllerRef, ReconcileReason>, cancellation?: WorkCancellation) => Observable<ControllerResult> {
  const { reader, reconcile, errorPolicy, context, backoff, retryLimit, metrics, clock, timeoutMs, requeue } = deps;
  const ctl = { controller: deps.controllerName };
  const queue = { name: deps.controllerName };
  // A throwing sink must not keep a reconcile from completing (its key would stay running):
  // every call is guarded, and what it threw is reported by the reconcile it happened in.
  let metricsError: unknown = NONE;
  const guarded: MetricsSink = {
    inc(name, labels, by) {
      try {
        metrics.inc(name, labels, by);
      } catch (error) {
        metricsError = error;
      }
    },
    set(name, labels, value) {
      try {
        metrics.set(name, labels, value);
      } catch (error) {
        metricsError = error;
      }
    },
    observe(name, labels, value) {
      try {
        metrics.observe(name, labels, value);
      } catch (error) {
        metricsError = error;
      }
    },
  };
  return (item, cancellation) =>
    new Observable<ControllerResult>((subscriber) => {
      const internal = (reason: ControllerErrorReason, message: string, cause: unknown): void => {
        const error = new ControllerError(reason, `${message} (reconcile of ${describe(item.ref)})`, { ...item.ref }, cause);
        subscriber.next({ type: 'internalError', ref: item.ref, reason: item.reason, error });
      };
      const flushMetricsError = (): void => {
        if (metricsError === NONE) return;
        const cause = metricsError;
        metricsError = NONE;
        internal('metricsFailed', 'the metrics sink threw', cause);
      };
      const started = clock.now();
      guarded.observe(METRICS.workqueueQueueDurationSeconds, queue, Math.max(0, started - Math.max(item.dueAt, item.queuedAt)) / 1000);
      const object = reader.get(item.ref);
      if (object === undefined) {
        backoff.forget(item.key);
        guarded.inc(METRICS.reconcileSkippedTotal, ctl);
        flushMetricsError();
        subscriber.complete();
        return undefined;
      }
      let abort: AbortController | undefined;
      let settled = false;
      // A Promise is in flight: the reconcile has not really ended even if it timed out.
      let pending = false;
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
      const abortWith = (reason: unknown): void => {
        abort ??= new AbortController();
        if (!abort.signal.aborted) abort.abort(reason);
      };
      const finish = (): void => {
        if (!pending) subscriber.complete();
      };
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        timer?.unsubscribe();
        guarded.observe(METRICS.reconcileTimeSeconds, ctl, (clock.now() - started) / 1000);
        return true;
      };
      const succeed = (action: Action): void => {
        if (settle()) {
          backoff.forget(item.key);
          guarded.inc(METRICS.reconcileTotal, { ...ctl, result: action.type === 'requeue' ? 'requeue_after' : 'success' });
          if (action.type === 'requeue') requeue(item.ref, action.afterMs, REQUEUE);
          subscriber.next({ type: 'reconciled', ref: item.ref, reason: item.reason, action });
          flushMetricsError();
        }
        finish();
      };
      const fail = (error: unknown): void => {
        if (settle()) {
          inner?.unsubscribe();
          abortWith(error);
          const failure = backoff.fail(item.key);
          const backoffMs = retryLimit === undefined ? failure.backoffMs : Math.max(failure.backoffMs, retryLimit.reserve());
          let action: Action;
          let policyError: unknown = NONE;
          try {
            action = errorPolicy(error, item.ref, context, { failures: failure.failures, backoffMs });
          } catch (thrown) {
            policyError = thrown;
            action = Action.requeue(backoffMs);
          }
          guarded.inc(METRICS.reconcileTotal, { ...ctl, result: 'error' });
          guarded.inc(METRICS.reconcileErrorsTotal, ctl);
          if (action.type === 'requeue') {
            guarded.inc(METRICS.workqueueRetriesTotal, queue);
            requeue(item.ref, action.afterMs, ERROR_BACKOFF);
          }
          subscriber.next({ type: 'failed', ref: item.ref, reason: item.reason, error, action });
          if (policyError !== NONE) internal('errorPolicyFailed', 'the error policy threw; retrying with the backoff', policyError);
          flushMetricsError();
        }
        finish();
      };
      if (timeoutMs !== undefined) {
        timer = clock.schedule(
          () => fail(new ControllerError('reconcileTimeout', `reconcile of ${describe(item.ref)} took longer than ${timeoutMs} ms`, { ...item.ref })),
          timeoutMs,
        );
      }
      cancellation?.onCancel((reason) => {
        abortWith(reason);
        if (inner !== undefined && !settled) {
          // An Observable reconcile ends when unsubscribed: cancelled, no result.
          settled = true;
          timer?.unsubscribe();
          inner.unsubscribe();
          subscriber.complete();
        }
      });
      try {
        const result = reconcile(object, context, info);
        if (isObservable(result)) {
          let last: Action = Action.awaitChange();
          const subscription = result.subscribe({ next: (a) => (last = a), error: fail, complete: () => succeed(last) });
          if (settled) subscription.unsubscribe();
          else inner = subscription;
          if (cancellation?.cancelled && !settled) {
            settled = true;
            timer?.unsubscribe();
            subscription.unsubscribe();
            subscriber.complete();
          }
        } else if (isPromiseLike(result)) {
          pending = true;
          result.then(
            (action) => {
              pending = false;
              if (!subscriber.closed) succeed(action);
            },
            (error: unknown) => {
              pending = false;
              if (!subscriber.closed) fail(error);
            },
          ).then(undefined, (error: unknown) => {
            // Only reached if reporting itself threw: release the key all the same.
            pending = false;
            if (subscriber.closed) return;
            internal('workFailed', 'reporting the outcome threw', error);
            subscriber.complete();
          });
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
          abortWith(new ControllerError('reconcileCancelled', `reconcile of ${describe(item.ref)} was cancelled at shutdown`, { ...item.ref }));
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
