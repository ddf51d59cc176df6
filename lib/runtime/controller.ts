/**
 * `Controller`: watches a primary kind (and, optionally, the objects it owns or depends on),
 * schedules a reconcile per changed object with deduplication and debounce, and runs them with a
 * concurrency limit, never two of one object at once. `run()` is a cold Observable of results:
 * subscribing starts everything, unsubscribing (or a `shutdownOn` trigger) stops it gracefully.
 *
 * Pipeline: triggers (primary watch, owned/watched objects, requeues, reconcile-all, custom refs)
 * → {@link workQueue} (dedup, debounce, delays, exclusion until a run has really ended, concurrency,
 * ready and leadership gates) → reconcile → Action → requeue (back into the same queue).
 *
 * @module
 */
import {
  BehaviorSubject,
  EMPTY,
  combineLatest,
  Observable,
  catchError,
  Subject,
  asyncScheduler,
  concatWith,
  defer,
  distinctUntilChanged,
  filter,
  from,
  ignoreElements,
  map,
  merge,
  mergeMap,
  of,
  share,
  shareReplay,
  startWith,
  switchMap,
  tap,
  type SchedulerLike,
} from 'rxjs';
import type { OwnerReference, PartialObjectMetadata } from '../core/object.js';
import type { KubeObject } from '../core/resource.js';
import type { ErrorPolicy } from './action.js';
import type { Leadership } from './leader-election.js';
import { ControllerError } from './controller-error.js';
import { METRICS, noopMetrics, type MetricsSink } from './metrics.js';
import { ReconcileBackoff } from './reconcile-backoff.js';
import { reconcileRunner, type ControllerResult, type Reconciler } from './reconcile-one.js';
import type { ControllerRef, ReconcileReason, RelatedRef } from './reconcile-reason.js';
import { metadataWatcherWithErrors, type MetadataWatchSource } from './metadata-watcher.js';
import { reflector } from './reflector.js';
import type { ScheduleRequest } from './scheduler.js';
import { store, storeKey, type Store, type StoreOptions } from './store.js';
import { TokenBucket, type TokenBucketOptions } from './token-bucket.js';
import { watcherWithErrors, type WatchSource, type WatcherConfig, type WatcherItem } from './watcher.js';
import { WatchHealth, type WatchErrorResult, type WatchRole } from './watch-health.js';
import { workQueue, type CancelCause, type DrainReport } from './work-queue.js';
import { ShardGate } from './shard-gate.js';
import { ShardGuard } from './shard-guard.js';
import { SHARD_METRICS, shardMembership, type ShardLeaseApi, type ShardMembershipOptions, type ShardState } from './shard-membership.js';
import { shardFilteringSupported } from './shard-support.js';
import { shardedReflector } from './sharded-reflector.js';
import { ShardError } from './shard-error.js';
import type { ShardField } from '../core/shard-selector.js';
import type { StoreWriter } from './store.js';
import { predicateFilter } from './utils/predicate-filter.js';
import type { Predicate } from './predicates.js';
import type { WatcherEvent } from './watcher-event.js';

export type { ControllerRef, ReconcileInfo, ReconcileReason, RelatedRef } from './reconcile-reason.js';
export type { ControllerResult, Reconciler } from './reconcile-one.js';
export { WatchHealth, type WatchErrorResult, type WatchRole } from './watch-health.js';
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
  /** Trailing debounce per object, in ms (see {@link workQueue}). @default 0 (off) */
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
  /**
   * Fails a reconcile that takes longer than this, in ms: `info.signal` is aborted and a `failed`
   * result (`ControllerError` `reconcileTimeout`) is reported at once, and the error policy's retry
   * is scheduled. The object's key stays held until the reconcile has really ended (an Observable
   * is unsubscribed at once; a Promise must settle), so a retry never overlaps the timed-out run.
   * There is deliberately no hard bound after which the key is given up: JavaScript cannot stop a
   * Promise, and giving up the key would let two reconciles of one object run at once. Pass
   * `info.signal` to every API call (`{ signal }`) so that the Promise settles soon after the abort.
   * @default none
   */
  reconcileTimeoutMs?: number;
  /**
   * The overall limit on retries after failures, over the per-object backoff (controller-runtime's
   * `BucketRateLimiter`): the `backoffMs` the error policy gets is the larger of the object's own
   * backoff and the wait for a token. Requeues asked for with `Action.requeue(ms)` are not limited.
   * `false` turns it off. @default { qps: 10, burst: 100 }
   */
  retryRateLimit?: TokenBucketOptions | false;
  /** Where to report metrics. @default {@link noopMetrics} */
  metrics?: MetricsSink;
  /**
   * `kind`, `apiVersion` and `scope` of the primary objects, needed by `owns` (a descriptor such as
   * `Deployment` fits); taken from `api.resourceType` when present. Without `scope`, owners are taken
   * to be namespaced (in their children's namespace).
   */
  resource?: PrimaryResource;
  /** Clock and timers of the scheduler, runner and timeouts. @default asyncScheduler */
  scheduler?: SchedulerLike;
  /**
   * How long one watch failure counts against {@link Controller.isLive} when nothing follows it
   * (neither an event nor another failure). @default 60_000 (twice the watcher's largest backoff)
   */
  watchFailureWindowMs?: number;
}



/** What {@link Controller.for} needs from an `Api<K>`: LIST and WATCH, and the descriptor when it has one. */
export type ControllerSource<K> = WatchSource<K> & { readonly resourceType?: PrimaryResource };

/** What the controller needs to know about its primary kind (a `ResourceType` descriptor fits). */
export interface PrimaryResource {
  readonly kind: string;
  readonly apiVersion: string;
  /** `Cluster` for cluster-scoped kinds: their owner references name no namespace. @default 'Namespaced' */
  readonly scope?: 'Namespaced' | 'Cluster';
}

/**
 * Options of {@link Controller.for}: the controller's settings plus its primary watch, its store
 * and which changes of primary objects start a reconcile.
 *
 * ## Example
 * ```ts
 * const options: ControllerOptions<Deployment> = {
 *   name: 'deployments',
 *   debounce: 200,
 *   watcher: { labelSelector: 'app=web' },
 *   store: { transform: dropManagedFields },
 *   predicate: Predicates.generation, // skip status-only updates
 * };
 * ```
 */
export interface ControllerOptions<K> extends ControllerConfig {
  /** Selectors and settings of the primary watch. @default {} */
  watcher?: WatcherConfig;
  /** Options of the controller's store, e.g. `{ transform: dropManagedFields }` to halve its memory. @default {} */
  store?: StoreOptions<K>;
  /**
   * Only changes of a primary object for which this holds start a reconcile (see
   * {@link predicateFilter}); e.g. `Predicates.generation` skips updates that changed only the
   * status. The store still sees every change, and triggers from `owns`, `watches`, requeues and
   * `reconcileAllOn` are not filtered. @default every change
   */
  predicate?: Predicate<K>;
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
   * Run only while this is `true` (leader election). The watches and triggers are started when it
   * turns `true` and stopped when it turns `false`; at that moment nothing new starts, running
   * reconciles are aborted (`info.signal`, `ControllerError` `reconcileCancelled`) and queued
   * again for the next term, and `onDrained` is told once they have ended. The work queue lives
   * for the whole `run()`: an object whose reconcile still runs when leadership returns is not
   * started twice. A standby has no cache; to keep one warm, build the controller with
   * `fromReflector` on a reflector that runs outside the gate. For a Lease, prefer `leadership`:
   * with a bare `leader$` the queue cannot tell that a Lease expired while the process was frozen,
   * and after a shutdown the Lease is released without waiting (an exit right after may lose it).
   */
  leader$?: Observable<boolean>;
  /**
   * Told when, after `leader$` turned `false` (`cause: 'gateClosed'`) or after a shutdown
   * (`'stopped'`), every reconcile that was running has ended, or the bound
   * (`leaderDrainTimeoutMs`, `shutdownTimeoutMs`) has passed (`abandoned` > 0: their objects stay
   * locked until they end). Release the Lease here, not when `leader$` turns `false`. Not told for a
   * loss of leadership that was undone before the drain ended.
   */
  onDrained?: (report: DrainReport) => void;
  /**
   * Bound of the drain after leadership was lost: reconciles are aborted (`info.signal`) at once
   * and given this long to end before `onDrained`. Keep it below the lease duration minus the
   * renew deadline, so that a new leader cannot start before the drain ended. @default 5_000
   */
  leaderDrainTimeoutMs?: number;
  /**
   * Leadership with an end (see `leaseLeadership`), instead of `leader$`: its `leader$` gates the
   * run as above; the drain after a loss is bounded by its `stepDownGraceMs` (unless
   * `leaderDrainTimeoutMs` is given); no reconcile starts unless `isLeader()` says so at that very
   * moment (a process resumed after a freeze runs its overdue timers before it notices that its
   * Lease expired); and after a shutdown (`shutdownOn`) the run resigns, releasing the Lease only
   * once the reconciles have drained, and completes when the release is answered — so
   * `complete: () => process.exit(0)` exits with the Lease released.
   *
   * ## Example
   * ```ts
   * const leadership = leaseLeadership(Api.namespaced(client, Lease, 'operators'), { leaseName: 'widgets', identity: podName });
   * controller.shutdownOn(shutdownOnSignal()).run(reconcile, ErrorPolicy.backoff(), ctx, { leadership })
   *   .subscribe({ complete: () => process.exit(0) });
   * ```
   */
  leadership?: Leadership;
}

/**
 * Options of {@link Controller.shard}: the membership settings (timings as in leader election)
 * plus the Lease API and how the primary watch is filtered.
 *
 * ## Example
 * ```ts
 * const options: ShardOptions = { leases: Api.namespaced(client, Lease, 'operators'), identity: podName, filtering: 'auto' };
 * ```
 */
export interface ShardOptions extends Omit<ShardMembershipOptions, 'group' | 'metrics' | 'scheduler'> {
  /** Where the replicas keep their Leases (an `Api<Lease>` of one namespace fits). */
  leases: ShardLeaseApi;
  /** The group (a label value), the same in every replica. @default the controller's name */
  group?: string;
  /**
   * What objects are sharded by: their uid (an even spread) or their namespace (every object of
   * a namespace in one replica). @default 'object.metadata.uid'
   */
  field?: ShardField;
  /**
   * `server`: send the shard as `shardSelector` (the API server filters; KEP-5866, feature gate
   * `ShardedListAndWatch`). `client`: watch everything and keep only the shard. `auto`: ask the
   * server once at start ({@link shardFilteringSupported}); a failed question means `client`
   * (reported as `ShardError` `detectionFailed`). @default 'auto'
   */
  filtering?: 'auto' | 'server' | 'client';
  /** Delay before the primary watch is restarted for a changed shard. @default 200 */
  restartDelayMs?: number;
  /** Told each time this replica's shard changes (and which filtering the watch uses). */
  onState?: (state: ShardState & { readonly filtering: 'server' | 'client' | 'unknown' }) => void;
}

/** Options of {@link Controller.owns}. */
export interface OwnsOptions {
  /** Only follow the owner reference marked `controller: true`. @default false */
  controllerOnly?: boolean;
}


type Request = ScheduleRequest<ControllerRef, ReconcileReason>;
/** A trigger's items: requests, and the failures of the watch behind it. */
type Trigger = Observable<Request | WatchErrorResult>;
type TriggerFactory = (now: () => number, reader: Store<unknown>) => Trigger;

interface Parts<K> {
  readonly reader: Store<K>;
  /** The primary watch as the store sees it, with its failures (`watcherWithErrors` items). */
  readonly primary$: Observable<WatcherItem<K>>;
  readonly triggers: readonly TriggerFactory[];
  readonly shutdown: readonly Observable<unknown>[];
  readonly config: ControllerConfig;
  readonly health: WatchHealth;
  /** How the primary watch was built (Controller.for), so that sharding can rebuild it. */
  readonly source?: PrimarySource<K>;
  readonly shard?: ShardOptions;
}

interface PrimarySource<K> {
  readonly api: ControllerSource<K>;
  readonly watcher: WatcherConfig;
  readonly writer: StoreWriter<K>;
  readonly predicate?: Predicate<K>;
}

const OBJECT_CHANGED: ReconcileReason = Object.freeze({ type: 'objectChanged' });
const RECONCILE_ALL: ReconcileReason = Object.freeze({ type: 'reconcileAll' });
const CUSTOM: ReconcileReason = Object.freeze({ type: 'custom' });
const LOW = 'low' as const;
const HIGH = 'high' as const;

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
 * Controller.for(widgets, { debounce: 200, predicate: Predicates.generation })
 *   .owns(configMaps)
 *   .shutdownOn(shutdownOnSignal())
 *   .run(reconcile, ErrorPolicy.backoff(), { client })
 *   .subscribe((r) => console.log(r.type === 'watchError' ? r.error.message : `${r.type} ${r.ref.name}`));
 * ```
 */
export class Controller<K extends KubeObject> {
  private constructor(private readonly parts: Parts<K>) {}

  /**
   * A controller with its own watcher and store for the objects of `api`.
   *
   * ## Example
   * ```ts
   * Controller.for(deployments, { debounce: 200, watcher: { labelSelector: 'app=web' }, predicate: Predicates.generation });
   * ```
   *
   * @param api Any `Api<K>` (it must offer `list$` and `watch`); its `resourceType` gives the primary kind.
   * @param options Controller settings, the primary watch's selectors (`watcher`), the store's options
   *   (`store`) and the `predicate` a change must pass to start a reconcile.
   */
  static for<K extends KubeObject>(api: ControllerSource<K>, options?: ControllerOptions<NoInfer<K>>): Controller<K>;
  /**
   * @deprecated Pass one options object: `Controller.for(api, { ...config, watcher: watcherConfig, store: storeOptions })`.
   */
  static for<K extends KubeObject>(
    api: ControllerSource<K>,
    watcherConfig: WatcherConfig,
    config?: ControllerConfig,
    storeOptions?: StoreOptions<NoInfer<K>>,
  ): Controller<K>;
  static for<K extends KubeObject>(
    api: ControllerSource<K>,
    first: ControllerOptions<K> | WatcherConfig = {},
    config?: ControllerConfig,
    storeOptions?: StoreOptions<K>,
  ): Controller<K> {
    const options: ControllerOptions<K> =
      config !== undefined || isWatcherConfig(first)
        ? { ...config, watcher: first as WatcherConfig, ...(storeOptions ? { store: storeOptions } : {}) }
        : (first as ControllerOptions<K>);
    const { watcher: watcherConfig = {}, store: storeOptions_ = {}, predicate, ...rest } = options;
    const { reader, writer } = store<K>(storeOptions_);
    const scheduler = rest.scheduler ?? watcherConfig.scheduler;
    const items$ = reflector<K, WatcherItem<K>>(writer, watcherWithErrors<K>(api, scheduler ? { ...watcherConfig, scheduler } : watcherConfig));
    const resource = rest.resource ?? pickResource(api.resourceType);
    return new Controller<K>({
      reader,
      primary$: predicate === undefined ? items$ : items$.pipe(filterItems(predicate)),
      triggers: [],
      shutdown: [],
      config: resource ? { ...rest, resource } : rest,
      health: new WatchHealth(rest.watchFailureWindowMs),
      source: { api, watcher: scheduler ? { ...watcherConfig, scheduler } : watcherConfig, writer, ...(predicate ? { predicate } : {}) },
    });
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
    config: ControllerConfig & { readonly predicate?: Predicate<NoInfer<K>> } = {},
  ): Controller<K> {
    const { predicate, ...rest } = config;
    return new Controller<K>({ reader, primary$: predicate === undefined ? events$ : events$.pipe(predicateFilter(predicate)), triggers: [], shutdown: [], config: rest, health: new WatchHealth(rest.watchFailureWindowMs) });
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
   * Liveness probe: whether the watches of the running controller progress. `false` while one of
   * them keeps failing (a `watchError` result and nothing since; see `watchFailureWindowMs`), e.g.
   * a LIST refused with 403, which would otherwise leave the controller waiting forever, never
   * ready. `true` before `run()` and when no watch fails.
   *
   * ## Example
   * ```ts
   * http.createServer((req, res) => res.writeHead(controller.isLive() ? 200 : 503).end()).listen(8081);
   * ```
   */
  isLive(): boolean {
    return this.parts.health.isLive((this.parts.config.scheduler ?? asyncScheduler).now());
  }

  /**
   * Reconciles the owner of each changed child: a metadata-only watch of `childApi`, mapped
   * through the children's ownerReferences whose kind and API group match the primary kind. The
   * owner is looked up in the child's namespace, or without a namespace when the primary kind is
   * cluster-scoped (`resource.scope`, from the descriptor).
   *
   * ## Example
   * ```ts
   * Controller.for(widgets).owns(Api.namespaced(client, ConfigMap, 'default'), {}, { controllerOnly: true });
   * ```
   */
  owns(childApi: MetadataWatchSource, config: WatcherConfig = {}, options: OwnsOptions = {}): Controller<K> {
    const owner = this.parts.config.resource;
    if (owner === undefined) {
      throw new ControllerError('unknownResource', 'Controller.owns needs the kind and apiVersion of the primary objects: pass config.resource');
    }
    const childKind = pickResource((childApi as { readonly resourceType?: PrimaryResource }).resourceType);
    const group = groupOf(owner.apiVersion);
    const clusterScoped = owner.scope === 'Cluster';
    const mapper = (child: PartialObjectMetadata): ControllerRef[] =>
      (child.metadata.ownerReferences ?? [])
        .filter((o: OwnerReference) => o.kind === owner.kind && groupOf(o.apiVersion) === group)
        .filter((o: OwnerReference) => !options.controllerOnly || o.controller === true)
        .map((o: OwnerReference) => (clusterScoped ? { name: o.name } : { name: o.name, namespace: child.metadata.namespace }));
    return this.related('owns', (c) => metadataWatcherWithErrors(childApi, c), config, mapper, childKind);
  }

  /** Reconciles the objects `mapper` returns for each changed object of `api` (any kind). */
  watches<R extends KubeObject>(
    api: WatchSource<R>,
    config: WatcherConfig,
    mapper: (object: R) => Iterable<ControllerRef>,
  ): Controller<K> {
    return this.related('watches', (c) => watcherWithErrors(api, c), config, mapper, pickResource((api as { readonly resourceType?: PrimaryResource }).resourceType));
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
   * Shares the objects among the replicas of this controller instead of electing one leader:
   * each replica joins a group through its own Lease ({@link shardMembership}), owns buckets of
   * the hash space of `metadata.uid` (or namespace), and starts reconciles only for objects in
   * its buckets. A bucket that moves to another replica stops starting reconciles here at once
   * and is handed over only once the reconciles running in it have ended, so no object is
   * reconciled by two replicas at once (docs/sharding.md has the protocol and the timings). A
   * replica that cannot renew its Lease stops and cancels its reconciles before any other
   * replica may take its buckets.
   *
   * The primary watch (of a controller made with `Controller.for`) covers only the replica's
   * share: the API server filters it when it supports `shardSelector` (KEP-5866), else the
   * events outside the share are dropped before the store. Triggers of `owns` and `watches` map
   * to the owner's shard: the owner's bucket decides when its reconcile would start. A controller
   * made with `fromReflector` is gated the same way but watches whatever its reflector does.
   *
   * Metrics ({@link SHARD_METRICS}, label `group`): owned buckets and fraction, members,
   * hand-overs, objects in the shard, events received by the primary watch.
   *
   * ## Example
   * ```ts
   * Controller.for(widgets)
   *   .shard({ leases: Api.namespaced(client, Lease, 'operators'), identity: process.env.POD_NAME! })
   *   .shutdownOn(shutdownOnSignal())
   *   .run(reconcile, ErrorPolicy.backoff(), ctx)
   *   .subscribe();
   * ```
   */
  shard(options: ShardOptions): Controller<K> {
    return new Controller<K>({ ...this.parts, shard: options });
  }

  /**
   * Runs the controller: a cold Observable of results. Unsubscribing stops the watches and starts
   * nothing new; running reconciles are left to finish for up to `shutdownTimeoutMs`.
   *
   * @param reconcile Brings the world in line with one object.
   * @param errorPolicy Decides what to do after a failure (e.g. `ErrorPolicy.backoff()`).
   * @param context Handed to every reconcile and error policy call.
   * @param options `leader$` gating and its drain.
   */
  run<C>(
    reconcile: Reconciler<K, C>,
    errorPolicy: ErrorPolicy<C, ControllerRef>,
    context: C,
    options: RunOptions = {},
  ): Observable<ControllerResult> {
    const { leadership } = options;
    const run$ = defer(() => this.start(reconcile, errorPolicy, context, options));
    if (leadership === undefined) return run$;
    // Completed: the queue has drained after a shutdown; only now give the Lease up, and wait for it.
    return run$.pipe(concatWith(defer(() => leadership.resign()).pipe(ignoreElements())));
  }

  private start<C>(
    reconcile: Reconciler<K, C>,
    errorPolicy: ErrorPolicy<C, ControllerRef>,
    context: C,
    options: RunOptions,
  ): Observable<ControllerResult> {
    const { reader, config } = this.parts;
    const clock = config.scheduler ?? asyncScheduler;
    const metrics = config.metrics ?? noopMetrics;
    const name = config.name ?? config.resource?.kind.toLowerCase() ?? 'controller';
    const sharding = this.parts.shard === undefined ? undefined : this.sharding(this.parts.shard, name, clock, metrics);
    const primary$ = sharding?.primary$ ?? this.parts.primary$;
    const queue = { name };
    const now = (): number => clock.now();
    const backoff = new ReconcileBackoff();
    const requeues = new Subject<ScheduleRequest<ControllerRef, ReconcileReason>>();

    // Watch failures leave the triggers here and join the results.
    const { health } = this.parts;
    health.reset();
    const watchErrors = new Subject<WatchErrorResult>();
    const fail = (id: string, failure: WatchErrorResult): void => {
      health.failed(id, now());
      metrics.inc(METRICS.watchErrorsTotal, { controller: name, watch: failure.watch, reason: failure.error.reason });
      watchErrors.next(failure);
    };
    const primaryResource = config.resource && { kind: config.resource.kind, apiVersion: config.resource.apiVersion };

    // While a (re)listing is under way the store still holds the previous listing (it swaps the new
    // one in on initDone): no reconcile may start then, or it would read an older copy than the one
    // that triggered it, and the listed state would never be reconciled (found by bench/soak.ts).
    const relisting = new BehaviorSubject<boolean>(false);
    const self$ = primary$.pipe(
      tap((item) => {
        if (item.type === 'init') relisting.next(true);
        else if (item.type === 'initDone') relisting.next(false);
      }),
      filter((item): item is WatcherEvent<K> => {
        if (item.type === 'error') {
          fail('primary', { type: 'watchError', watch: 'primary', resource: primaryResource, error: item.error });
          return false;
        }
        health.progressed('primary');
        if (item.type === 'delete') backoff.forget(storeKey(item.object));
        return item.type === 'apply' || item.type === 'initApply';
      }),
      // A (re)listing runs after fresh changes: controller-runtime's low priority for initial items.
      map((event) => ({
        ref: refOf((event as { object: K }).object),
        runAt: now(),
        reason: OBJECT_CHANGED,
        priority: event.type === 'initApply' ? LOW : HIGH,
      })),
    );
    const triggered = (id: string) => (item: Request | WatchErrorResult): item is Request => {
      if (!('type' in item)) {
        health.progressed(id);
        return true;
      }
      fail(id, item);
      return false;
    };
    const related = this.parts.triggers.map((factory, i) => factory(now, reader as Store<unknown>).pipe(filter(triggered(`trigger-${i}`))));
    const triggers$: Observable<Request> = related.length === 0 ? self$ : merge(self$, ...related);
    // One queue for the whole run: leadership only switches the watches and gates the starts, so a
    // reconcile that still runs when leadership returns keeps its object's key.
    const { leadership } = options;
    const leader$ = (leadership?.leader$ ?? options.leader$)?.pipe(distinctUntilChanged(), shareReplay({ bufferSize: 1, refCount: true }));
    const watched$ = leader$ === undefined ? triggers$ : leader$.pipe(switchMap((leading) => (leading ? triggers$ : EMPTY)));
    // Sharded: what was refused while its bucket was elsewhere is asked for again when it comes back.
    const reactivated$: Observable<Request> =
      sharding === undefined
        ? EMPTY
        : sharding.gate.active$.pipe(mergeMap((active) => sharding.guard.activated(active).map((ref) => ({ ref, runAt: now(), reason: OBJECT_CHANGED }))));
    const requests$ = merge(watched$, requeues, reactivated$).pipe(tap(() => metrics.inc(METRICS.workqueueAddsTotal, queue)));

    const reconcileOne = reconcileRunner<K, C>({
      reader,
      reconcile,
      errorPolicy,
      context,
      backoff,
      retryLimit: config.retryRateLimit === false ? undefined : new TokenBucket(config.retryRateLimit ?? {}, clock),
      metrics,
      controllerName: name,
      clock,
      timeoutMs: config.reconcileTimeoutMs,
      requeue: (ref, afterMs, reason) => requeues.next({ ref, runAt: now() + afterMs, reason }),
    });

    const stop$ = this.parts.shutdown.length === 0 ? undefined : merge(...this.parts.shutdown);
    const results$ = requests$.pipe(
      workQueue<ControllerRef, ReconcileReason, ControllerResult>(
        sharding === undefined ? reconcileOne : sharding.guard.wrap(reconcileOne),
        {
          key: storeKey,
          debounce: config.debounce ?? 0,
          concurrency: config.concurrency ?? 16,
          ready$: combineLatest([reader.ready$, relisting]).pipe(
            map(([ready, listing]) => ready && !listing),
            distinctUntilChanged(),
          ),
          ...(leader$ ? { gate$: leader$ } : {}),
          drainTimeoutMs: options.leaderDrainTimeoutMs ?? leadership?.stepDownGraceMs ?? 5_000,
          ...(leadership ? { canStart: () => leadership.isLeader() } : {}),
          ...(stop$ ? { stop$ } : {}),
          shutdownTimeoutMs: config.shutdownTimeoutMs ?? 30_000,
          ...(options.onDrained ? { onDrained: options.onDrained } : {}),
          cancelReason: (item, cause) => cancelled(item.ref, cause),
          onError: (item, error) => ({
            type: 'internalError',
            ref: item.ref,
            reason: item.reason,
            error: new ControllerError('workFailed', `reconcile of ${describeRef(item.ref)} failed outside the reconciler`, { ...item.ref }, error),
          }),
          onDepth: (depth) => metrics.set(METRICS.workqueueDepth, queue, depth),
        },
        clock,
      ),
    );
    if (sharding === undefined) return withSideResults(results$, watchErrors);
    // Membership lives as long as the run: joined first, left (Lease deleted once the reconciles
    // running here have ended) when the run ends.
    return new Observable<ControllerResult>((subscriber) => {
      const membership = sharding.membership$.subscribe({ error: (e: unknown) => subscriber.error(e) });
      const main = withSideResults(results$, watchErrors).subscribe(subscriber);
      return () => {
        main.unsubscribe();
        membership.unsubscribe();
      };
    });
  }

  /** The parts of a sharded run: gate, guard, membership and the primary watch of the shard. */
  private sharding(options: ShardOptions, name: string, clock: SchedulerLike, metrics: MetricsSink) {
    const { leases, group = name, field, filtering = 'auto', restartDelayMs, onState, ...membershipOptions } = options;
    const { reader, source } = this.parts;
    const gate = new ShardGate(membershipOptions.buckets ?? 64);
    const guard = new ShardGuard<ControllerRef>(gate, (ref) => reader.get(ref), field);
    const labels = { group };
    let mode: 'server' | 'client' | 'unknown' = filtering === 'auto' ? 'unknown' : filtering;
    /** The last membership state told to `onState`: told again when the filtering becomes known. */
    let lastState: ShardState | undefined;
    const report = (e: ShardError): void => membershipOptions.onError?.(e);
    const membership$ = shardMembership(leases, gate, { ...membershipOptions, group, metrics, scheduler: clock }).pipe(
      tap((state) => {
        if (state.fenced) {
          guard.cancelRunning((ref) => new ControllerError('reconcileCancelled', `reconcile of ${describeRef(ref)} was cancelled: this replica could not renew its shard Lease (fenced)`, { ...ref }));
        }
        lastState = state;
        onState?.({ ...state, filtering: mode });
      }),
      ignoreElements(),
    );
    let primary$: Observable<WatcherItem<K>> | undefined;
    if (source !== undefined) {
      const serverSide$: Observable<boolean> =
        filtering === 'auto'
          ? shardFilteringSupported(source.api, field).pipe(
              catchError((e: unknown) => {
                report(new ShardError('detectionFailed', `could not tell whether the API server filters by shard selector; filtering on the client`, { group }, e));
                return of(false);
              }),
            )
          : of(filtering === 'server');
      const items$ = serverSide$.pipe(
        switchMap((serverSide) => {
          const known = serverSide ? 'server' : 'client';
          if (known !== mode) {
            mode = known;
            // Membership may have settled before the detection answered: say the filtering now, not at
            // the next change of the shard (which may never come).
            if (lastState !== undefined) onState?.({ ...lastState, filtering: mode });
          }
          const received = { group, filtering: mode };
          return shardedReflector<K>(source.api, { reader, writer: source.writer }, gate.active$.pipe(startWith(gate.active)), {
            serverSide,
            watcher: source.watcher,
            scheduler: clock,
            ...(field ? { field } : {}),
            ...(restartDelayMs === undefined ? {} : { restartDelayMs }),
            onReceived: () => metrics.inc(SHARD_METRICS.eventsReceived, received),
          });
        }),
        tap((item) => {
          if (item.type !== 'init' && item.type !== 'initApply' && item.type !== 'error') metrics.set(SHARD_METRICS.objects, labels, reader.size);
        }),
      );
      primary$ = source.predicate === undefined ? items$ : items$.pipe(filterItems(source.predicate));
    }
    return { gate, guard, membership$, primary$ };
  }

  private related<R>(
    role: WatchRole,
    watch: (config: WatcherConfig) => Observable<WatcherItem<R>>,
    config: WatcherConfig,
    mapper: (object: R) => Iterable<ControllerRef>,
    resource?: PrimaryResource,
  ): Controller<K> {
    const clock = this.parts.config.scheduler;
    const watchConfig = clock && !config.scheduler ? { ...config, scheduler: clock } : config;
    const about = resource === undefined ? undefined : { kind: resource.kind, apiVersion: resource.apiVersion };
    return this.with((now) =>
      watch(watchConfig).pipe(
        mergeMap((event): Trigger => {
          if (event.type === 'error') return of({ type: 'watchError', watch: role, resource: about, error: event.error });
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

function describeRef(ref: ControllerRef): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

function cancelled(ref: ControllerRef, cause: CancelCause): ControllerError {
  const why = cause === 'gateClosed' ? 'leadership was lost' : 'the controller is shutting down';
  return new ControllerError('reconcileCancelled', `reconcile of ${describeRef(ref)} was cancelled: ${why}`, { ...ref });
}

/** Settings only a watcher config has: a two-argument `Controller.for(api, { labelSelector })` of the old form. */
const WATCHER_ONLY_KEYS: readonly string[] = [
  'labelSelector',
  'fieldSelector',
  'shardSelector',
  'timeoutSeconds',
  'pageSize',
  'bookmarks',
  'listSemantic',
  'initialListStrategy',
  'backoff',
  'random',
  'idleMarginSeconds',
  'onError',
];

function isWatcherConfig(options: object): boolean {
  for (const key of WATCHER_ONLY_KEYS) if (key in options) return true;
  return false;
}

function pickResource(type: PrimaryResource | undefined): PrimaryResource | undefined {
  if (type === undefined) return undefined;
  return type.scope === undefined ? { kind: type.kind, apiVersion: type.apiVersion } : { kind: type.kind, apiVersion: type.apiVersion, scope: type.scope };
}

/** `predicateFilter` over a stream that also carries watch failures (they pass). */
function filterItems<K>(predicate: Predicate<K>): (items$: Observable<WatcherItem<K>>) => Observable<WatcherItem<K>> {
  return (items$) =>
    items$.pipe(
      share(),
      (shared$) => merge(shared$.pipe(filter((i): i is WatcherEvent<K> => i.type !== 'error'), predicateFilter(predicate)), shared$.pipe(filter((i) => i.type === 'error'))),
    );
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

/** `main$`'s items and `side`'s, completing (and erroring) with `main$`. */
function withSideResults<T>(main$: Observable<T>, side: Observable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const sideSub = side.subscribe((v) => subscriber.next(v));
    const mainSub = main$.subscribe({
      next: (v) => subscriber.next(v),
      error: (e: unknown) => subscriber.error(e),
      complete: () => subscriber.complete(),
    });
    return () => {
      mainSub.unsubscribe();
      sideSub.unsubscribe();
    };
  });
}

/** The API group of an apiVersion: `apps/v1` → `apps`, `v1` → `''`. */
function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
