/**
 * `eventModify(fn)`: changes the objects inside watcher events, keeping the events.
 *
 * @module
 */
import { map, type OperatorFunction } from 'rxjs';
import type { WatcherEvent } from '../watcher-event.js';

/**
 * Maps the object of every `initApply`, `apply` and `delete` event through `fn`; `init` and
 * `initDone` pass unchanged. `fn` may change the object in place and return it.
 *
 * ## Example
 * ```ts
 * watcher(api).pipe(eventModify(dropManagedFields));
 * watcher(api).pipe(eventModify((pod) => ({ ...pod, status: undefined })));
 * ```
 */
export function eventModify<K, R = K>(fn: (object: K) => R): OperatorFunction<WatcherEvent<K>, WatcherEvent<R>> {
  return map((e: WatcherEvent<K>): WatcherEvent<R> => {
    switch (e.type) {
      case 'init':
      case 'initDone':
        return e;
      case 'initApply':
        return { type: 'initApply', object: fn(e.object) };
      case 'apply':
        return { type: 'apply', object: fn(e.object) };
      case 'delete':
        return { type: 'delete', object: fn(e.object) };
    }
  });
}
