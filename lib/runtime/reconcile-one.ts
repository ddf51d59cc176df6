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
import { Observable, isObservable, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { Action, type ErrorPolicy } from './action.js';
import { ControllerError, type ControllerErrorReason } from './controller-error.js';
import { METRICS, type MetricLabels, type MetricsSink } from './metrics.js';
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
 *   its backoff. Comes right after the step that threw (after the `reconciled`/`failed` result
 *   when reporting it threw).
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
  const shared = new Shared(deps);
  return (item, cancellation) =>
    new Observable<ControllerResult>((subscriber) => {
      const run = new ReconcileRun(shared, item, cancellation, subscriber);
      run.start();
      return () => run.teardown();
    });
}

/**
 * What every reconcile of one controller shares: its dependencies, label sets made once, and the
 * metrics sink guarded so that a throwing sink cannot keep a reconcile from completing (its key
 * would stay running); what it threw is reported by the reconcile it happened in.
 */
class Shared<K, C> implements MetricsSink {
  readonly ctl: MetricLabels;
  readonly queue: MetricLabels;
  readonly success: MetricLabels;
  readonly requeueAfter: MetricLabels;
  readonly error: MetricLabels;
  metricsError: unknown = NONE;

  constructor(readonly deps: ReconcileDeps<K, C>) {
    this.ctl = { controller: deps.controllerName };
    this.queue = { name: deps.controllerName };
    this.success = { controller: deps.controllerName, result: 'success' };
    this.requeueAfter = { controller: deps.controllerName, result: 'requeue_after' };
    this.error = { controller: deps.controllerName, result: 'error' };
  }

  inc(name: string, labels: MetricLabels, by?: number): void {
    try {
      this.deps.metrics.inc(name, labels, by);
    } catch (error) {
      this.metricsError = error;
    }
  }

  set(name: string, labels: MetricLabels, value: number): void {
    try {
      this.deps.metrics.set(name, labels, value);
    } catch (error) {
      this.metricsError = error;
    }
  }

  observe(name: string, labels: MetricLabels, value: number): void {
    try {
      this.deps.metrics.observe(name, labels, value);
    } catch (error) {
      this.metricsError = error;
    }
  }
}

/** One reconcile: a small state machine driven by the reconciler's outcome, a timeout and a cancellation. */
class ReconcileRun<K, C> {
  private abort: AbortController | undefined;
  private settled = false;
  /** A Promise is in flight: the reconcile has not really ended even if it timed out. */
  private pending = false;
  private timer: Subscription | undefined;
  private inner: Subscription | undefined;
  private started = 0;

  constructor(
    private readonly shared: Shared<K, C>,
    private readonly item: ScheduledItem<ControllerRef, ReconcileReason>,
    private readonly cancellation: WorkCancellation | undefined,
    private readonly subscriber: Subscriber<ControllerResult>,
  ) {}

  start(): void {
    const { shared, item } = this;
    const { reader, reconcile, context, clock, timeoutMs } = shared.deps;
    this.started = clock.now();
    shared.observe(METRICS.workqueueQueueDurationSeconds, shared.queue, Math.max(0, this.started - Math.max(item.dueAt, item.queuedAt)) / 1000);
    const object = reader.get(item.ref);
    if (object === undefined) {
      shared.deps.backoff.forget(item.key);
      shared.inc(METRICS.reconcileSkippedTotal, shared.ctl);
      this.flushMetricsError();
      this.subscriber.complete();
      return;
    }
    // Reported by this run, not by whichever run next looks.
    this.flushMetricsError();
    if (timeoutMs !== undefined) {
      this.timer = clock.schedule(
        () => this.fail(new ControllerError('reconcileTimeout', `reconcile of ${describe(item.ref)} took longer than ${timeoutMs} ms`, { ...item.ref })),
        timeoutMs,
      );
    }
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const run = this;
    const info: ReconcileInfo = {
      ref: item.ref,
      reason: item.reason,
      // Created on first use: most reconcilers never look at it, and it is not free.
      get signal(): AbortSignal {
        run.abort ??= new AbortController();
        return run.abort.signal;
      },
    };
    try {
      const result = reconcile(object, context, info);
      if (isObservable(result)) {
        let last: Action = Action.awaitChange();
        const subscription = result.subscribe({
          next: (a) => (last = a),
          error: (e: unknown) => this.fail(e),
          complete: () => this.succeed(last),
        });
        if (this.settled) subscription.unsubscribe();
        else this.inner = subscription;
      } else if (isPromiseLike(result)) {
        this.pending = true;
        // One `then`, whose callbacks cannot throw: no second Promise per reconcile, and no
        // unhandled rejection whatever reporting the outcome does.
        result.then(
          (action) => this.settledWith(action, undefined, false),
          (error: unknown) => this.settledWith(undefined, error, true),
        );
      } else {
        this.succeed(result);
      }
    } catch (error) {
      this.fail(error);
    }
    // Only work that is still going on can be cancelled (loss of leadership, shutdown).
    if (!this.subscriber.closed) this.cancellation?.onCancel((reason) => this.cancelled(reason));
  }

  private settledWith(action: Action | undefined, error: unknown, failed: boolean): void {
    this.pending = false;
    if (this.subscriber.closed) return;
    try {
      if (failed) this.fail(error);
      else this.succeed(action ?? Action.awaitChange());
    } catch (thrown) {
      // Only reached if reporting itself threw: release the key all the same.
      if (this.subscriber.closed) return;
      this.internal('workFailed', 'reporting the outcome threw', thrown);
      this.subscriber.complete();
    }
  }

  teardown(): void {
    this.timer?.unsubscribe();
    this.inner?.unsubscribe();
    if (!this.settled) {
      this.settled = true;
      this.abortWith(new ControllerError('reconcileCancelled', `reconcile of ${describe(this.item.ref)} was cancelled at shutdown`, { ...this.item.ref }));
    }
  }

  private cancelled(reason: unknown): void {
    this.abortWith(reason);
    if (this.inner !== undefined && !this.settled) {
      // An Observable reconcile ends when unsubscribed: cancelled, no result.
      this.settled = true;
      this.timer?.unsubscribe();
      this.inner.unsubscribe();
      this.subscriber.complete();
    }
  }

  private abortWith(reason: unknown): void {
    this.abort ??= new AbortController();
    if (!this.abort.signal.aborted) this.abort.abort(reason);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.timer?.unsubscribe();
    const { shared } = this;
    shared.observe(METRICS.reconcileTimeSeconds, shared.ctl, (shared.deps.clock.now() - this.started) / 1000);
    return true;
  }

  /** Completes once the reconcile has really ended (not while its Promise is in flight). */
  private finish(): void {
    if (!this.pending) this.subscriber.complete();
  }

  private succeed(action: Action): void {
    if (this.settle()) {
      const { shared, item } = this;
      shared.deps.backoff.forget(item.key);
      shared.inc(METRICS.reconcileTotal, action.type === 'requeue' ? shared.requeueAfter : shared.success);
      if (action.type === 'requeue') shared.deps.requeue(item.ref, action.afterMs, REQUEUE);
      this.subscriber.next({ type: 'reconciled', ref: item.ref, reason: item.reason, action });
      this.flushMetricsError();
    }
    this.finish();
  }

  private fail(error: unknown): void {
    if (this.settle()) {
      const { shared, item } = this;
      const { backoff, retryLimit, errorPolicy, context, requeue } = shared.deps;
      this.inner?.unsubscribe();
      this.abortWith(error);
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
      shared.inc(METRICS.reconcileTotal, shared.error);
      shared.inc(METRICS.reconcileErrorsTotal, shared.ctl);
      if (action.type === 'requeue') {
        shared.inc(METRICS.workqueueRetriesTotal, shared.queue);
        requeue(item.ref, action.afterMs, ERROR_BACKOFF);
      }
      this.subscriber.next({ type: 'failed', ref: item.ref, reason: item.reason, error, action });
      if (policyError !== NONE) this.internal('errorPolicyFailed', 'the error policy threw; retrying with the backoff', policyError);
      this.flushMetricsError();
    }
    this.finish();
  }

  private internal(reason: ControllerErrorReason, message: string, cause: unknown): void {
    const { item } = this;
    const error = new ControllerError(reason, `${message} (reconcile of ${describe(item.ref)})`, { ...item.ref }, cause);
    this.subscriber.next({ type: 'internalError', ref: item.ref, reason: item.reason, error });
  }

  private flushMetricsError(): void {
    const { shared } = this;
    if (shared.metricsError === NONE) return;
    const cause = shared.metricsError;
    shared.metricsError = NONE;
    this.internal('metricsFailed', 'the metrics sink threw', cause);
  }
}

function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<T>).then === 'function';
}

function describe(ref: ControllerRef): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}
