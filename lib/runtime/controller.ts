/**
 * `Controller`: watches a primary kind (and, optionally, the objects it owns or depends on),
 * schedules a reconcile per changed object with deduplication and debounce, and runs them with a
 * concurrency limit, never two of one object at once. `run()` is a cold Observable of results:
 * subscribing starts everything, unsubscribing (or a `shutdownOn` trigger) stops it gracefully.
 *
 * Pipeline: triggers (primary watch, owned/watched objects, requeues, reconcile-all, custom refs)
 * → {@link scheduler} (dedup, debounce, delays) → {@link runner} (exclusion, concurrency, ready
 * gate) → reconcile → Action → requeue.
 *
 * @module
 */
import {
  EMPTY,
  Observable,
  Subject,
  asyncScheduler,
  defer,
  distinctUntilChanged,
  filter,
  from,
  map,
  merge,
  mergeMap,
  switchMap,
  tap,
  type SchedulerLike,
} from 'rxjs';
import type { OwnerReference, PartialObjectMetadata } from '../core/object.js';
import type { KubeObject } from '../core/resource.js';
import type { ErrorPolicy } from './action.js';
import { ControllerError } from './controller-error.js';
import { METRICS, noopMetrics, type MetricsSink } from './metrics.js';
import { ReconcileBackoff } from './reconcile-backoff.js';
import { reconcileRunner, type ControllerResult, type Reconciler } from './reconcile-one.js';
import type { ControllerRef, ReconcileReason, RelatedRef } from './reconcile-reason.js';
import { metadataWatcher, type MetadataWatchSource } from './metadata-watcher.js';
import { reflector } from './reflector.js';
import { runner } from './runner.js';
import { scheduler, type ScheduleRequest } from './scheduler.js';
import { store, storeKey, type Store, type StoreOptions } from './store.js';
import { watcher, type WatchSource, type WatcherConfig } from './watcher.js';
import type { WatcherEvent } from './watcher-event.js';

export type { ControllerRef, ReconcileInfo, ReconcileReason, RelatedRef } from './reconcile-reason.js';
export type { ControllerResult, Reconciler } from './reconcile-one.js';
export { ControllerError, type ControllerErrorReason } from './controller-error.js';

/**
 * Settings of a {@link Controller}.
 *
 * ## Example
 * ```ts
 * const config: ControllerConfig = { name: 'widgets', debounce: 500, concurrency: 8 };
 * ```
 */
export interface ControllerConfig {
  /** Name used in metrics (`controller` and `name` labels). @default the kind in lower case, else 'controller' */
  name?: string;
  /** Trailing debounce per object, in ms (see {@link scheduler}). @default 0 (off) */
  debounce?: number;
  /**
   * Reconciles running at once, over all objects. `0` means unbounded.
   * @default 16 — controller-runtime's 1 serialises every object behind the slowest, and kube-rs's
   * unbounded default lets a relist of thousands of objects open thousands of API calls at once;
   * 16 keeps a busy operator well under the client's default API priority-and-fairness share
   * while letting slow reconciles overlap.
   */
  concurrency?: number;
  /** How long running reconciles may go on after a shutdown before they are cancelled. @default 30_000 */
  shutdownTimeoutMs?: number;
  /** Fails (and cancels) a reconcile that takes longer than this, in ms. @default none */
  reconcileTimeoutMs?: number;
  /** Where to report metrics. @default {@link noopMetrics} */
  metrics?: MetricsSink;
  /** `kind` and `apiVersion` of the primary objects, needed by `owns`; taken from `api.resourceType` when present. */
  resource?: { readonly kind: string; readonly apiVersion: string };
  /** Clock and timers of the scheduler, runner and timeouts. @default asyncScheduler */
  scheduler?: SchedulerLike;
}



/**
 * Options of {@link Controller.run}.
 *
 * ## Example
 * ```ts
 * controller.run(reconcile, ErrorPolicy.backoff(), ctx, { leader$: leaderElection(leases, opts) });
 * ```
 */
export interface RunOptions {
  /**
   * Run only while this is `true` (leader election): everything `run` starts, watches included, is
   * started when it turns `true` and stopped (nothing new starts; running reconciles get the
   * shutdown grace period) when it turns `false`. A standby therefore has no cache; to keep one
   * warm, build the controller with `fromReflector` on a reflector that runs outside the gate.
   */
  leader$?: Observable<boolean>;
}

/** Options of {@link Controller.owns}. */
export interface OwnsOptions {
  /** Only follow the owner reference marked `controller: true`. @default false */
  controllerOnly?: boolean;
}


type Trigger = Observable<ScheduleRequest<ControllerRef, ReconcileReason>>;
type TriggerFactory = (now: () => number, reader: Store<unknown>) => Trigger;

interface Parts<K> {
  readonly reader: Store<K>;
  readonly primary$: Observable<WatcherEvent<K>>;
  readonly triggers: readonly TriggerFactory[];
  readonly shutdown: readonly Observable<unknown>[];
  readonly config: ControllerConfig;
}

const OBJECT_CHANGED: ReconcileReason = Object.freeze({ type: 'objectChanged' });
const RECONCILE_ALL: ReconcileReason = Object.freeze({ type: 'reconcileAll' });
const CUSTOM: ReconcileReason = Object.freeze({ type: 'custom' });

/**
 * A controller for one primary kind. Build it with {@link Controller.for} (its own watch and
 * store) or {@link Controller.fromReflector} (a store shared with others), add related triggers,
 * then `run`. Builder methods return a new Controller; nothing happens until `run()` is
 * subscribed.
 *
 * ## Example
 * ```ts
 * const widgets = Api.namespaced(client, WidgetType, 'default');
 * const configMaps = Api.namespaced(client, ConfigMapType, 'default');
 * Controller.for(widgets, {}, { debounce: 200 })
 *   .owns(configMaps, {})
 *   .shutdownOn(shutdownOnSignal())
 *   .run(reconcile, ErrorPolicy.backoff(), { client })
 *   .subscribe((r) => console.log(r.type, r.ref.name));
 * ```
 */
export class Controller<K extends KubeObject> {
  private constructor(private readonly parts: Parts<K>) {}

  /**
   * A controller with its own watcher and store for the objects of `api`.
   *
   * @param api Any `Api<K>` (it must offer `list$` and `watch`).
   * @param watcherConfig Selectors and watch settings of the primary watch.
   * @param config Controller settings.
   * @param storeOptions Options of the controller's store, e.g. `{ transform: dropManagedFields }` to halve its memory.
   */
  static for<K extends KubeObject>(
    api: WatchSource<K> & { readonly resourceType?: { readonly kind: string; readonly apiVersion: string } },
    watcherConfig: WatcherConfig = {},
    config: ControllerConfig = {},
    storeOptions: StoreOptions<K> = {},
  ): Controller<K> {
    const { reader, writer } = store<K>(storeOptions);
    const scheduler = config.scheduler ?? watcherConfig.scheduler;
    const events$ = reflector(writer, watcher(api, scheduler ? { ...watcherConfig, scheduler } : watcherConfig));
    const resource = config.resource ?? pickResource(api.resourceType);
    return new Controller<K>({ reader, primary$: events$, triggers: [], shutdown: [], config: resource ? { ...config, resource } : config });
  }

  /**
   * A controller on a store someone else keeps: `events$` must be the store's own stream (the
   * output of the `reflector` that writes it, or `reader.changes$` / `reader.listing$()`), so that
   * an event is seen only once the store holds it. The controller subscribes to `events$`.
   *
   * ## Example
   * ```ts
   * const cms = sharedReflector(configMapApi, {}, { transform: dropManagedFields });
   * // two controllers, one LIST and one WATCH
   * Controller.fromReflector(cms.reader, cms.events$).run(reconcileA, ErrorPolicy.backoff(), ctx).subscribe();
   * Controller.fromReflector(cms.reader, cms.events$).run(reconcileB, ErrorPolicy.backoff(), ctx).subscribe();
   * ```
   */
  static fromReflector<K extends KubeObject>(
    reader: Store<K>,
    events$: Observable<WatcherEvent<K>>,
    config: ControllerConfig = {},
  ): Controller<K> {
    return new Controller<K>({ reader, primary$: events$, triggers: [], shutdown: [], config });
  }

  /** The store of primary objects (readable while the controller runs). */
  get store(): Store<K> {
    return this.parts.reader;
  }

  /** Resolves once every store the controller reads is ready (readiness probe). */
  ready(): Promise<void> {
    return this.parts.reader.ready();
  }

  /**
   * Reconciles the owner of each changed child: a metadata-only watch of `childApi`, mapped
   * through the children's ownerReferences whose kind and API group match the primary kind.
   */
  owns(childApi: MetadataWatchSource, config: WatcherConfig = {}, options: OwnsOptions = {}): Controller<K> {
    const owner = this.parts.config.resource;
    if (owner === undefined) {
      throw new ControllerError('unknownResource', 'Controller.owns needs the kind and apiVersion of the primary objects: pass config.resource');
    }
    const childKind = pickResource((childApi as { readonly resourceType?: { readonly kind: string; readonly apiVersion: string } }).resourceType);
    const group = groupOf(owner.apiVersion);
    const mapper = (child: PartialObjectMetadata): ControllerRef[] =>
      (child.metadata.ownerReferences ?? [])
        .filter((o: OwnerReference) => o.kind === owner.kind && groupOf(o.apiVersion) === group)
        .filter((o: OwnerReference) => !options.controllerOnly || o.controller === true)
        .map((o: OwnerReference) => ({ name: o.name, namespace: child.metadata.namespace }));
    return this.related((c) => metadataWatcher(childApi, c), config, mapper, childKind);
  }

  /** Reconciles the objects `mapper` returns for each changed object of `api` (any kind). */
  watches<R extends KubeObject>(
    api: WatchSource<R>,
    config: WatcherConfig,
    mapper: (object: R) => Iterable<ControllerRef>,
  ): Controller<K> {
    return this.related((c) => watcher(api, c), config, mapper);
  }

  /** Reconciles every object in the store each time `trigger$` emits. */
  reconcileAllOn(trigger$: Observable<unknown>): Controller<K> {
    return this.with((now, reader) =>
      trigger$.pipe(
        mergeMap(() => reader.list().map((o) => ({ ref: refOf(o as KubeObject), runAt: now(), reason: RECONCILE_ALL }))),
      ),
    );
  }

  /** Reconciles each reference `refs$` emits (reason `custom`). */
  reconcileOn(refs$: Observable<ControllerRef>): Controller<K> {
    return this.with((now) => refs$.pipe(map((ref) => ({ ref: { name: ref.name, namespace: ref.namespace }, runAt: now(), reason: CUSTOM }))));
  }

  /**
   * Stops gracefully when `trigger$` emits (e.g. {@link shutdownOnSignal}): watches stop, nothing
   * new starts, running reconciles finish (up to `shutdownTimeoutMs`), then `run()` completes.
   */
  shutdownOn(trigger$: Observable<unknown>): Controller<K> {
    return new Controller<K>({ ...this.parts, shutdown: [...this.parts.shutdown, trigger$] });
  }

  /**
   * Runs the controller: a cold Observable of results. Unsubscribing stops the watches and starts
   * nothing new; running reconciles are left to finish for up to `shutdownTimeoutMs`.
   *
   * @param reconcile Brings the world in line with one object.
   * @param errorPolicy Decides what to do after a failure (e.g. `ErrorPolicy.backoff()`).
   * @param context Handed to every reconcile and error policy call.
   * @param options `leader$` gating.
   */
  run<C>(
    reconcile: Reconciler<K, C>,
    errorPolicy: ErrorPolicy<C, ControllerRef>,
    context: C,
    options: RunOptions = {},
  ): Observable<ControllerResult> {
    const core$ = defer(() => this.start(reconcile, errorPolicy, context));
    if (options.leader$ === undefined) return core$;
    return options.leader$.pipe(
      distinctUntilChanged(),
      switchMap((leading) => (leading ? core$ : EMPTY)),
    );
  }

  private start<C>(reconcile: Reconciler<K, C>, errorPolicy: ErrorPolicy<C, ControllerRef>, context: C): Observable<ControllerResult> {
    const { reader, primary$, config } = this.parts;
    const clock = config.scheduler ?? asyncScheduler;
    const metrics = config.metrics ?? noopMetrics;
    const name = config.name ?? config.resource?.kind.toLowerCase() ?? 'controller';
    const queue = { name };
    const now = (): number => clock.now();
    const backoff = new ReconcileBackoff();
    const requeues = new Subject<ScheduleRequest<ControllerRef, ReconcileReason>>();

    const self$ = primary$.pipe(
      filter((event) => {
        if (event.type === 'delete') backoff.forget(storeKey(refOf(event.object)));
        return event.type === 'apply' || event.type === 'initApply';
      }),
      map((event) => ({ ref: refOf((event as { object: K }).object), runAt: now(), reason: OBJECT_CHANGED })),
    );
    const related = this.parts.triggers.map((factory) => factory(now, reader as Store<unknown>));
    const requests$ = merge(self$, requeues, ...related).pipe(tap(() => metrics.inc(METRICS.workqueueAddsTotal, queue)));

    const reconcileOne = reconcileRunner<K, C>({
      reader,
      reconcile,
      errorPolicy,
      context,
      backoff,
      metrics,
      controllerName: name,
      clock,
      timeoutMs: config.reconcileTimeoutMs,
      requeue: (ref, afterMs, reason) => requeues.next({ ref, runAt: now() + afterMs, reason }),
    });

    const stop$ = this.parts.shutdown.length === 0 ? undefined : merge(...this.parts.shutdown);
    return requests$.pipe(
      scheduler<ControllerRef, ReconcileReason>({ key: storeKey, debounce: config.debounce ?? 0 }, clock),
      runner(reconcileOne, {
        concurrency: config.concurrency ?? 16,
        ready: reader.ready$.pipe(filter((ready) => ready)),
        ...(stop$ ? { stop$ } : {}),
        shutdownTimeoutMs: config.shutdownTimeoutMs ?? 30_000,
        onDepth: (depth) => metrics.set(METRICS.workqueueDepth, queue, depth),
      }, clock),
    );
  }

  private related<R>(
    watch: (config: WatcherConfig) => Observable<WatcherEvent<R>>,
    config: WatcherConfig,
    mapper: (object: R) => Iterable<ControllerRef>,
    resource?: { readonly kind: string; readonly apiVersion: string },
  ): Controller<K> {
    const clock = this.parts.config.scheduler;
    const watchConfig = clock && !config.scheduler ? { ...config, scheduler: clock } : config;
    return this.with((now) =>
      watch(watchConfig).pipe(
        mergeMap((event) => {
          if (event.type !== 'apply' && event.type !== 'initApply' && event.type !== 'delete') return EMPTY;
          const child = event.object as KubeObject;
          const reason: ReconcileReason = { type: 'relatedObjectChanged', ref: relatedRefOf(child, resource) };
          return from(Array.from(mapper(event.object as R), (ref) => ({ ref: { name: ref.name, namespace: ref.namespace }, runAt: now(), reason })));
        }),
      ),
    );
  }

  private with(factory: TriggerFactory): Controller<K> {
    return new Controller<K>({ ...this.parts, triggers: [...this.parts.triggers, factory] });
  }
}

function pickResource(
  type: { readonly kind: string; readonly apiVersion: string } | undefined,
): { readonly kind: string; readonly apiVersion: string } | undefined {
  return type === undefined ? undefined : { kind: type.kind, apiVersion: type.apiVersion };
}

function refOf(object: KubeObject): ControllerRef {
  const m = object.metadata;
  return m?.namespace ? { name: m.name ?? '', namespace: m.namespace } : { name: m?.name ?? '' };
}

function relatedRefOf(object: KubeObject, resource?: { readonly kind: string; readonly apiVersion: string }): RelatedRef {
  const kind = resource?.kind ?? object.kind;
  const apiVersion = resource?.apiVersion ?? object.apiVersion;
  return { kind, apiVersion, name: object.metadata?.name ?? '', namespace: object.metadata?.namespace };
}

/** The API group of an apiVersion: `apps/v1` → `apps`, `v1` → `''`. */
function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
