/**
 * The controller's runner: an RxJS operator that runs work for due items with a global
 * concurrency limit (through `mergeMap`) while never running two items of the same object at
 * once. It is client-go's work queue in stream form: a "dirty" map deduplicates waiting items and
 * a "processing" set excludes running objects; any number of items that arrive for a running
 * object collapse into one follow-up run after it. The controller itself now uses `workQueue`,
 * which also holds a key until its work has really ended; this operator stays for streams of
 * your own.
 *
 * @module
 */
import {
  Observable,
  Subject,
  asyncScheduler,
  from,
  mergeMap,
  take,
  type ObservableInput,
  type OperatorFunction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';

/** Settings of {@link runner}. */
export interface RunnerOptions<I> {
  /** Runs at most this many items at once; `0` or `Infinity` means unbounded. @default 16 */
  concurrency?: number;
  /**
   * Nothing starts until this resolves (a Promise) or emits/completes (an Observable): pass
   * the readiness of every store the work reads. Items that arrive before are held, deduplicated.
   */
  ready?: ObservableInput<unknown>;
  /**
   * Graceful stop: when this emits, queued items are dropped, no new item starts, and the output
   * completes once the running items have finished (or `shutdownTimeoutMs` has passed).
   */
  stop$?: Observable<unknown>;
  /**
   * How long running work may go on after a stop or an unsubscribe before it is cancelled
   * (unsubscribed). @default 30_000 (controller-runtime's graceful shutdown)
   */
  shutdownTimeoutMs?: number;
  /**
   * Combines an item that arrives for an object that already waits with the waiting one.
   * @default keep the waiting item (it was queued first)
   */
  merge?: (waiting: I, incoming: I) => I;
  /** Told the number of waiting (not running) items whenever it changes: `workqueue_depth`. */
  onDepth?: (depth: number) => void;
}

/**
 * Runs `work(item)` for every item, keyed by `item.key`:
 * - two items with the same key never run at the same time; items arriving while their key runs
 *   wait, collapsed into one, and run right after;
 * - at most `concurrency` items run at once; waiting keys are started in arrival order;
 * - nothing starts before `ready`;
 * - the output emits what the work emits, completes when the input has completed and all work is
 *   done, and errors if a work item errors (wrap work in `catchError` to keep going).
 *
 * Unsubscribing starts nothing new; running work is left to finish for up to
 * `shutdownTimeoutMs` (its results are no longer delivered) and then cancelled.
 *
 * ## Example
 * ```ts
 * due$.pipe(
 *   runner((item) => reconcileOne(item.ref), { concurrency: 16, ready: store.ready() }),
 * ).subscribe((result) => console.log(result));
 * ```
 *
 * @param work Starts the work of one item; a Promise, an Observable or any ObservableInput.
 * @param options Concurrency, readiness, stop signal and shutdown timeout.
 * @param scheduler Timer source of the shutdown timeout.
 */
export function runner<I extends { readonly key: string }, R>(
  work: (item: I) => ObservableInput<R>,
  options: RunnerOptions<I> = {},
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<I, R> {
  const concurrency =
    options.concurrency === undefined ? 16 : options.concurrency <= 0 ? Infinity : options.concurrency;
  const graceMs = Math.max(0, options.shutdownTimeoutMs ?? 30_000);
  const merge = options.merge ?? ((waiting: I) => waiting);
  return (source) =>
    new Observable<R>((subscriber) => {
      const dirty = new Map<string, I>();
      const processing = new Set<string>();
      const keys = new Subject<string>();
      let ready = options.ready === undefined;
      let inputDone = false;
      let stopped = false;
      let forced = false;
      const onDepth = options.onDepth;

      const depth = (): void => onDepth?.(dirty.size);
      const checkDone = (): void => {
        if (processing.size === 0 && (stopped || (inputDone && dirty.size === 0))) keys.complete();
      };
      const finished = (key: string): void => {
        processing.delete(key);
        if (!stopped && ready && dirty.has(key)) keys.next(key);
        checkDone();
      };
      // One run of the waiting item of `key`. If it is unsubscribed before it is done (shutdown),
      // the work goes on, its results discarded, for the grace period, and is then cancelled.
      const run = (key: string): Observable<R> =>
        new Observable<R>((inner) => {
          const item = dirty.get(key);
          if (stopped || item === undefined) {
            inner.complete();
            return undefined;
          }
          dirty.delete(key);
          processing.add(key);
          depth();
          let done = false;
          const sub = from(work(item)).subscribe({
            next: (v) => inner.next(v),
            error: (e: unknown) => {
              done = true;
              inner.error(e);
            },
            complete: () => {
              done = true;
              inner.complete();
            },
          });
          return () => {
            const grace = forced ? 0 : graceMs;
            if (done || sub.closed || grace <= 0) sub.unsubscribe();
            else sub.add(scheduler.schedule(() => sub.unsubscribe(), grace));
            finished(key);
          };
        });

      const output = keys.pipe(mergeMap(run, concurrency)).subscribe({
        next: (v) => subscriber.next(v),
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });

      const input = source.subscribe({
        next(item) {
          if (stopped) return;
          const waiting = dirty.get(item.key);
          if (waiting !== undefined) {
            dirty.set(item.key, merge(waiting, item));
            return;
          }
          dirty.set(item.key, item);
          depth();
          if (ready && !processing.has(item.key)) keys.next(item.key);
        },
        error(err) {
          subscriber.error(err);
        },
        complete() {
          inputDone = true;
          checkDone();
        },
      });
      output.add(input);

      if (options.ready !== undefined) {
        const readySub: Subscription = from(options.ready)
          .pipe(take(1))
          .subscribe({
            next: () => undefined,
            error: (err) => subscriber.error(err),
            complete: () => {
              if (ready) return;
              ready = true;
              for (const key of [...dirty.keys()]) if (!processing.has(key)) keys.next(key);
              checkDone();
            },
          });
        output.add(readySub);
      }

      if (options.stop$ !== undefined) {
        const stopSub = options.stop$.pipe(take(1)).subscribe(() => {
          stopped = true;
          input.unsubscribe();
          dirty.clear();
          depth();
          checkDone();
          if (!subscriber.closed && graceMs > 0) {
            output.add(
              scheduler.schedule(() => {
                forced = true;
                subscriber.complete();
              }, graceMs),
            );
          } else if (!subscriber.closed) {
            forced = true;
            subscriber.complete();
          }
        });
        output.add(stopSub);
      }

      return () => {
        stopped = true;
        input.unsubscribe();
        output.unsubscribe();
        dirty.clear();
      };
    });
}
