/**
 * The events a watcher emits: the kube-rs contract, as a discriminated union.
 *
 * @module
 */

/**
 * One event of a {@link watcher} stream.
 * - `init`: a (re)listing begins. Objects seen before may be gone; keep serving the old state until
 *   `initDone`.
 * - `initApply`: one object of that listing.
 * - `initDone`: the listing is complete; any object not seen since `init` no longer exists.
 * - `apply`: an object was added or modified after the listing.
 * - `delete`: an object was deleted (the last state the server had). It may also come between
 *   `init` and `initDone` (a streaming list whose server sent a delete before its end): the object
 *   is gone from that listing too.
 *
 * ## Example
 * ```ts
 * watcher(api).subscribe((e) => {
 *   if (e.type === 'apply' || e.type === 'initApply') console.log('seen', e.object.metadata?.name);
 *   if (e.type === 'delete') console.log('gone', e.object.metadata?.name);
 * });
 * ```
 */
export type WatcherEvent<K> =
  | { readonly type: 'init' }
  | { readonly type: 'initApply'; readonly object: K }
  | { readonly type: 'initDone' }
  | { readonly type: 'apply'; readonly object: K }
  | { readonly type: 'delete'; readonly object: K };

/** The `type` tags of {@link WatcherEvent}. */
export type WatcherEventType = WatcherEvent<unknown>['type'];
