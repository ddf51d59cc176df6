/**
 * `metadataWatcher(api, config)`: a watcher of the metadata only (`PartialObjectMetadata`) —
 * names, labels, annotations, owners, finalizers — at a fraction of the memory and bandwidth.
 *
 * @module
 */
import type { Observable } from 'rxjs';
import type { ObjectList, PartialObjectMetadata } from '../core/object.js';
import type { ListParams, WatchParams } from '../core/params.js';
import type { WatchEvent } from '../core/response.js';
import { watcher, watcherWithErrors, type WatcherConfig, type WatcherItem } from './watcher.js';
import type { WatcherEvent } from './watcher-event.js';

/**
 * What a metadata watcher needs from an `Api<K>` (every `Api<K>` has both methods).
 *
 * ## Example
 * ```ts
 * const source: MetadataWatchSource = Api.namespaced(client, PodType, 'default');
 * ```
 */
export interface MetadataWatchSource {
  listMetadata$(params: ListParams): Observable<ObjectList<PartialObjectMetadata>>;
  watchMetadata(params: WatchParams): Observable<WatchEvent<PartialObjectMetadata>>;
}

function asSource(api: MetadataWatchSource) {
  return {
    list$: (p: ListParams) => api.listMetadata$(p),
    watch: (p: WatchParams) => api.watchMetadata(p),
  };
}

/**
 * Like {@link watcher}, but LISTs and WATCHes `PartialObjectMetadata`: every event carries only
 * `apiVersion`, `kind` and `metadata`. Same contract, backoff and error side channel.
 *
 * ## Example
 * ```ts
 * metadataWatcher(podApi, { labelSelector: 'app=web' })
 *   .pipe(appliedObjects())
 *   .subscribe((m) => console.log(m.metadata.name, m.metadata.ownerReferences));
 * ```
 */
export function metadataWatcher(api: MetadataWatchSource, config: WatcherConfig = {}): Observable<WatcherEvent<PartialObjectMetadata>> {
  return watcher(asSource(api), config);
}

/**
 * {@link metadataWatcher} with its failures as `{ type: 'error' }` items (see `watcherWithErrors`).
 *
 * ## Example
 * ```ts
 * metadataWatcherWithErrors(podApi).subscribe((i) => i.type === 'error' && console.warn(i.error.message));
 * ```
 */
export function metadataWatcherWithErrors(api: MetadataWatchSource, config: WatcherConfig = {}): Observable<WatcherItem<PartialObjectMetadata>> {
  return watcherWithErrors(asSource(api), config);
}
