/**
 * One watch, many subscribers: `sharedReflector(api, config)` runs a single watcher + store for
 * as long as anyone listens, and gives each subscriber — however late — the current state as one
 * synthetic listing before the live changes (kube-rs #1630). `ReflectorRegistry` hands out one
 * shared reflector per resource, namespace and selectors.
 *
 * @module
 */
import { Observable, ignoreElements, share } from 'rxjs';
import type { KubeObject } from '../core/resource.js';
import { reflector } from './reflector.js';
import { store, type Store, type StoreOptions } from './store.js';
import { watcher, type WatchSource, type WatcherConfig } from './watcher.js';
import type { WatcherEvent } from './watcher-event.js';

/**
 * A store fed by one shared watch.
 *
 * ## Example
 * ```ts
 * const pods = sharedReflector(podApi, { labelSelector: 'app=web' });
 * pods.events$.subscribe(handleA); // starts the watch
 * pods.events$.subscribe(handleB); // same watch; first gets the current state, then changes
 * await pods.reader.ready();
 * ```
 */
export interface SharedReflector<K> {
  /** The shared store (kept up to date while `events$` has a subscriber). */
  readonly reader: Store<K>;
  /**
   * Subscribing keeps the shared watch running. Each subscriber gets the current state as one
   * listing (`init`, `initApply`…, `initDone`) if the store is ready, then every change as the
   * store applies it; relistings arrive as one complete listing, never a partial one.
   */
  readonly events$: Observable<WatcherEvent<K>>;
}

/**
 * Creates a {@link SharedReflector}: the watch starts with the first subscriber of `events$` and
 * stops with the last one; the store keeps its last state in between.
 *
 * ## Example
 * ```ts
 * const cms = sharedReflector(api, {}, { transform: dropManagedFields });
 * const sub = cms.events$.subscribe();
 * ```
 */
export function sharedReflector<K extends KubeObject>(
  api: WatchSource<K>,
  config: WatcherConfig = {},
  options: StoreOptions<K> = {},
): SharedReflector<K> {
  const { reader, writer } = store<K>(options);
  const running$ = reflector(writer, watcher(api, config)).pipe(ignoreElements(), share());
  const events$ = new Observable<WatcherEvent<K>>((subscriber) => {
    const sub = reader.listing$().subscribe(subscriber);
    sub.add(running$.subscribe({ error: (e: unknown) => subscriber.error(e), complete: () => subscriber.complete() }));
    return sub;
  });
  return { reader, events$ };
}

/** What the registry reads from an `Api` to tell resources apart (every `Api<K>` has it). */
interface Identified {
  readonly resourceType?: { readonly group?: string; readonly version?: string; readonly plural?: string };
  readonly namespace?: string | undefined;
}

/**
 * Shares reflectors between the parts of a program (controllers, handlers) that watch the same
 * thing: one watch per (resource, namespace, label selector, field selector, list strategy).
 *
 * ## Example
 * ```ts
 * const registry = new ReflectorRegistry();
 * const a = registry.reflector(podApi, { labelSelector: 'app=web' });
 * const b = registry.reflector(podApi, { labelSelector: 'app=web' });
 * a === b; // true
 * ```
 */
export class ReflectorRegistry {
  private readonly entries = new Map<string, SharedReflector<unknown>>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;

  /**
   * The shared reflector for `api` and `config`, created on first use. Store options only apply
   * when it is created.
   */
  reflector<K extends KubeObject>(api: WatchSource<K>, config: WatcherConfig = {}, options: StoreOptions<K> = {}): SharedReflector<K> {
    const key = this.keyOf(api, config);
    let entry = this.entries.get(key) as SharedReflector<K> | undefined;
    if (entry === undefined) {
      entry = sharedReflector(api, config, options);
      this.entries.set(key, entry as SharedReflector<unknown>);
    }
    return entry;
  }

  /** How many distinct reflectors exist. */
  get size(): number {
    return this.entries.size;
  }

  private keyOf(api: object, config: WatcherConfig): string {
    const r = (api as Identified).resourceType;
    const ns = (api as Identified).namespace;
    let resource: string;
    if (r !== undefined && r.plural !== undefined) {
      resource = `${r.group ?? ''}/${r.version ?? ''}/${r.plural}@${ns ?? '*'}`;
    } else {
      let id = this.ids.get(api);
      if (id === undefined) this.ids.set(api, (id = this.nextId++));
      resource = `#${id}`;
    }
    return [resource, config.labelSelector ?? '', config.fieldSelector ?? '', config.initialListStrategy ?? 'streamingList', config.listSemantic ?? 'mostRecent'].join('|');
  }
}
