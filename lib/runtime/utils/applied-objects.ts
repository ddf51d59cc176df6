/**
 * `appliedObjects()`: the objects that exist, from a watcher stream.
 *
 * @module
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { WatcherEvent } from '../watcher-event.js';

/**
 * Emits the object of every `initApply` and `apply` event; drops deletes and listing markers.
 *
 * ## Example
 * ```ts
 * watcher(api).pipe(appliedObjects()).subscribe((cm) => console.log(cm.metadata?.name));
 * ```
 */
export function appliedObjects<K>(): OperatorFunction<WatcherEvent<K>, K> {
  return (source) =>
    new Observable<K>((subscriber) =>
      source.subscribe({
        next: (e) => {
          if (e.type === 'apply' || e.type === 'initApply') subscriber.next(e.object);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
