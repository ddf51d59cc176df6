/**
 * The typed failure a watcher reports (and then recovers from) on its error side channel.
 *
 * @module
 */
import { ERROR_BRAND, KubeError, type KubeErrorOptions } from '../core/errors.js';

/**
 * Which step of the watch failed.
 * - `initialListFailed`: a page of the initial LIST failed.
 * - `watchStartFailed`: the server refused to start a WATCH (an HTTP error status, e.g. 410 Gone),
 *   including the WATCH of a streaming list.
 * - `watchError`: the server sent an `ERROR` event in the stream (e.g. 410 Expired mid-stream).
 * - `watchFailed`: the stream broke: connection lost, idle timeout, an undecodable line.
 * - `noResourceVersion`: a listing or bookmark came without a resourceVersion to resume from.
 * - `emptyWatch`: the server ended a WATCH at once without any event or bookmark (retried after a
 *   backoff, not at once, so a misbehaving proxy cannot cause a hot loop).
 * - `invalidObject`: the server sent an object that cannot be stored (no `metadata.name`); it was
 *   skipped, the watch goes on. `cause` is a `DecodeError` naming the object.
 * - `streamingListUnsupported`: the server does not serve streaming lists (`initialListStrategy:
 *   'streamingList'`): it refused one with a 4xx (422 when its `WatchList` feature gate is off) or
 *   ended it before the initial-events-end bookmark. The watcher lists with LIST + WATCH from then
 *   on, at once (no backoff); reported once per watcher.
 */
export type WatcherErrorReason =
  | 'initialListFailed'
  | 'watchStartFailed'
  | 'watchError'
  | 'watchFailed'
  | 'noResourceVersion'
  | 'emptyWatch'
  | 'invalidObject'
  | 'streamingListUnsupported';

/**
 * A failure of one attempt of a watcher. The watcher itself never errors: it reports this on its
 * side channel (`onError`, or `{ type: 'error' }` items of `watcherWithErrors`) and retries after
 * a backoff, relisting when `gone` is set.
 *
 * ## Example
 * ```ts
 * watcher(api, { onError: (e) => log.warn(e.reason, e.message, e.context) }).subscribe();
 * ```
 */
export class WatcherError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.WatcherError';
  override readonly name: string = 'WatcherError';

  constructor(
    readonly reason: WatcherErrorReason,
    message: string,
    options: KubeErrorOptions & {
      /** The resourceVersion was too old (410 Gone / Expired): the next attempt relists. */
      gone?: boolean;
    } = {},
  ) {
    super(message, options);
    this.gone = options.gone ?? false;
  }

  /** Whether this failure made the watcher throw away its resourceVersion and relist. */
  readonly gone: boolean;
}

/**
 * Type guard for {@link WatcherError}.
 *
 * ## Example
 * ```ts
 * if (isWatcherError(e) && e.reason === 'watchError') metrics.watchErrors++;
 * ```
 */
export function isWatcherError(e: unknown): e is WatcherError {
  return e instanceof WatcherError;
}
