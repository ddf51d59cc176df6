/**
 * The in-memory cache a reflector fills: `store<K>()` returns a `reader` to query and a `writer`
 * that applies watcher events. A relisting is buffered and swapped in atomically on `initDone`,
 * so readers never see a half-listed state. Secondary indexes, readiness, a snapshot stream and a
 * change stream come with it.
 *
 * @module
 */
import {
  BehaviorSubject,
  Observable,
  Subject,
  distinctUntilChanged,
  filter,
  firstValueFrom,
  map,
  shareReplay,
  startWith,
  switchMap,
  take,
} from 'rxjs';
import { LabelSelector, type Labels } from '../core/label-selector.js';
import type { KubeObject } from '../core/resource.js';
import { sourceTextOf } from '../core/source-text.js';
import type { WatcherEvent } from './watcher-event.js';

/** What identifies an object in a store: its name and, for namespaced kinds, its namespace (an `ObjectRef` fits). */
export interface StoreRef {
  readonly name: string;
  readonly namespace?: string | undefined;
}

/** An index function: the index values an object is filed under (none, one or many). */
export type IndexFn<K> = (object: K) => readonly string[];

/**
 * Options of {@link store}.
 *
 * ## Example
 * ```ts
 * const { reader, writer } = store<Pod>({ transform: dropManagedFields, indexes: { node: (p) => [p.spec?.nodeName ?? ''] } });
 * ```
 */
export interface StoreOptions<K> {
  /**
   * Runs on every object before it is stored (and before indexes see it), e.g.
   * {@link dropManagedFields}. It may change the object in place and return it.
   */
  transform?: (object: K) => K;
  /** Secondary indexes to keep from the start (more can be added with `addIndex`). */
  indexes?: Readonly<Record<string, IndexFn<K>>>;
  /**
   * Keep each object as its UTF-8 JSON text instead of the decoded object, and decode it on every
   * read. The text is the watch line the object came in (no encoding again) when the event carries
   * it (see {@link sourceTextOf}); otherwise, and always with a `transform`, the object is encoded
   * with `JSON.stringify`. Default `false`.
   *
   * What it buys: a kept object is one flat byte array outside the JavaScript heap instead of a tree
   * of hundreds of small objects, so the garbage collector neither copies it out of the young
   * generation nor marks it again and again (`npm run bench:watch`: the store path runs at the
   * watcher's speed instead of half of it), and it takes about half the memory (`npm run bench:store`).
   * What it costs: every read (`get`, `list`, `find`, `filter`, `byIndex`, `state$`, `listing$`)
   * decodes, and returns a new object each time (so two reads are never `===`, and changing what a
   * read returned changes nothing in the store). Changes made in place to an event's object after it
   * was decoded are not kept, as the line is: change objects with `transform` instead. Suits large
   * caches read a few objects at a time, such as a controller's (which reads one object per
   * reconcile).
   */
  compact?: boolean;
}

/**
 * The read side of a store.
 *
 * ## Example
 * ```ts
 * await reader.ready();
 * reader.get({ name: 'web', namespace: 'default' });
 * reader.filter('app=web').length;
 * reader.addIndex('node', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
 * reader.byIndex('node', 'worker-1');
 * ```
 */
export interface Store<K> {
  /** The object with this name (and namespace), if present. */
  get(ref: StoreRef): K | undefined;
  /** Every object, in no particular order (a new array). */
  list(): K[];
  /** The first object for which `predicate` holds. */
  find(predicate: (object: K) => boolean): K | undefined;
  /** The objects whose labels match a selector (`app=web,tier in (fe)` or `{ app: 'web' }`). */
  filter(selector: string | Labels | LabelSelector): K[];
  /** How many objects are stored. */
  readonly size: number;
  /** Whether the first complete listing has been applied. */
  isReady(): boolean;
  /** Resolves once the first complete listing has been applied. */
  ready(): Promise<void>;
  /** `false` until the first complete listing has been applied, then `true` (replays the current value). */
  readonly ready$: Observable<boolean>;
  /** Adds (or replaces) a secondary index and builds it from the current objects. */
  addIndex(name: string, fn: IndexFn<K>): void;
  /** The objects filed under `value` in index `name` (throws for an unknown index). */
  byIndex(name: string, value: string): K[];
  /**
   * A snapshot (`list()`) once ready and after every change; shared among subscribers with
   * `shareReplay({ bufferSize: 1, refCount: true })`. Each snapshot costs O(size): prefer
   * `changes$` on large stores.
   */
  readonly state$: Observable<readonly K[]>;
  /**
   * Every change once it is in the store: `apply`, `delete`, and each complete listing as
   * `init`, `initApply`…, `initDone` in one burst (never a partial listing).
   */
  readonly changes$: Observable<WatcherEvent<K>>;
  /**
   * The current state as one synthetic listing (`init`, `initApply`…, `initDone`, if ready), then
   * `changes$`: what a late subscriber needs to catch up.
   */
  listing$(): Observable<WatcherEvent<K>>;
}

/**
 * The write side of a store: feed it every watcher event (see {@link reflector}).
 *
 * ## Example
 * ```ts
 * writer.apply({ type: 'apply', object: cm });
 * ```
 */
export interface StoreWriter<K> {
  /** Applies one watcher event. `initApply` objects wait in a buffer until `initDone`. */
  apply(event: WatcherEvent<K>): void;
  /**
   * The watch that feeds the store has stopped: the store is no longer fresh. `ready$` turns
   * `false` (the objects stay readable) until the next complete listing (`initDone`).
   * {@link reflector} calls it when it is unsubscribed.
   */
  stale?(): void;
}

interface Index<K> {
  readonly fn: IndexFn<K>;
  readonly byValue: Map<string, Set<string>>;
  readonly byKey: Map<string, readonly string[]>;
}

/**
 * The runtime's one key of an object: `namespace/name` (`/name` for cluster-scoped objects), from a
 * reference (`{ name, namespace }`, e.g. a `ControllerRef` or `ObjectRef`) or from an object (its
 * metadata). Stores, the controller's work queue, its backoff and `predicateFilter` all key by it.
 * It does not tell kinds apart; for maps across kinds use `ObjectRef.key` (`Kind[.group]:ns/name`).
 *
 * ## Example
 * ```ts
 * storeKey({ name: 'web', namespace: 'default' }); // 'default/web'
 * storeKey(pod) === storeKey({ name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace }); // true
 * ```
 */
export function storeKey(of: StoreRef | KubeObject): string {
  const r: { readonly name?: string | undefined; readonly namespace?: string | undefined } = (of as KubeObject).metadata ?? (of as StoreRef);
  return `${r.namespace ?? ''}/${r.name ?? ''}`;
}

function labelsOf(object: unknown): Labels | undefined {
  return (object as KubeObject).metadata?.labels;
}

/**
 * Drops `metadata.managedFields` (in place), often half of an object's metadata. Use it as a
 * store's `transform` when the managed fields are not needed.
 *
 * ## Example
 * ```ts
 * const { reader, writer } = store<Pod>({ transform: dropManagedFields });
 * ```
 */
export function dropManagedFields<K>(object: K): K {
  const m = (object as KubeObject).metadata;
  if (m !== undefined && m.managedFields !== undefined) delete m.managedFields;
  return object;
}

/** How a store keeps an object: as it is, or as bytes of JSON text. */
interface Keeping<K, S> {
  /** What to keep for `object`; `event` is the one it came in, unless a transform changed it since. */
  keep(object: K, event: WatcherEvent<K> | undefined): S;
  read(kept: S): K;
}

const AS_IS: Keeping<unknown, unknown> = { keep: (object) => object, read: (kept) => kept };

/** Keeps `{"object":…}` or a whole watch line (`{"type":…,"object":…}`) as UTF-8 bytes. */
class AsText<K> implements Keeping<K, Uint8Array> {
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  keep(object: K, event: WatcherEvent<K> | undefined): Uint8Array {
    const text = event === undefined ? undefined : sourceTextOf(event);
    return this.encoder.encode(text ?? `{"object":${JSON.stringify(object)}}`);
  }

  read(kept: Uint8Array): K {
    return (JSON.parse(this.decoder.decode(kept)) as { object: K }).object;
  }
}

class MemoryStore<K, S> implements Store<K>, StoreWriter<K> {
  private objects = new Map<string, S>();
  private buffer: Map<string, S> | undefined;
  private readonly indexes = new Map<string, Index<K>>();
  private readonly readySubject = new BehaviorSubject(false);
  private readonly changes = new Subject<WatcherEvent<K>>();
  private readonly transform: ((object: K) => K) | undefined;
  private readonly keeping: Keeping<K, S>;

  readonly ready$: Observable<boolean>;
  readonly changes$: Observable<WatcherEvent<K>>;
  readonly state$: Observable<readonly K[]>;

  constructor(options: StoreOptions<K>, keeping: Keeping<K, S>) {
    this.transform = options.transform;
    this.keeping = keeping;
    for (const [name, fn] of Object.entries(options.indexes ?? {})) this.addIndex(name, fn);
    this.ready$ = this.readySubject.pipe(distinctUntilChanged());
    this.changes$ = this.changes.asObservable();
    this.state$ = this.ready$.pipe(
      filter((ready) => ready),
      take(1),
      switchMap(() => this.changes.pipe(filter((e) => e.type !== 'init' && e.type !== 'initApply'), startWith(undefined))),
      map(() => this.list()),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
  }

  // --- reader ---

  get(ref: StoreRef): K | undefined {
    const kept = this.objects.get(storeKey(ref));
    return kept === undefined ? undefined : this.keeping.read(kept);
  }

  list(): K[] {
    return Array.from(this.objects.values(), (kept) => this.keeping.read(kept));
  }

  find(predicate: (object: K) => boolean): K | undefined {
    for (const kept of this.objects.values()) {
      const o = this.keeping.read(kept);
      if (predicate(o)) return o;
    }
    return undefined;
  }

  filter(selector: string | Labels | LabelSelector): K[] {
    const sel = selector instanceof LabelSelector
      ? selector
      : typeof selector === 'string'
        ? LabelSelector.parse(selector)
        : LabelSelector.of(...Object.entries(selector).map(([key, value]) => ({ key, operator: 'Equals' as const, value })));
    const out: K[] = [];
    for (const kept of this.objects.values()) {
      const o = this.keeping.read(kept);
      if (sel.matches(labelsOf(o))) out.push(o);
    }
    return out;
  }

  get size(): number {
    return this.objects.size;
  }

  isReady(): boolean {
    return this.readySubject.value;
  }

  ready(): Promise<void> {
    return firstValueFrom(this.readySubject.pipe(filter((r) => r), map(() => undefined)));
  }

  addIndex(name: string, fn: IndexFn<K>): void {
    const index: Index<K> = { fn, byValue: new Map(), byKey: new Map() };
    this.indexes.set(name, index);
    for (const [key, kept] of this.objects) this.fileInIndex(index, key, this.keeping.read(kept));
  }

  byIndex(name: string, value: string): K[] {
    const index = this.indexes.get(name);
    if (index === undefined) throw new RangeError(`store has no index named '${name}' (known: ${[...this.indexes.keys()].join(', ') || 'none'})`);
    const keys = index.byValue.get(value);
    const out: K[] = [];
    if (keys !== undefined) for (const k of keys) {
      const kept = this.objects.get(k);
      if (kept !== undefined) out.push(this.keeping.read(kept));
    }
    return out;
  }

  listing$(): Observable<WatcherEvent<K>> {
    return new Observable<WatcherEvent<K>>((subscriber) => {
      if (this.isReady()) {
        subscriber.next({ type: 'init' });
        for (const kept of this.objects.values()) {
          if (subscriber.closed) return;
          subscriber.next({ type: 'initApply', object: this.keeping.read(kept) });
        }
        subscriber.next({ type: 'initDone' });
      }
      return this.changes.subscribe(subscriber);
    });
  }

  // --- writer ---

  apply(event: WatcherEvent<K>): void {
    switch (event.type) {
      case 'init':
        this.buffer = new Map();
        return;
      case 'initApply': {
        const object = this.transform === undefined ? event.object : this.transform(event.object);
        (this.buffer ??= new Map()).set(storeKey(object as KubeObject), this.keep(object, event));
        return;
      }
      case 'initDone':
        this.swap(this.buffer ?? new Map());
        return;
      case 'apply': {
        const object = this.transform === undefined ? event.object : this.transform(event.object);
        const key = storeKey(object as KubeObject);
        this.objects.set(key, this.keep(object, event));
        if (this.indexes.size > 0) this.reindex(key, object);
        this.emit({ type: 'apply', object });
        return;
      }
      case 'delete': {
        const key = storeKey(event.object as KubeObject);
        const previous = this.objects.get(key);
        this.objects.delete(key);
        // A delete during a listing (a streaming list's) also leaves the listing being built.
        this.buffer?.delete(key);
        if (this.indexes.size > 0) this.reindex(key, undefined);
        const object = this.transform === undefined ? event.object : previous !== undefined ? this.keeping.read(previous) : this.transform(event.object);
        this.emit({ type: 'delete', object });
        return;
      }
    }
  }

  stale(): void {
    this.buffer = undefined;
    if (this.readySubject.value) this.readySubject.next(false);
  }

  /** What to keep of `object` (after the transform): with no transform, the event's source text is still its JSON. */
  private keep(object: K, event: WatcherEvent<K>): S {
    return this.keeping.keep(object, this.transform === undefined ? event : undefined);
  }

  private swap(listing: Map<string, S>): void {
    this.buffer = undefined;
    this.objects = listing;
    for (const index of this.indexes.values()) {
      index.byValue.clear();
      index.byKey.clear();
      for (const [key, kept] of listing) this.fileInIndex(index, key, this.keeping.read(kept));
    }
    if (this.changes.observed) {
      this.changes.next({ type: 'init' });
      for (const kept of listing.values()) this.changes.next({ type: 'initApply', object: this.keeping.read(kept) });
      this.changes.next({ type: 'initDone' });
    }
    // Ready last: whoever reacts to readiness sees the complete listing and no duplicate burst.
    if (!this.readySubject.value) this.readySubject.next(true);
  }

  private emit(event: WatcherEvent<K>): void {
    if (this.changes.observed) this.changes.next(event);
  }

  private fileInIndex(index: Index<K>, key: string, object: K): void {
    const values = index.fn(object);
    if (values.length === 0) return;
    index.byKey.set(key, values);
    for (const v of values) {
      let keys = index.byValue.get(v);
      if (keys === undefined) index.byValue.set(v, (keys = new Set()));
      keys.add(key);
    }
  }

  private reindex(key: string, object: K | undefined): void {
    for (const index of this.indexes.values()) {
      const old = index.byKey.get(key);
      if (old !== undefined) {
        for (const v of old) {
          const keys = index.byValue.get(v);
          if (keys === undefined) continue;
          keys.delete(key);
          if (keys.size === 0) index.byValue.delete(v);
        }
        index.byKey.delete(key);
      }
      if (object !== undefined) this.fileInIndex(index, key, object);
    }
  }
}

/**
 * Creates an empty store: a `reader` to query and a `writer` to feed (usually through
 * {@link reflector}).
 *
 * ## Example
 * ```ts
 * const { reader, writer } = store<ConfigMap>({ transform: dropManagedFields });
 * reflector(writer, watcher(api)).subscribe();
 * await reader.ready();
 * console.log(reader.size);
 * ```
 */
export function store<K>(options: StoreOptions<K> = {}): { reader: Store<K>; writer: StoreWriter<K> } {
  const s = options.compact === true ? new MemoryStore<K, Uint8Array>(options, new AsText<K>()) : new MemoryStore<K, K>(options, AS_IS as Keeping<K, K>);
  return { reader: s, writer: s };
}
