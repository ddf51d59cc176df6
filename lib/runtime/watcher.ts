/**
 * `watcher(api, config)`: a cold Observable of {@link WatcherEvent}s that lists, then watches, and
 * never gives up. It resumes from the last resourceVersion when the server ends a watch, relists
 * only on 410 Gone, reconnects when the stream goes silent, and retries every failure with a
 * backoff. Failures are reported on a side channel (see {@link watcherWithErrors}).
 *
 * @module
 */
import { Observable, Subscription, asyncScheduler, take, type SchedulerAction, type SchedulerLike } from 'rxjs';
import { DecodeError } from '../core/error-boundary.js';
import { KubeError } from '../core/errors.js';
import type { ObjectList } from '../core/object.js';
import type { ListParams, WatchParams } from '../core/params.js';
import type { KubeObject } from '../core/resource.js';
import type { WatchEvent } from '../core/response.js';
import { defaultBackoffPolicy, INITIAL_BACKOFF_STATE, nextBackoff, type BackoffPolicy } from './backoff.js';
import { WatcherError } from './watcher-error.js';
import type { WatcherEvent } from './watcher-event.js';
import {
  EMPTY_WATCH_MS,
  EMPTY_WATCHER_STATE,
  watcherRequest,
  watcherStep,
  type WatcherInput,
  type WatcherNext,
  type WatcherRequestOptions,
  type WatcherState,
} from './watcher-step.js';

export type { WatcherEvent } from './watcher-event.js';
export { WatcherError, isWatcherError, type WatcherErrorReason } from './watcher-error.js';

/**
 * What a watcher needs from an `Api<K>`: a cold paged LIST and a cold raw WATCH, both aborting
 * their HTTP request on unsubscribe. Every `Api<K>` satisfies it; tests pass fakes.
 *
 * ## Example
 * ```ts
 * const source: WatchSource<ConfigMap> = Api.namespaced(client, ConfigMapType, 'default');
 * ```
 */
export interface WatchSource<K> {
  list$(params: ListParams): Observable<ObjectList<K>>;
  watch(params: WatchParams): Observable<WatchEvent<K>>;
}

/**
 * Options of {@link watcher}.
 *
 * ## Example
 * ```ts
 * const config: WatcherConfig = { labelSelector: 'app=web', initialListStrategy: 'streamingList' };
 * ```
 */
export interface WatcherConfig {
  /** Only objects matching this label selector. */
  labelSelector?: string;
  /** Only objects matching this field selector. */
  fieldSelector?: string;
  /**
   * Only objects whose hashed uid (or namespace) is in these ranges (`ShardSelector.print()`;
   * KEP-5866, needs the `ShardedListAndWatch` feature on the server, which otherwise ignores it —
   * see `shardFilteringSupported` in `rxkube/runtime` to find out, and filter on the client then).
   */
  shardSelector?: string;
  /** Server-side timeout of each WATCH, below 295. @default 290 */
  timeoutSeconds?: number;
  /**
   * Objects per LIST page, with `listWatch` (chosen, or fallen back to from a streaming list). Each page
   * is a round trip: against a server that refuses streaming lists, 10,000 ConfigMaps synced in 1.03x
   * the time of one bare unpaged LIST with pages of 5,000, and in 1.62x with pages of 500
   * (`npm run bench:sync -- --watch-list off`; client-node's informer, one unpaged LIST, 1.12x). A page
   * is held whole while it is decoded: lower it when objects are very large. @default 5000
   */
  pageSize?: number;
  /** Ask for BOOKMARK events, so reconnects resume from a recent resourceVersion. @default true */
  bookmarks?: boolean;
  /**
   * `mostRecent`: a consistent read from etcd. `any`: `resourceVersion=0`, served from the
   * watch cache (cheaper; may be slightly stale; the server ignores paging then). @default 'mostRecent'
   */
  listSemantic?: 'mostRecent' | 'any';
  /**
   * `listWatch`: paged LIST, then WATCH. `streamingList`: one WATCH with `sendInitialEvents=true`,
   * whose initial phase ends on the `k8s.io/initial-events-end` bookmark. A server that does not
   * serve streaming lists (it refuses with a 4xx such as 422 when its `WatchList` feature gate is off,
   * or ends the watch before the bookmark) makes the watcher fall back to `listWatch` for the rest of
   * its life, reported once as a `streamingListUnsupported` {@link WatcherError}. Streaming lists are
   * the default (as in client-go since 1.35): served from the watch cache, they synced 10,000 objects
   * in 0.97x the time of one bare unpaged LIST, against 1.2-1.5x for pages of 500 (`npm run bench:sync`).
   * @default 'streamingList'
   */
  initialListStrategy?: 'listWatch' | 'streamingList';
  /** Retry delays; merged over {@link defaultBackoffPolicy}. */
  backoff?: Partial<BackoffPolicy>;
  /** Random source for the backoff jitter, in `[0, 1)`. @default Math.random */
  random?: () => number;
  /** Extra silence, beyond `timeoutSeconds`, after which a watch is taken for dead. @default 5 */
  idleMarginSeconds?: number;
  /** Clock for backoff delays and idle timeouts. @default asyncScheduler */
  scheduler?: SchedulerLike;
  /**
   * Called with every failure the watcher recovers from (only by {@link watcher}; the failures
   * are items of {@link watcherWithErrors}). A throwing callback errors the stream.
   */
  onError?: (error: WatcherError) => void;
}

/** An item of {@link watcherWithErrors}: an event, or a failure the watcher is recovering from. */
export type WatcherItem<K> = WatcherEvent<K> | { readonly type: 'error'; readonly error: WatcherError };

function requestOptions(c: WatcherConfig): WatcherRequestOptions {
  return {
    ...(c.labelSelector === undefined ? {} : { labelSelector: c.labelSelector }),
    ...(c.fieldSelector === undefined ? {} : { fieldSelector: c.fieldSelector }),
    ...(c.shardSelector === undefined || c.shardSelector === '' ? {} : { shardSelector: c.shardSelector }),
    timeoutSeconds: c.timeoutSeconds ?? 290,
    pageSize: c.pageSize ?? 5000,
    bookmarks: c.bookmarks ?? true,
    listSemantic: c.listSemantic ?? 'mostRecent',
    initialListStrategy: c.initialListStrategy ?? 'streamingList',
  };
}

/**
 * The watcher with its failures in the stream: emits {@link WatcherEvent}s and, for each failure
 * it recovers from, `{ type: 'error', error: WatcherError }`. It never errors or completes by
 * itself; unsubscribing aborts the current request at once.
 *
 * This is the primitive; {@link watcher} is this stream with the error items handed to
 * `config.onError`. Use this one when failures should flow through operators (metrics, logging).
 *
 * ## Example
 * ```ts
 * watcherWithErrors(api).subscribe((item) => {
 *   if (item.type === 'error') console.warn(item.error.reason, item.error.message);
 * });
 * ```
 */
export function watcherWithErrors<K extends KubeObject>(api: WatchSource<K>, config: WatcherConfig = {}): Observable<WatcherItem<K>> {
  return new Observable<WatcherItem<K>>((subscriber) => {
    let options = requestOptions(config);
    const policy: BackoffPolicy = { ...defaultBackoffPolicy(), ...config.backoff };
    const random = config.random ?? Math.random;
    const scheduler = config.scheduler ?? asyncScheduler;
    const idleMs = (options.timeoutSeconds + (config.idleMarginSeconds ?? 5)) * 1000;
    let state: WatcherState = EMPTY_WATCHER_STATE;
    let backoff = INITIAL_BACKOFF_STATE;
    let attempt = new Subscription();
    subscriber.add(() => attempt.unsubscribe());

    const handle = (input: WatcherInput<K>): void => {
      let r: ReturnType<typeof watcherStep<K>>;
      try {
        r = watcherStep(state, input);
      } catch (cause) {
        // A shape the step function did not foresee: report it and start over, never die silently.
        const error = new WatcherError('watchFailed', `unexpected data from the server: ${cause instanceof Error ? cause.message : String(cause)}`, {
          cause,
          context: { phase: state.phase },
        });
        state = EMPTY_WATCHER_STATE;
        subscriber.next({ type: 'error', error });
        proceed('retry', error);
        return;
      }
      state = r.state;
      // Success proves the connection healthy again: the next failure starts the backoff over
      // (kube-rs resets on any successful item), so a second incident soon after the first one,
      // or a routine 410 relist, does not wait as long as the end of the previous incident.
      if ((input.type === 'listed' || (input.type === 'event' && input.event.type !== 'ERROR')) && r.error === undefined) {
        backoff = INITIAL_BACKOFF_STATE;
      }
      if (r.fallBackToListWatch) options = { ...options, initialListStrategy: 'listWatch' };
      const events = r.events;
      for (let i = 0; i < events.length; i++) subscriber.next(events[i]!);
      if (r.error !== undefined) subscriber.next({ type: 'error', error: r.error });
      proceed(r.next, r.error);
    };

    const proceed = (next: WatcherNext, error: unknown): void => {
      if (next === 'read' || subscriber.closed) return;
      attempt.unsubscribe();
      let delay = 0;
      if (next === 'retry') {
        const b = nextBackoff(policy, backoff, scheduler.now(), random);
        backoff = b.state;
        delay = Math.max(refused(error) ? Math.min(b.delayMs, policy.refusedMaxMs) : b.delayMs, retryAfterMs(error));
      }
      attempt = new Subscription();
      attempt.add(scheduler.schedule(start, delay));
    };

    const start = (): void => {
      const current = new Subscription();
      attempt = current;
      const request = watcherRequest(state, options);
      if (request.kind === 'list') {
        let got = false;
        current.add(
          api.list$(request.params).pipe(take(1)).subscribe({
            next: (page) => {
              got = true;
              // An empty or non-list body (a proxy's empty 200, a 200 with HTML) is a failed LIST, not a crash.
              if (isObjectList(page)) handle({ type: 'listed', page });
              else handle({ type: 'listFailed', error: notAList(page) });
            },
            error: (error: unknown) => handle({ type: 'listFailed', error }),
            complete: () => {
              if (!got) handle({ type: 'listFailed', error: new KubeError('the LIST completed without a response') });
            },
          }),
        );
      } else {
        // Idle detection without a timer per event: remember when the last event came, and let one
        // scheduled check re-arm itself for the time that is left.
        const startedAt = scheduler.now();
        let lastEventAt = startedAt;
        let delivered = false;
        current.add(
          scheduler.schedule(function (this: SchedulerAction<unknown>) {
            const quiet = scheduler.now() - lastEventAt;
            if (quiet < idleMs) {
              this.schedule(undefined, idleMs - quiet);
              return;
            }
            const error = new KubeError(`no watch event for ${idleMs / 1000} s: the connection is taken for dead`, { context: { idleMs } });
            handle({ type: 'failed', error });
          }, idleMs),
        );
        current.add(
          api.watch(request.params).subscribe({
            next: (event) => {
              lastEventAt = scheduler.now();
              delivered = true;
              handle({ type: 'event', event });
            },
            error: (error: unknown) => handle({ type: 'failed', error }),
            complete: () => handle({ type: 'ended', empty: !delivered && scheduler.now() - startedAt < EMPTY_WATCH_MS }),
          }),
        );
      }
    };

    attempt.add(scheduler.schedule(start));
  });
}

/**
 * Whether the failure is a refused TCP connection (nothing listens: the API server is restarting).
 * Such a retry costs the server nothing, so its delay is capped at `refusedMaxMs`: the watcher is
 * back within about a second of the server's return instead of waiting out a long backoff.
 */
function refused(error: unknown): boolean {
  const cause = error instanceof WatcherError ? error.cause : error;
  return typeof cause === 'object' && cause !== null && (cause as { code?: unknown }).code === 'ECONNREFUSED';
}

function isObjectList(page: unknown): page is ObjectList<never> {
  if (typeof page !== 'object' || page === null || Array.isArray(page)) return false;
  const items = (page as { items?: unknown }).items;
  return items === undefined || items === null || Array.isArray(items);
}

function notAList(page: unknown): DecodeError {
  const what = page === null || page === undefined || page === '' ? 'an empty body' : Array.isArray(page) ? 'an array' : typeof page === 'object' ? 'an object whose items is not an array' : `a ${typeof page}`;
  return new DecodeError(`the LIST answer is ${what}, not an object list`, { field: 'items' });
}

/** `Retry-After` of a 429/503 answer, when the error carries it (`retryAfterSeconds` or a header). */
function retryAfterMs(error: unknown): number {
  const cause = error instanceof WatcherError ? error.cause : error;
  if (typeof cause !== 'object' || cause === null) return 0;
  const e = cause as { retryAfterSeconds?: unknown; details?: { retryAfterSeconds?: unknown }; status?: { details?: { retryAfterSeconds?: unknown } } };
  const s = e.retryAfterSeconds ?? e.details?.retryAfterSeconds ?? e.status?.details?.retryAfterSeconds;
  return typeof s === 'number' && s > 0 ? s * 1000 : 0;
}

/**
 * Lists, then watches, the objects of `api`, forever: a cold Observable of {@link WatcherEvent}s
 * following kube-rs's contract (`init`, `initApply`…, `initDone`, then `apply`/`delete`).
 *
 * - A normal end of a watch re-watches from the last resourceVersion (bookmarks advance it).
 * - 410 Gone (on start, or as an ERROR event) relists: a new `init` … `initDone` sequence.
 * - No event for `timeoutSeconds + 5` s means a dead connection: reconnect.
 * - A watch that ends at once without any event is a failure (`emptyWatch`), not a reason to re-watch at once.
 * - Every failure is retried after a backoff (800 ms → 30 s, ×2, jittered; reset by the next event,
 *   bookmark or LIST page; at most 1 s while connections are refused) and reported to `config.onError` as a {@link WatcherError}; the stream never errors or
 *   completes by itself. Unsubscribing aborts the HTTP request at once.
 *
 * ## Example
 * ```ts
 * const api = Api.namespaced(client, ConfigMapType, 'default');
 * watcher(api, { labelSelector: 'app=web', onError: (e) => console.warn(e.reason, e.message) })
 *   .subscribe((e) => console.log(e.type));
 * ```
 */
export function watcher<K extends KubeObject>(api: WatchSource<K>, config: WatcherConfig = {}): Observable<WatcherEvent<K>> {
  const onError = config.onError;
  return new Observable<WatcherEvent<K>>((subscriber) =>
    watcherWithErrors(api, config).subscribe({
      next: (item) => {
        if (item.type !== 'error') subscriber.next(item);
        else if (onError !== undefined) {
          try {
            onError(item.error);
          } catch (e) {
            subscriber.error(e);
          }
        }
      },
      error: (e: unknown) => subscriber.error(e),
      complete: () => subscriber.complete(),
    }),
  );
}
