/**
 * `shardedReflector(api, store, active$, options)`: keeps a store filled with the objects of a
 * replica's shard — the buckets it is active in — and restarts the watch each time that set
 * changes. With server-side filtering (KEP-5866 `shardSelector`) the API server sends only the
 * shard's events; without it every event arrives and the ones outside the shard are dropped here,
 * before the store, so the store holds the same share either way.
 *
 * A restart relists the new share. Its `initApply` events of objects that were in the shard
 * before the restart and did not change (same `resourceVersion` as the store has) still reach
 * the store but are not passed on, so a hand-over reconciles the objects that moved, not the
 * whole share again.
 *
 * @module
 */
import { NEVER, Observable, asyncScheduler, concat, debounceTime, defer, distinctUntilChanged, filter, of, switchMap, type SchedulerLike } from 'rxjs';
import type { KubeObject } from '../core/resource.js';
import type { ShardField } from '../core/shard-selector.js';
import { BucketSet, bucketOf } from './bucket-set.js';
import { reflector } from './reflector.js';
import type { Store, StoreWriter } from './store.js';
import { watcherWithErrors, type WatchSource, type WatcherConfig, type WatcherItem } from './watcher.js';
import type { WatcherEvent } from './watcher-event.js';

/**
 * Options of {@link shardedReflector}.
 *
 * ## Example
 * ```ts
 * const options: ShardedReflectorOptions = { serverSide: true, watcher: { labelSelector: 'app=web' } };
 * ```
 */
export interface ShardedReflectorOptions {
  /** Send the shard as `shardSelector` (the server filters) rather than filter here. */
  serverSide: boolean;
  /** The field objects are sharded by. @default 'object.metadata.uid' */
  field?: ShardField;
  /** Selectors and settings of the watch (its `shardSelector` is replaced). @default {} */
  watcher?: WatcherConfig;
  /**
   * Waits this long after the shard changed before restarting the watch, so that the few changes
   * of one hand-over cost one relist. Safety does not depend on it: work is admitted by the gate,
   * not by the watch. @default 200
   */
  restartDelayMs?: number;
  /** Told of each object event the watch received (before the client-side filter): for metrics. */
  onReceived?: (event: WatcherEvent<unknown>) => void;
  /** Clock of the restart delay and the watcher. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/**
 * The bucket an object falls in, by `field` (its uid or its namespace), as the API server hashes it.
 *
 * ## Example
 * ```ts
 * shardBucketOf(widget, 64); // 0..63, from widget.metadata.uid
 * ```
 */
export function shardBucketOf(object: KubeObject, total: number, field: ShardField = 'object.metadata.uid'): number {
  const m = object.metadata;
  return bucketOf((field === 'object.metadata.namespace' ? m?.namespace : m?.uid) ?? '', total);
}

/**
 * Watches the objects of `api` in the buckets `active$` names, into `store` (its reader and
 * writer), passing the events on like {@link reflector}. An empty set is an empty, ready store.
 *
 * ## Example
 * ```ts
 * const { reader, writer } = store<Widget>();
 * shardedReflector(widgets, { reader, writer }, gate.active$.pipe(startWith(gate.active)), { serverSide: true })
 *   .subscribe((e) => e.type === 'apply' && console.log(e.object.metadata?.name));
 * ```
 */
export function shardedReflector<K extends KubeObject>(
  api: WatchSource<K>,
  store: { readonly reader: Store<K>; readonly writer: StoreWriter<K> },
  active$: Observable<BucketSet>,
  options: ShardedReflectorOptions,
): Observable<WatcherItem<K>> {
  const field = options.field ?? 'object.metadata.uid';
  const scheduler = options.scheduler ?? asyncScheduler;
  const { shardSelector: _ignored, ...base } = options.watcher ?? {};
  const config: WatcherConfig = base.scheduler === undefined && options.scheduler !== undefined ? { ...base, scheduler } : base;
  const delay = options.restartDelayMs ?? 200;
  const { reader, writer } = store;
  return defer(() => {
    let previous: BucketSet | undefined;

    const watchShard = (active: BucketSet): Observable<WatcherItem<K>> => {
      if (active.isEmpty) {
        // Nothing of ours: an empty listing, so the store is empty and ready, then quiet.
        const listing: WatcherEvent<K>[] = [{ type: 'init' }, { type: 'initDone' }];
        return reflector<K, WatcherItem<K>>(writer, concat(of(...listing), NEVER));
      }
      const items$ = options.serverSide
        ? watcherWithErrors<K>(api, { ...config, shardSelector: active.toSelector(field).print() })
        : watcherWithErrors<K>(api, config);
      const inShard = (object: K): boolean => active.has(shardBucketOf(object, active.total, field));
      const received = options.onReceived;
      const filtered$ = items$.pipe(
        filter((item) => {
          if (item.type !== 'apply' && item.type !== 'initApply' && item.type !== 'delete') return true;
          received?.(item);
          return options.serverSide || inShard(item.object);
        }),
      );
      // The first listing after a restart: objects that stayed in the shard and did not change were
      // reconciled already; the store takes them, the controller need not hear of them again.
      const kept = previous === undefined ? undefined : previous.intersect(active);
      previous = active;
      let restartListing = kept !== undefined && !kept.isEmpty;
      return reflectorSkipping(writer, filtered$, (item) => {
        if (!restartListing) return false;
        if (item.type === 'initDone') restartListing = false;
        if (item.type !== 'initApply') return false;
        const object = item.object;
        if (!kept!.has(shardBucketOf(object, active.total, field))) return false;
        const stored = reader.get({ name: object.metadata?.name ?? '', namespace: object.metadata?.namespace });
        return stored !== undefined && stored.metadata?.resourceVersion === object.metadata?.resourceVersion;
      });
    };

    return active$.pipe(
      distinctUntilChanged((a, b) => a.equals(b)),
      delay > 0 ? debounceTime(delay, scheduler) : (x) => x,
      switchMap((active) => watchShard(active)),
    );
  });
}

/**
 * Like {@link reflector}, but items for which `skip` holds (checked before the store applies
 * them, so it can compare with what the store had) reach the store and are not passed on.
 */
function reflectorSkipping<K>(
  writer: StoreWriter<K>,
  items$: Observable<WatcherItem<K>>,
  skip: (item: WatcherItem<K>) => boolean,
): Observable<WatcherItem<K>> {
  return new Observable<WatcherItem<K>>((subscriber) => {
    const sub = items$.subscribe({
      next: (item) => {
        const skipped = skip(item);
        if (item.type !== 'error') writer.apply(item);
        if (!skipped) subscriber.next(item);
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
