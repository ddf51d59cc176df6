/**
 * `reflector(writer, events$)`: keeps a store in step with a watcher stream while passing the
 * events on unchanged.
 *
 * @module
 */
import { Observable } from 'rxjs';
import type { StoreWriter } from './store.js';
import type { WatcherEvent } from './watcher-event.js';

/**
 * Applies every event of `events$` to `writer`, then passes it on. Subscribing runs the watch;
 * a complete listing replaces the store's contents atomically on `initDone`.
 *
 * ## Example
 * ```ts
 * const { reader, writer } = store<ConfigMap>();
 * const events$ = reflector(writer, watcher(api));
 * events$.pipe(appliedObjects()).subscribe((cm) => console.log(cm.metadata?.name, reader.size));
 * ```
 */
export function reflector<K>(writer: StoreWriter<K>, events$: Observable<WatcherEvent<K>>): Observable<WatcherEvent<K>> {
  return new Observable<WatcherEvent<K>>((subscriber) =>
    events$.subscribe({
      next: (event) => {
        writer.apply(event);
        subscriber.next(event);
      },
      error: (e: unknown) => subscriber.error(e),
      complete: () => subscriber.complete(),
    }),
  );
}
