/**
 * The watcher's state machine as a pure function: `watcherStep(state, input)` returns the next
 * state, the events to emit, the failure to report, and what the driver does next. The driver in
 * `watcher.ts` only performs the requests `watcherRequest(state)` describes and feeds back what
 * happened, so every transition is testable without HTTP or time.
 *
 * @module
 */
import type { ListParams, WatchParams } from '../core/params.js';
import type { ObjectList } from '../core/object.js';
import type { KubeObject } from '../core/resource.js';
import { INITIAL_EVENTS_END_ANNOTATION, type Status, type WatchEvent } from '../core/response.js';
import { DecodeError, identify } from '../core/error-boundary.js';
import { sourceTextOf, withSourceText } from '../core/source-text.js';
import { ApiError } from '../client/errors.js';
import { WatcherError, type WatcherErrorReason } from './watcher-error.js';
import type { WatcherEvent } from './watcher-event.js';

/**
 * Where a watcher stands.
 * - `empty`: nothing known; the next request starts a listing (a paged LIST, or a streaming-list WATCH).
 * - `initPage`: a paged LIST is under way; `continueToken` fetches the next page.
 * - `initialWatch`: a streaming list is under way, until the `k8s.io/initial-events-end` bookmark.
 * - `watching`: listed; watching from `resourceVersion`, which every event and bookmark advances.
 */
export type WatcherState =
  | { readonly phase: 'empty' }
  | { readonly phase: 'initPage'; readonly continueToken: string }
  | { readonly phase: 'initialWatch'; readonly resourceVersion: string | undefined }
  | { readonly phase: 'watching'; readonly resourceVersion: string };

/** The state a watcher starts in. */
export const EMPTY_WATCHER_STATE: WatcherState = Object.freeze({ phase: 'empty' });

/**
 * What happened to the request the driver made.
 * - `listed`: a LIST page arrived. `listFailed`: the LIST failed.
 * - `event`: the WATCH delivered an event. `ended`: the server ended the WATCH normally; `empty`
 *   says it delivered nothing at all and ended right after it started (see {@link EMPTY_WATCH_MS}).
 * - `failed`: the WATCH could not start, broke, stalled past the idle timeout, or sent bad data.
 */
export type WatcherInput<K> =
  | { readonly type: 'listed'; readonly page: ObjectList<K> }
  | { readonly type: 'listFailed'; readonly error: unknown }
  | { readonly type: 'event'; readonly event: WatchEvent<K> }
  | { readonly type: 'ended'; readonly empty?: boolean }
  | { readonly type: 'failed'; readonly error: unknown };

/**
 * A WATCH that ends within this many milliseconds of its start without delivering a single event
 * or bookmark counts as a failure (and is retried after a backoff), like client-go's "very short
 * watch": a server, proxy or load balancer that ends every watch at once would otherwise make the
 * watcher re-watch in a hot loop.
 */
export const EMPTY_WATCH_MS = 1000;

/**
 * What the driver does after a step.
 * - `read`: keep reading the current stream.
 * - `request`: drop the current request and make `watcherRequest(state)` now.
 * - `retry`: drop the current request and make `watcherRequest(state)` after a backoff delay.
 */
export type WatcherNext = 'read' | 'request' | 'retry';

/** The outcome of one {@link watcherStep}. */
export interface WatcherStepResult<K> {
  readonly state: WatcherState;
  readonly events: readonly WatcherEvent<K>[];
  readonly error?: WatcherError;
  readonly next: WatcherNext;
  /**
   * The server does not serve streaming lists: the driver makes every later listing a paged LIST
   * (`initialListStrategy: 'listWatch'`) for the rest of its life. Set together with a
   * `streamingListUnsupported` error, so the fallback is reported once.
   */
  readonly fallBackToListWatch?: true;
}

/** The request options {@link watcherRequest} needs (resolved from `WatcherConfig`). */
export interface WatcherRequestOptions {
  labelSelector?: string;
  fieldSelector?: string;
  shardSelector?: string;
  timeoutSeconds: number;
  pageSize: number;
  bookmarks: boolean;
  listSemantic: 'mostRecent' | 'any';
  initialListStrategy: 'listWatch' | 'streamingList';
}

/** A request the driver should make: one LIST page or one WATCH. */
export type WatcherRequest =
  | { readonly kind: 'list'; readonly params: ListParams }
  | { readonly kind: 'watch'; readonly params: WatchParams };

const INIT = Object.freeze({ type: 'init' as const });
const INIT_DONE = Object.freeze({ type: 'initDone' as const });
const NO_EVENTS: readonly never[] = Object.freeze([]);

/**
 * The HTTP status code of a failure, if it has one: `ApiError.code`, or the `code` of a `Status`.
 *
 * ## Example
 * ```ts
 * statusCodeOf({ code: 410 }); // 410
 * statusCodeOf(new Error('socket hang up')); // undefined
 * ```
 */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; status?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.status === 'object' && e.status !== null) {
    const code = (e.status as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  if (typeof e.status === 'number') return e.status;
  return undefined;
}

/**
 * The request to make in `state`.
 *
 * ## Example
 * ```ts
 * watcherRequest({ phase: 'watching', resourceVersion: '42' }, opts);
 * // { kind: 'watch', params: { resourceVersion: '42', bookmarks: true, timeoutSeconds: 290, ... } }
 * ```
 */
export function watcherRequest(state: WatcherState, o: WatcherRequestOptions): WatcherRequest {
  const selectors: { labelSelector?: string; fieldSelector?: string; shardSelector?: string } = {};
  if (o.labelSelector !== undefined) selectors.labelSelector = o.labelSelector;
  if (o.fieldSelector !== undefined) selectors.fieldSelector = o.fieldSelector;
  if (o.shardSelector !== undefined) selectors.shardSelector = o.shardSelector;
  switch (state.phase) {
    case 'empty':
    case 'initialWatch':
      if (o.initialListStrategy === 'streamingList') {
        const params: WatchParams = {
          ...selectors,
          timeoutSeconds: o.timeoutSeconds,
          bookmarks: true,
          sendInitialEvents: true,
          resourceVersionMatch: 'NotOlderThan',
        };
        if (o.listSemantic === 'any') params.resourceVersion = '0';
        return { kind: 'watch', params };
      }
      return {
        kind: 'list',
        params: { ...selectors, limit: o.pageSize, ...(o.listSemantic === 'any' ? { resourceVersion: '0' } : {}) },
      };
    case 'initPage':
      return { kind: 'list', params: { ...selectors, limit: o.pageSize, continueToken: state.continueToken } };
    case 'watching':
      return {
        kind: 'watch',
        params: { ...selectors, resourceVersion: state.resourceVersion, bookmarks: o.bookmarks, timeoutSeconds: o.timeoutSeconds },
      };
  }
}

function rvOf(object: unknown): string | undefined {
  const rv = (object as KubeObject | undefined)?.metadata?.resourceVersion;
  return rv === undefined || rv === '' ? undefined : rv;
}

function failure<K>(
  state: WatcherState,
  reason: WatcherErrorReason,
  message: string,
  cause: unknown,
  keepState: WatcherState,
): WatcherStepResult<K> {
  const code = statusCodeOf(cause);
  const gone = code === 410;
  const context: Record<string, unknown> = { phase: state.phase };
  if ('resourceVersion' in state && state.resourceVersion !== undefined) context.resourceVersion = state.resourceVersion;
  if (code !== undefined) context.code = code;
  const error = new WatcherError(reason, message, { cause, context, gone });
  return { state: gone ? EMPTY_WATCHER_STATE : keepState, events: NO_EVENTS, error, next: 'retry' };
}

/** The `Status` of an ERROR event as an {@link ApiError}, so `instanceof`, stacks and guards (`isGone`) work. */
function statusError(status: Status): ApiError {
  const code = typeof status.code === 'number' && status.code > 0 ? status.code : 500;
  return new ApiError({ verb: 'watch', method: 'GET', path: '(watch stream)' }, code, status);
}

/** The object of an event or listing that cannot be stored: it has no `metadata.name`. */
function nameless(object: unknown): DecodeError | undefined {
  const name = (object as KubeObject | undefined)?.metadata?.name;
  if (typeof name === 'string' && name !== '') return undefined;
  const id = identify(object);
  const rv = rvOf(object);
  const what = [id.kind, id.namespace === undefined ? undefined : `in ${id.namespace}`, rv === undefined ? undefined : `at resourceVersion ${rv}`]
    .filter((x) => x !== undefined)
    .join(' ');
  return new DecodeError(`${what === '' ? 'an object' : `a ${what}`} has no metadata.name: it cannot be stored`, { object: id, field: 'metadata.name' });
}

function invalidObject(state: WatcherState, cause: DecodeError, skipped: number): WatcherError {
  const context: Record<string, unknown> = { phase: state.phase, skipped };
  if ('resourceVersion' in state && state.resourceVersion !== undefined) context.resourceVersion = state.resourceVersion;
  const more = skipped > 1 ? ` (and ${skipped - 1} more)` : '';
  return new WatcherError('invalidObject', `skipped an object the server sent: ${cause.message}${more}`, { cause, context });
}

/**
 * Whether a failure of a streaming list means the server does not serve them: a 4xx answer other
 * than 410 (resume from scratch) and 429 (come back later), e.g. 422 Invalid "sendInitialEvents is
 * forbidden for watch unless the WatchList feature gate is enabled" or 400/403 from a proxy or an
 * aggregated API server, or 501. client-go falls back to LIST + WATCH on any failure of the
 * streaming list but connection refused, 429 and 410; rxkube retries 5xx and broken connections as
 * for any watch, since those say nothing about the server's features.
 */
function refusesStreamingList(code: number | undefined): boolean {
  if (code === undefined) return false;
  return (code >= 400 && code < 500 && code !== 410 && code !== 429) || code === 501;
}

function streamingListUnsupported<K>(state: WatcherState, why: string, cause: unknown, events: readonly WatcherEvent<K>[]): WatcherStepResult<K> {
  const code = statusCodeOf(cause);
  const context: Record<string, unknown> = { phase: state.phase, fallback: 'listWatch' };
  if (code !== undefined) context.code = code;
  const error = new WatcherError('streamingListUnsupported', `the server does not serve streaming lists (${why}); listing with LIST + WATCH from now on`, {
    ...(cause === undefined ? {} : { cause }),
    context,
  });
  return { state: EMPTY_WATCHER_STATE, events, error, next: 'request', fallBackToListWatch: true };
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function onPage<K>(state: WatcherState, page: ObjectList<K>, first: boolean): WatcherStepResult<K> {
  const items = page.items ?? [];
  const events: WatcherEvent<K>[] = first ? [INIT] : [];
  let bad: DecodeError | undefined;
  let skipped = 0;
  for (const object of items) {
    const invalid = nameless(object);
    if (invalid === undefined) events.push({ type: 'initApply', object });
    else {
      bad ??= invalid;
      skipped++;
    }
  }
  const skippedError = bad === undefined ? undefined : invalidObject(state, bad, skipped);
  const token = page.metadata?.continue;
  if (token) return { state: { phase: 'initPage', continueToken: token }, events, next: 'request', ...(skippedError === undefined ? {} : { error: skippedError }) };
  const rv = page.metadata?.resourceVersion;
  if (!rv) {
    const error = new WatcherError('noResourceVersion', 'the LIST response has no metadata.resourceVersion to watch from', {
      context: { phase: state.phase, items: items.length },
    });
    return { state: EMPTY_WATCHER_STATE, events, error, next: 'retry' };
  }
  events.push(INIT_DONE);
  return { state: { phase: 'watching', resourceVersion: rv }, events, next: 'request', ...(skippedError === undefined ? {} : { error: skippedError }) };
}

function watchFailed<K>(state: WatcherState, error: unknown, keep: WatcherState): WatcherStepResult<K> {
  const started = statusCodeOf(error) === undefined;
  return started
    ? failure(state, 'watchFailed', `the watch stream failed: ${describe(error)}`, error, keep)
    : failure(state, 'watchStartFailed', `the server refused to start the watch: ${describe(error)}`, error, keep);
}

function onInitialEvent<K>(rv: string | undefined, event: WatchEvent<K>, prefix: WatcherEvent<K>[]): WatcherStepResult<K> {
  const state: WatcherState = { phase: 'initialWatch', resourceVersion: rv };
  switch (event.type) {
    case 'ADDED':
    case 'MODIFIED': {
      const next: WatcherState = { phase: 'initialWatch', resourceVersion: rvOf(event.object) ?? rv };
      const invalid = nameless(event.object);
      if (invalid !== undefined) return { state: next, events: prefix, error: invalidObject(state, invalid, 1), next: 'read' };
      prefix.push(withSourceText({ type: 'initApply', object: event.object }, sourceTextOf(event)));
      return { state: next, events: prefix, next: 'read' };
    }
    case 'DELETED': {
      // The docs say a streaming list's initial events are ADDED only, but kube-apiserver sends the
      // initial-events-end bookmark through its input queue when it could not build it up front, after
      // any newer event: a delete here removes an object of this listing (client-go keeps the initial
      // phase in a temporary store for the same reason). It goes out as a `delete` the store also
      // applies to the listing it is building.
      const next: WatcherState = { phase: 'initialWatch', resourceVersion: rvOf(event.object) ?? rv };
      const invalid = nameless(event.object);
      if (invalid !== undefined) return { state: next, events: prefix, error: invalidObject(state, invalid, 1), next: 'read' };
      prefix.push({ type: 'delete', object: event.object });
      return { state: next, events: prefix, next: 'read' };
    }
    case 'BOOKMARK': {
      const next = rvOf(event.object) ?? rv;
      if ((event.object.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.[INITIAL_EVENTS_END_ANNOTATION] !== 'true') {
        return { state: { phase: 'initialWatch', resourceVersion: next }, events: prefix, next: 'read' };
      }
      if (next === undefined) {
        const error = new WatcherError('noResourceVersion', 'the initial-events-end bookmark has no resourceVersion', {
          context: { phase: 'initialWatch' },
        });
        return { state: EMPTY_WATCHER_STATE, events: prefix, error, next: 'retry' };
      }
      prefix.push(INIT_DONE);
      return { state: { phase: 'watching', resourceVersion: next }, events: prefix, next: 'read' };
    }
    case 'ERROR': {
      const message = event.object.message ?? event.object.reason ?? 'unknown';
      if (refusesStreamingList(statusCodeOf(event.object))) {
        return streamingListUnsupported(state, `it answered the streaming list with an error event: ${message}`, statusError(event.object), prefix);
      }
      const r = failure<K>(state, 'watchError', `the server sent an error during the streaming list: ${message}`, statusError(event.object), EMPTY_WATCHER_STATE);
      return { ...r, events: prefix };
    }
  }
}

/**
 * One transition of the watcher. Pure: same state and input, same result.
 *
 * ## Example
 * ```ts
 * const r = watcherStep({ phase: 'watching', resourceVersion: '5' }, { type: 'event', event: { type: 'ERROR', object: { code: 410 } } });
 * r.state; // { phase: 'empty' }: relist
 * r.error?.reason; // 'watchError'
 * ```
 */
export function watcherStep<K>(state: WatcherState, input: WatcherInput<K>): WatcherStepResult<K> {
  switch (state.phase) {
    case 'empty':
      switch (input.type) {
        case 'listed':
          return onPage(state, input.page, true);
        case 'listFailed':
          return failure(state, 'initialListFailed', `the initial LIST failed: ${describe(input.error)}`, input.error, state);
        case 'event':
          return onInitialEvent(undefined, input.event, [INIT]);
        case 'ended':
          return streamingListUnsupported(state, 'the streaming list ended without any event, not even its initial-events-end bookmark', undefined, NO_EVENTS);
        case 'failed':
          if (refusesStreamingList(statusCodeOf(input.error))) {
            return streamingListUnsupported(state, `it refused the streaming list: ${describe(input.error)}`, input.error, NO_EVENTS);
          }
          return watchFailed(state, input.error, state);
      }
      break;
    case 'initPage':
      switch (input.type) {
        case 'listed':
          return onPage(state, input.page, false);
        case 'listFailed':
          return failure(state, 'initialListFailed', `a page of the initial LIST failed: ${describe(input.error)}`, input.error, state);
        default:
          return { state, events: NO_EVENTS, next: 'read' };
      }
    case 'initialWatch':
      switch (input.type) {
        case 'event':
          return onInitialEvent(state.resourceVersion, input.event, []);
        case 'ended':
          // A server that serves streaming lists sends the bookmark right after the initial events;
          // one that ignores `sendInitialEvents` streams ordinary events until its watch times out.
          return streamingListUnsupported(state, 'the streaming list ended before its initial-events-end bookmark', undefined, NO_EVENTS);
        case 'failed':
          return watchFailed(state, input.error, EMPTY_WATCHER_STATE);
        default:
          return { state, events: NO_EVENTS, next: 'read' };
      }
    case 'watching':
      switch (input.type) {
        case 'event': {
          const event = input.event;
          switch (event.type) {
            case 'ADDED':
            case 'MODIFIED':
            case 'DELETED': {
              const next: WatcherState = { phase: 'watching', resourceVersion: rvOf(event.object) ?? state.resourceVersion };
              const invalid = nameless(event.object);
              if (invalid !== undefined) return { state: next, events: NO_EVENTS, error: invalidObject(state, invalid, 1), next: 'read' };
              const out: WatcherEvent<K> = event.type === 'DELETED' ? { type: 'delete', object: event.object } : withSourceText({ type: 'apply', object: event.object }, sourceTextOf(event));
              return { state: next, events: [out], next: 'read' };
            }
            case 'BOOKMARK':
              return { state: { phase: 'watching', resourceVersion: rvOf(event.object) ?? state.resourceVersion }, events: NO_EVENTS, next: 'read' };
            case 'ERROR':
              return failure(state, 'watchError', `the server sent an error event: ${event.object.message ?? event.object.reason ?? 'unknown'}`, statusError(event.object), state);
          }
          break;
        }
        case 'ended':
          if (input.empty === true) {
            return failure(state, 'emptyWatch', `the server ended the watch within ${EMPTY_WATCH_MS} ms without sending any event`, undefined, state);
          }
          return { state, events: NO_EVENTS, next: 'request' };
        case 'failed':
          return watchFailed(state, input.error, state);
        default:
          return { state, events: NO_EVENTS, next: 'read' };
      }
  }
  return { state, events: NO_EVENTS, next: 'read' };
}
