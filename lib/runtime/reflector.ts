/**
 * `reflector(writer, events$)`: keeps a store in step with a watcher stream while passing the
 * events on unchanged.
 *
 * @module
 */
import { Observable } from 'rxjs';
import type { StoreWriter } from './store.js';
import type { WatcherEvent } from './watcher-event.js';
import type { WatcherItem } from './watcher.js';

/**
 * Applies every event of `events$` to `writer`, then passes it on. Subscribing runs the watch;
 * a complete listing replaces the store's contents atomically on `initDone`. Error items of
 * `watcherWithErrors` pass through untouched. When the stream stops (unsubscribed, errored or
 * completed) the store is marked stale (`writer.stale()`): it is not ready again before the next
 * complete listing, so nothing takes an old cache for a fresh one.
 *
 * ## Example
 * ```ts
 * const { reader, writer } = store<ConfigMap>();
 * const events$ = reflector(writer, watcher(api));
 * events$.pipe(appliedObjects()).subscribe((cm) => console.log(cm.metadata?.name, reader.size));
 * ```
 */
export function reflector<K, E extends WatcherItem<K> = WatcherEvent<K>>(writer: StoreWriter<K>, events$: Observable<E>): Observable<E> {
  return new Observable<E>((subscriber) => {
    const sub = events$.subscribe({
      next: (event) => {
        if (event.type !== 'error') writer.apply(event);
        subscriber.next(event);
      },
      error: (e: unknown) => subscriber.error(e),
      complete: () => subscriber.complete(),
    });
    return () => {
      sub.unsubscribe();
      writer.stale?.();
    };
  });
}
