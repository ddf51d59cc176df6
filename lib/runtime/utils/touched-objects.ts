/**
 * `touchedObjects()`: every object a watcher stream mentions, deleted ones included.
 *
 * @module
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { WatcherEvent } from '../watcher-event.js';

/**
 * Emits the object of every `initApply`, `apply` and `delete` event (for triggers that must also
 * react to deletions).
 *
 * ## Example
 * ```ts
 * watcher(api).pipe(touchedObjects()).subscribe((cm) => queue.add(cm.metadata?.name));
 * ```
 */
export function touchedObjects<K>(): OperatorFunction<WatcherEvent<K>, K> {
  return (source) =>
    new Observable<K>((subscriber) =>
      source.subscribe({
        next: (e) => {
          if (e.type === 'apply' || e.type === 'initApply' || e.type === 'delete') subscriber.next(e.object);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
