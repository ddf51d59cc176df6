/**
 * `shardFilteringSupported(api)`: does the API server filter LIST and WATCH by `shardSelector`
 * (KEP-5866, feature gate `ShardedListAndWatch`)? A server without the feature ignores the
 * parameter and answers with every object, so a sharded controller must find out before it relies
 * on it: a LIST of one object with a selector of the whole hash space is answered with
 * `metadata.shardInfo` only by a server that applied it.
 *
 * @module
 */
import { Observable, map, take } from 'rxjs';
import type { ObjectList } from '../core/object.js';
import type { ListParams } from '../core/params.js';
import { ShardSelector, type ShardField } from '../core/shard-selector.js';

/**
 * Asks the server (one LIST, `limit=1`) whether it filters by shard selector: emits `true` or
 * `false` and completes; a failed request errors (a 400 names a bad selector, a 403 missing
 * rights to list).
 *
 * ## Example
 * ```ts
 * const serverSide = await firstValueFrom(shardFilteringSupported(Api.namespaced(client, Widget, 'default')));
 * ```
 */
export function shardFilteringSupported(
  api: { list$(params: ListParams): Observable<ObjectList<unknown>> },
  field: ShardField = 'object.metadata.uid',
): Observable<boolean> {
  return api.list$({ limit: 1, shardSelector: ShardSelector.all(field).print() }).pipe(
    take(1),
    map((list) => typeof list.metadata?.shardInfo?.selector === 'string'),
  );
}
