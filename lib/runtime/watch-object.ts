/**
 * `watchObject(api, name)`: the life of one object as a stream of its states — the object, or
 * `undefined` while it does not exist.
 *
 * @module
 */
import { Observable } from 'rxjs';
import type { KubeObject } from '../core/resource.js';
import { watcher, type WatchSource, type WatcherConfig } from './watcher.js';

/**
 * Watches one object by name (a `metadata.name=<name>` field selector on the api's namespace).
 * Emits its current state after each listing and after every change: the object, or `undefined`
 * when it is absent or deleted. Never errors; failures go to `config.onError`.
 *
 * ## Example
 * ```ts
 * watchObject(cmApi, 'settings').subscribe((cm) => console.log(cm?.data ?? 'absent'));
 * ```
 */
export function watchObject<K extends KubeObject>(
  api: WatchSource<K>,
  name: string,
  config: Omit<WatcherConfig, 'fieldSelector'> = {},
): Observable<K | undefined> {
  return new Observable<K | undefined>((subscriber) => {
    let pending: K | undefined;
    let listing = false;
    return watcher(api, { ...config, fieldSelector: `metadata.name=${name}` }).subscribe({
      next: (e) => {
        switch (e.type) {
          case 'init':
            pending = undefined;
            listing = true;
            return;
          case 'initApply':
            if (e.object.metadata?.name === name) pending = e.object;
            return;
          case 'initDone':
            subscriber.next(pending);
            pending = undefined;
            listing = false;
            return;
          case 'apply':
            if (e.object.metadata?.name === name) subscriber.next(e.object);
            return;
          case 'delete':
            if (e.object.metadata?.name !== name) return;
            // During a listing the delete takes back what the listing had; `initDone` says the outcome.
            if (listing) pending = undefined;
            else subscriber.next(undefined);
            return;
        }
      },
      error: (err: unknown) => subscriber.error(err),
      complete: () => subscriber.complete(),
    });
  });
}
