/**
 * `Api<K, S>`: a typed handle on one resource collection (a kind, in one namespace, all namespaces,
 * or the cluster), with one method per Kubernetes verb.
 *
 * @module
 */
import type { Scale } from '../core/api/autoscaling/v1.js';
import { catchError, defer, EMPTY, expand, filter, map, type Observable, of, reduce, throwError } from 'rxjs';
import type { Pod } from '../core/builtins.js';
import type { DynamicObject } from '../core/dynamic.js';
import { DecodeError, parseWatchLine } from '../core/error-boundary.js';
import { InvalidRequestError } from '../core/errors.js';
import type { ObjectList, PartialObjectMetadata } from '../core/object.js';
import type { DeleteParams, GetParams, ListParams, LogParams, PatchParams, PostParams, WatchParams } from '../core/params.js';
import { Patch } from '../core/patch.js';
import { type KubeRequest, RequestBuilder } from '../core/request.js';
import type { KubeObject, ResourceType, Scope } from '../core/resource.js';
import { isStatus, type Status, type WatchEvent } from '../core/response.js';
import type { Client, RequestOptions } from './client.js';
import { Entry, type EntryCommitParams } from './entry.js';
import type { ExecSession } from './exec-session.js';
import { type ExecOptions, type ExecTextOptions, type ExecTextResult, openExec, openPortForward, runExecText } from './pod-streams.js';
import type { PortForward } from './port-forward.js';
import { isAlreadyExists, isNotFound } from './errors.js';

export type { Scale };

/**
 * What a DELETE returns: the object itself while it is still terminating (finalizers, graceful
 * deletion of pods), or a `Status` once it is gone.
 *
 * ## Example
 * ```ts
 * const res = await api.delete('web');
 * if (res.type === 'object') console.log('still terminating', res.object.metadata?.deletionTimestamp);
 * ```
 */
export type DeleteResult<K> = { readonly type: 'object'; readonly object: K } | { readonly type: 'status'; readonly status: Status };

/**
 * What a DELETE collection returns: the list of deleted objects, or a `Status`.
 *
 * ## Example
 * ```ts
 * const res = await api.deleteCollection({}, { labelSelector: 'app=web' });
 * if (res.type === 'list') console.log(res.list.items.length, 'deleted');
 * ```
 */
export type DeleteCollectionResult<K> = { readonly type: 'list'; readonly list: ObjectList<K> } | { readonly type: 'status'; readonly status: Status };

/**
 * Parameters of server-side apply: a field manager is required.
 *
 * ## Example
 * ```ts
 * await api.apply('web', { data: { a: '1' } }, { fieldManager: 'my-operator', force: true });
 * ```
 */
export interface ApplyParams {
  fieldManager: string;
  /** Take ownership of fields another manager owns. */
  force?: boolean;
  dryRun?: boolean;
  fieldValidation?: PostParams['fieldValidation'];
}

/**
 * A deep-partial object, as sent to server-side apply.
 *
 * ## Example
 * ```ts
 * const body: ApplyObject<Deployment> = { spec: { replicas: 3 } };
 * ```
 */
export type ApplyObject<K> = { [P in keyof K]?: K[P] extends object ? ApplyObject<K[P]> : K[P] };

/**
 * The members of an {@link Api} that work without a namespace: list and watch across all
 * namespaces (and the handle's own description). What {@link Api.all} gives for a namespaced kind.
 *
 * ## Example
 * ```ts
 * const pods: AllNamespacesApi<Pod> = Api.all(client, PodType);
 * watcher(pods).subscribe();
 * ```
 */
export type AllNamespacesApi<K extends KubeObject, S extends Scope = 'Namespaced'> = Pick<
  Api<K, S>,
  'client' | 'resourceType' | 'namespace' | 'list' | 'list$' | 'listAll' | 'listAll$' | 'listMetadata' | 'listMetadata$' | 'watch' | 'watchMetadata' | 'toJSON'
>;

/**
 * The default page size of {@link Api.listAll}.
 *
 * ## Example
 * ```ts
 * await api.listAll(); // pages of LIST_ALL_PAGE_SIZE (500)
 * ```
 */
export const LIST_ALL_PAGE_SIZE = 500;

function deleteResult<K>(body: unknown): DeleteResult<K> {
  return isStatus(body) ? { type: 'status', status: body } : { type: 'object', object: body as K };
}

function deleteCollectionResult<K>(body: unknown): DeleteCollectionResult<K> {
  return isStatus(body) ? { type: 'status', status: body } : { type: 'list', list: body as ObjectList<K> };
}

/**
 * A typed handle on a resource collection.
 *
 * **The scheme.** Every one-shot method returns a Promise and has a `$` twin that returns a cold
 * Observable, which sends nothing until subscribed, emits one value and completes, and aborts the
 * HTTP request when unsubscribed (`get`/`get$`, `list`/`list$`, `create`/`create$`, ...). Streams are
 * Observables only: {@link Api.watch} and {@link Api.watchMetadata} emit raw `WatchEvent`s
 * (including BOOKMARK and ERROR; a malformed line errors the stream with `DecodeError`), and
 * {@link Api.logStream} emits log lines. So `async` code awaits, and reconcilers written as
 * Observable pipelines compose the `$` forms and can be tested with marbles.
 *
 * **Cancellation.** Every Promise method takes a last argument `{ signal?: AbortSignal }`; when the
 * signal fires, the HTTP request is torn down (the connection is closed, a retry's wait ends) and
 * the Promise rejects with `AbortedError` (`isAbortedError(e)`), or with the signal's reason when
 * that is a rxkube error (a `TimeoutError`, say). The `$` twins abort on unsubscribe instead.
 *
 * Failures are `ApiError`s (see the guards `isNotFound`, `isConflict`, ...); parameter mistakes are
 * `InvalidRequestError`s, raised before anything is sent (rejections and error notifications, never
 * synchronous throws).
 *
 * Handles: {@link Api.namespaced} and {@link Api.defaultNamespaced} (namespaced kinds only: a
 * cluster-scoped kind is a compile error), {@link Api.cluster} (cluster-scoped kinds),
 * {@link Api.all} (any kind, across all namespaces; for a namespaced kind an {@link AllNamespacesApi}
 * that only lists and watches), and
 * {@link Api.dynamic} for kinds known at run time.
 *
 * ## Example
 * ```ts
 * const pods = Api.namespaced(client, PodType, 'default');
 * const pod = await pods.get('web-0');
 * pods.watch({ bookmarks: true }).subscribe((e) => console.log(e.type));
 * const names$ = pods.list$({ labelSelector: 'app=web' }).pipe(map((l) => l.items.map((p) => p.metadata?.name)));
 * const cm = await Api.namespaced(client, ConfigMapType, 'default').get('settings', {}, { signal: AbortSignal.timeout(5_000) });
 * ```
 */
export class Api<K extends KubeObject, S extends Scope = Scope> {
  private readonly builder: RequestBuilder;

  private constructor(
    /** The client that sends the requests. */
    readonly client: Client,
    /** The resource this handle works on. */
    readonly resourceType: ResourceType<K, S>,
    /** The namespace, or undefined for cluster-scoped kinds and all-namespace handles. */
    readonly namespace: string | undefined,
  ) {
    this.builder = RequestBuilder.for(resourceType, namespace);
  }

  /**
   * A handle on a namespaced kind in `namespace`. Passing a cluster-scoped kind does not compile.
   *
   * ## Example
   * ```ts
   * const cms = Api.namespaced(client, ConfigMapType, 'kube-system');
   * ```
   */
  static namespaced<K extends KubeObject>(client: Client, type: ResourceType<K, 'Namespaced'>, namespace: string): Api<K, 'Namespaced'> {
    return new Api(client, type, namespace);
  }

  /**
   * A handle on a namespaced kind in the client's default namespace (`config.namespace`, which
   * `rxkube/config` takes from the kubeconfig context or the service account; else `default`).
   *
   * ## Example
   * ```ts
   * const pods = Api.defaultNamespaced(client, PodType);
   * ```
   */
  static defaultNamespaced<K extends KubeObject>(client: Client, type: ResourceType<K, 'Namespaced'>): Api<K, 'Namespaced'> {
    return new Api(client, type, client.defaultNamespace);
  }

  /**
   * A handle on a cluster-scoped kind.
   *
   * ## Example
   * ```ts
   * const nodes = Api.cluster(client, NodeType);
   * ```
   */
  static cluster<K extends KubeObject>(client: Client, type: ResourceType<K, 'Cluster'>): Api<K, 'Cluster'> {
    return new Api(client, type, undefined);
  }

  /**
   * A handle on any kind without a namespace: all namespaces for a namespaced kind, the cluster for
   * a cluster-scoped one (the same handle as {@link Api.cluster}). An all-namespaces handle only
   * lists and watches (the server has no item URL, no create and no delete collection without a
   * namespace), so its type is {@link AllNamespacesApi}: `Api.all(client, Pod).get('x')` does not
   * compile.
   *
   * ## Example
   * ```ts
   * const everyPod = await Api.all(client, PodType).listAll();
   * const nodes = Api.all(client, NodeType); // an Api<Node, 'Cluster'>: get, patch, ... work
   * ```
   */
  static all<K extends KubeObject>(client: Client, type: ResourceType<K, 'Cluster'>): Api<K, 'Cluster'>;
  static all<K extends KubeObject>(client: Client, type: ResourceType<K, 'Namespaced'>): AllNamespacesApi<K>;
  static all<K extends KubeObject, S extends Scope>(client: Client, type: ResourceType<K, S>): AllNamespacesApi<K, S>;
  static all<K extends KubeObject, S extends Scope>(client: Client, type: ResourceType<K, S>): Api<K, S> {
    return new Api(client, type, undefined);
  }

  /**
   * A handle on a kind known only at run time (an `ApiResource` from {@link Discovery} or
   * `ApiResource.fromGvk`), over `DynamicObject`s. `namespace` is ignored for cluster-scoped kinds;
   * without one, a namespaced kind gets an all-namespaces handle.
   *
   * ## Example
   * ```ts
   * const widgets = Api.dynamic(client, await discovery.resolve('widgets'), 'default');
   * const w = await widgets.get('w1');
   * ```
   */
  static dynamic<S extends Scope>(client: Client, resource: ResourceType<DynamicObject, S>, namespace?: string): Api<DynamicObject, S> {
    return new Api(client, resource, resource.scope === 'Cluster' ? undefined : namespace);
  }

  /** Builder for item URLs; a namespaced kind on an all-namespaces handle has no item URL. */
  private items(verb: string): RequestBuilder {
    if (this.resourceType.scope === 'Namespaced' && this.namespace === undefined) {
      throw new InvalidRequestError('missingNamespace', `${verb} of a ${this.resourceType.kind} needs a namespace; this Api spans all namespaces`, {
        context: { kind: this.resourceType.kind, verb },
      });
    }
    return this.builder;
  }

  private one<T>(build: () => KubeRequest, options: RequestOptions): Promise<T> {
    try {
      return this.client.request<T>(build(), options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private one$<T>(build: () => KubeRequest): Observable<T> {
    return defer(() => this.client.request$<T>(build()));
  }

  // ---- read ----

  /**
   * GET one object.
   *
   * ## Example
   * ```ts
   * const cm = await api.get('settings');
   * ```
   */
  get(name: string, params: GetParams = {}, options: RequestOptions = {}): Promise<K> {
    return this.one(() => this.items('get').get(name, params), options);
  }

  /** Observable twin of {@link Api.get}. */
  get$(name: string, params: GetParams = {}): Observable<K> {
    return this.one$(() => this.items('get').get(name, params));
  }

  /**
   * GET one object, or undefined when it does not exist (404).
   *
   * ## Example
   * ```ts
   * const cm = (await api.getOpt('settings')) ?? (await api.create(defaults));
   * ```
   */
  async getOpt(name: string, params: GetParams = {}, options: RequestOptions = {}): Promise<K | undefined> {
    try {
      return await this.get(name, params, options);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Observable twin of {@link Api.getOpt}. */
  getOpt$(name: string, params: GetParams = {}): Observable<K | undefined> {
    return this.get$(name, params).pipe(catchError((error: unknown) => (isNotFound(error) ? of(undefined) : throwError(() => error))));
  }

  /**
   * GET one object's metadata only (much smaller than the object).
   *
   * ## Example
   * ```ts
   * const { metadata } = await api.getMetadata('web');
   * ```
   */
  getMetadata(name: string, params: GetParams = {}, options: RequestOptions = {}): Promise<PartialObjectMetadata> {
    return this.one(() => this.items('get').getMetadata(name, params), options);
  }

  /** Observable twin of {@link Api.getMetadata}. */
  getMetadata$(name: string, params: GetParams = {}): Observable<PartialObjectMetadata> {
    return this.one$(() => this.items('get').getMetadata(name, params));
  }

  /**
   * LIST one page (`limit`, `continueToken`).
   *
   * ## Example
   * ```ts
   * const page = await api.list({ labelSelector: 'app=web', limit: 100 });
   * ```
   */
  list(params: ListParams = {}, options: RequestOptions = {}): Promise<ObjectList<K>> {
    return this.one(() => this.builder.list(params), options);
  }

  /** Observable twin of {@link Api.list}. */
  list$(params: ListParams = {}): Observable<ObjectList<K>> {
    return this.one$(() => this.builder.list(params));
  }

  /**
   * LIST every page, following `continue` (pages of `params.limit`, default 500), and return all
   * items with the resourceVersion of the last page.
   *
   * ## Example
   * ```ts
   * const { items, metadata } = await api.listAll({ labelSelector: 'app=web' });
   * api.watch({ resourceVersion: metadata.resourceVersion });
   * ```
   */
  async listAll(params: Omit<ListParams, 'continueToken'> = {}, options: RequestOptions = {}): Promise<ObjectList<K>> {
    const limit = params.limit ?? LIST_ALL_PAGE_SIZE;
    const items: K[] = [];
    let page = await this.list({ ...params, limit }, options);
    items.push(...page.items);
    while (page.metadata.continue) {
      page = await this.list({ ...params, resourceVersion: undefined, resourceVersionMatch: undefined, limit, continueToken: page.metadata.continue }, options);
      items.push(...page.items);
    }
    return { ...page, metadata: { resourceVersion: page.metadata.resourceVersion }, items };
  }

  /** Observable twin of {@link Api.listAll}: emits the complete list once. */
  listAll$(params: Omit<ListParams, 'continueToken'> = {}): Observable<ObjectList<K>> {
    const limit = params.limit ?? LIST_ALL_PAGE_SIZE;
    const next = (continueToken: string): Observable<ObjectList<K>> =>
      this.list$({ ...params, resourceVersion: undefined, resourceVersionMatch: undefined, limit, continueToken });
    return this.list$({ ...params, limit }).pipe(
      expand((page) => (page.metadata.continue ? next(page.metadata.continue) : EMPTY)),
      reduce(
        (all: { items: K[]; page?: ObjectList<K> }, page) => {
          all.items.push(...page.items);
          return { items: all.items, page };
        },
        { items: [] },
      ),
      map(({ items, page }) => ({ ...page, metadata: { resourceVersion: page?.metadata.resourceVersion }, items })),
    );
  }

  /**
   * LIST one page of metadata only.
   *
   * ## Example
   * ```ts
   * const names = (await api.listMetadata()).items.map((m) => m.metadata.name);
   * ```
   */
  listMetadata(params: ListParams = {}, options: RequestOptions = {}): Promise<ObjectList<PartialObjectMetadata>> {
    return this.one(() => this.builder.listMetadata(params), options);
  }

  /** Observable twin of {@link Api.listMetadata}. */
  listMetadata$(params: ListParams = {}): Observable<ObjectList<PartialObjectMetadata>> {
    return this.one$(() => this.builder.listMetadata(params));
  }

  // ---- streams ----

  /**
   * WATCH: a cold Observable of raw watch events, in order, until the server ends the stream
   * (then it completes). A failure status errors with `ApiError` (410 Gone: relist); a malformed
   * line errors with `DecodeError`. Unsubscribing closes the connection.
   *
   * ## Example
   * ```ts
   * api.watch({ resourceVersion: rv, bookmarks: true, timeoutSeconds: 290 }).subscribe((e) => {
   *   if (e.type === 'ERROR') console.error(e.object.message);
   * });
   * ```
   */
  watch(params: WatchParams = {}): Observable<WatchEvent<K>> {
    return this.stream<WatchEvent<K>>(() => this.builder.watch(params));
  }

  /**
   * WATCH metadata only (`PartialObjectMetadata` objects).
   *
   * ## Example
   * ```ts
   * api.watchMetadata({}).subscribe((e) => console.log(e.type));
   * ```
   */
  watchMetadata(params: WatchParams = {}): Observable<WatchEvent<PartialObjectMetadata>> {
    return this.stream<WatchEvent<PartialObjectMetadata>>(() => this.builder.watchMetadata(params));
  }

  private stream<E>(build: () => KubeRequest): Observable<E> {
    return defer(() => {
      const request = build();
      return this.client.requestLines(request).pipe(
        filter((line) => line.trim() !== ''),
        map((line) => {
          const event = parseWatchLine<unknown>(line);
          if (event instanceof DecodeError) throw event;
          return event as E;
        }),
      );
    });
  }

  /**
   * Followed pod logs as an Observable of lines (`follow: true` is implied); completes when the
   * container stops.
   *
   * ## Example
   * ```ts
   * pods.logStream('web-0', { container: 'app', tailLines: 10 }).subscribe((line) => console.log(line));
   * ```
   */
  logStream(name: string, params: Omit<LogParams, 'follow'> = {}): Observable<string> {
    return defer(() => this.client.requestLines(this.items('logs').logs(name, { ...params, follow: true })));
  }

  /**
   * Pod logs once, as text.
   *
   * ## Example
   * ```ts
   * const text = await pods.logs('web-0', { tailLines: 100 });
   * ```
   */
  logs(name: string, params: Omit<LogParams, 'follow'> = {}, options: RequestOptions = {}): Promise<string> {
    try {
      return this.client.requestText(this.items('logs').logs(name, { ...params, follow: false }), options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Observable twin of {@link Api.logs}. */
  logs$(name: string, params: Omit<LogParams, 'follow'> = {}): Observable<string> {
    return defer(() => this.client.requestText$(this.items('logs').logs(name, { ...params, follow: false })));
  }
  // ---- pod streams (WebSocket) ----

  private streamContext(this: Api<Pod, 'Namespaced'>, name: string, container?: string): Record<string, unknown> {
    return { pod: name, namespace: this.namespace, ...(container === undefined ? {} : { container }) };
  }

  /**
   * Runs `command` (an argv array, not a shell line) in a container of a pod, over a WebSocket
   * (`v5.channel.k8s.io`, else `v4.channel.k8s.io`). Resolves once the session is open: stdout and
   * stderr are Observables of bytes, stdin is written to and ended, `resize` changes a TTY's size and
   * `exit` settles with `{ exitCode }` — a non-zero exit is a value. A refused upgrade (unknown pod,
   * no RBAC for `pods/exec`) rejects with `ApiError` carrying the server's Status; a command that
   * cannot run makes `exit` reject with `PodStreamError` `execFailed`. Only on a Pod handle.
   *
   * ## Example
   * ```ts
   * const pods = Api.namespaced(client, Pod, 'default');
   * const session = await pods.exec('web-0', ['sh', '-c', 'cat'], { stdin: true });
   * session.stdout.subscribe((bytes) => process.stdout.write(bytes));
   * session.stdin.write('hello\n');
   * session.stdin.end();
   * console.log((await session.exit).exitCode);
   * ```
   */
  async exec(this: Api<Pod, 'Namespaced'>, name: string, command: readonly string[], options: ExecOptions = {}): Promise<ExecSession> {
    const request = this.items('exec').exec(name, { ...options, command });
    return openExec(this.client, request, options, { ...this.streamContext(name, options.container), command: command[0] });
  }

  /**
   * Runs `command` to its end and returns its output as text with the exit code (a non-zero exit is
   * a value); `stdin` is sent and then closed.
   *
   * ## Example
   * ```ts
   * const { stdout, stderr, exitCode } = await pods.execText('web-0', ['wc', '-c'], { stdin: 'hello' });
   * ```
   */
  async execText(this: Api<Pod, 'Namespaced'>, name: string, command: readonly string[], options: ExecTextOptions = {}): Promise<ExecTextResult> {
    const request = this.items('exec').exec(name, {
      command,
      stdin: options.stdin !== undefined,
      ...(options.container === undefined ? {} : { container: options.container }),
    });
    return runExecText(this.client, request, options, { ...this.streamContext(name, options.container), command: command[0] });
  }

  /**
   * Attaches to the main process of a container (its stdin only if the container has `stdin: true`),
   * as a session like {@link Api.exec}'s.
   *
   * ## Example
   * ```ts
   * const session = await pods.attach('web-0', { stdout: true, stderr: true });
   * session.stdout.subscribe((bytes) => process.stdout.write(bytes));
   * ```
   */
  async attach(this: Api<Pod, 'Namespaced'>, name: string, options: ExecOptions = {}): Promise<ExecSession> {
    const request = this.items('attach').attach(name, options);
    return openExec(this.client, request, options, this.streamContext(name, options.container));
  }

  /**
   * Forwards `ports` of a pod over one WebSocket: one connection per port, bytes both ways. For a
   * local listener like `kubectl port-forward` (a connection per local client) see
   * `portForwardServer` in `rxkube/config`.
   *
   * ## Example
   * ```ts
   * const forward = await pods.portForward('web-0', [8080]);
   * forward.port(8080).data.subscribe((bytes) => console.log(bytes.length));
   * forward.port(8080).write('GET / HTTP/1.0\r\n\r\n');
   * ```
   */
  async portForward(this: Api<Pod, 'Namespaced'>, name: string, ports: readonly number[], options: { signal?: AbortSignal } = {}): Promise<PortForward> {
    const request = this.items('portforward').portForward(name, { ports });
    return openPortForward(this.client, request, ports, this.streamContext(name), options.signal);
  }


  // ---- write ----

  /**
   * CREATE an object (in this handle's namespace).
   *
   * ## Example
   * ```ts
   * await api.create({ metadata: { name: 'settings' }, data: { a: '1' } }, { dryRun: true });
   * ```
   */
  create(object: K, params: PostParams = {}, options: RequestOptions = {}): Promise<K> {
    return this.one(() => this.items('create').create(object, params), options);
  }

  /** Observable twin of {@link Api.create}. */
  create$(object: K, params: PostParams = {}): Observable<K> {
    return this.one$(() => this.items('create').create(object, params));
  }

  /**
   * REPLACE an object; with `metadata.resourceVersion` set, a stale object fails with 409 Conflict.
   *
   * ## Example
   * ```ts
   * cm.data = { a: '2' };
   * await api.replace('settings', cm);
   * ```
   */
  replace(name: string, object: K, params: PostParams = {}, options: RequestOptions = {}): Promise<K> {
    return this.one(() => this.items('replace').replace(name, object, params), options);
  }

  /** Observable twin of {@link Api.replace}. */
  replace$(name: string, object: K, params: PostParams = {}): Observable<K> {
    return this.one$(() => this.items('replace').replace(name, object, params));
  }

  /**
   * PATCH an object with any patch type (merge, strategic, JSON patch, apply).
   *
   * ## Example
   * ```ts
   * await api.patch('web', Patch.merge({ metadata: { labels: { tier: 'fe' } } }));
   * ```
   */
  patch(name: string, patch: Patch, params: PatchParams = {}, options: RequestOptions = {}): Promise<K> {
    return this.one(() => this.items('patch').patch(name, patch, params), options);
  }

  /** Observable twin of {@link Api.patch}. */
  patch$(name: string, patch: Patch, params: PatchParams = {}): Observable<K> {
    return this.one$(() => this.items('patch').patch(name, patch, params));
  }

  /** The apply body: the object with apiVersion, kind and metadata.name filled in when missing. */
  private applyBody(name: string, object: ApplyObject<K>): Record<string, unknown> {
    const o = object as Record<string, unknown> & { metadata?: Record<string, unknown> };
    return {
      apiVersion: this.resourceType.apiVersion,
      kind: this.resourceType.kind,
      ...o,
      metadata: { name, ...(o.metadata ?? {}) },
    };
  }

  /**
   * Server-side apply: sends the fields this manager owns. `apiVersion`, `kind` and `metadata.name`
   * are filled in from the handle when missing. A conflict with another manager fails with 409 and
   * the conflicting fields in `causes` unless `force` is set.
   *
   * ## Example
   * ```ts
   * await api.apply('web', { spec: { replicas: 3 } }, { fieldManager: 'autoscaler', force: true });
   * ```
   */
  apply(name: string, object: ApplyObject<K>, params: ApplyParams, options: RequestOptions = {}): Promise<K> {
    return this.one(() => this.items('apply').patch(name, Patch.apply(this.applyBody(name, object)), params), options);
  }

  /** Observable twin of {@link Api.apply}. */
  apply$(name: string, object: ApplyObject<K>, params: ApplyParams): Observable<K> {
    return this.one$(() => this.items('apply').patch(name, Patch.apply(this.applyBody(name, object)), params));
  }

  /**
   * DELETE an object: the object while it terminates, or a Status once gone.
   *
   * ## Example
   * ```ts
   * const res = await api.delete('web', { propagationPolicy: 'Foreground' });
   * ```
   */
  async delete(name: string, params: DeleteParams = {}, options: RequestOptions = {}): Promise<DeleteResult<K>> {
    return deleteResult<K>(await this.one<unknown>(() => this.items('delete').delete(name, params), options));
  }

  /** Observable twin of {@link Api.delete}. */
  delete$(name: string, params: DeleteParams = {}): Observable<DeleteResult<K>> {
    return this.one$<unknown>(() => this.items('delete').delete(name, params)).pipe(map((body) => deleteResult<K>(body)));
  }

  /**
   * DELETE every object that matches the list parameters' selectors.
   *
   * ## Example
   * ```ts
   * await api.deleteCollection({}, { labelSelector: 'app=web' });
   * ```
   */
  async deleteCollection(deleteParams: DeleteParams = {}, listParams: ListParams = {}, options: RequestOptions = {}): Promise<DeleteCollectionResult<K>> {
    return deleteCollectionResult<K>(await this.one<unknown>(() => this.builder.deleteCollection(deleteParams, listParams), options));
  }

  /** Observable twin of {@link Api.deleteCollection}. */
  deleteCollection$(deleteParams: DeleteParams = {}, listParams: ListParams = {}): Observable<DeleteCollectionResult<K>> {
    return this.one$<unknown>(() => this.builder.deleteCollection(deleteParams, listParams)).pipe(map((body) => deleteCollectionResult<K>(body)));
  }

  // ---- subresources ----

  /**
   * GET the `status` subresource (the whole object, as the server returns it).
   *
   * ## Example
   * ```ts
   * const { status } = await api.getStatus('web');
   * ```
   */
  getStatus(name: string, options: RequestOptions = {}): Promise<K> {
    return this.one(() => this.items('get').getSubresource('status', name), options);
  }

  /** Observable twin of {@link Api.getStatus}. */
  getStatus$(name: string): Observable<K> {
    return this.one$(() => this.items('get').getSubresource('status', name));
  }

  /**
   * PATCH the `status` subresource (only status changes are kept).
   *
   * ## Example
   * ```ts
   * await api.patchStatus('w1', Patch.merge({ status: { ready: true } }));
   * ```
   */
  patchStatus(name: string, patch: Patch, params: PatchParams = {}, options: RequestOptions = {}): Promise<K> {
    return this.one(() => this.items('patch').patchSubresource('status', name, patch, params), options);
  }

  /** Observable twin of {@link Api.patchStatus}. */
  patchStatus$(name: string, patch: Patch, params: PatchParams = {}): Observable<K> {
    return this.one$(() => this.items('patch').patchSubresource('status', name, patch, params));
  }

  /**
   * PUT the `status` subresource.
   *
   * ## Example
   * ```ts
   * obj.status = { ready: true };
   * await api.replaceStatus('w1', obj);
   * ```
   */
  replaceStatus(name: string, object: K, params: PostParams = {}, options: RequestOptions = {}): Promise<K> {
    return this.one(() => this.items('replace').replaceSubresource('status', name, object, params), options);
  }

  /** Observable twin of {@link Api.replaceStatus}. */
  replaceStatus$(name: string, object: K, params: PostParams = {}): Observable<K> {
    return this.one$(() => this.items('replace').replaceSubresource('status', name, object, params));
  }

  /**
   * GET the `scale` subresource (`autoscaling/v1` Scale).
   *
   * ## Example
   * ```ts
   * const { spec } = await deployments.getScale('web');
   * ```
   */
  getScale(name: string, options: RequestOptions = {}): Promise<Scale> {
    return this.one(() => this.items('get').getSubresource('scale', name), options);
  }

  /** Observable twin of {@link Api.getScale}. */
  getScale$(name: string): Observable<Scale> {
    return this.one$(() => this.items('get').getSubresource('scale', name));
  }

  /**
   * PATCH the `scale` subresource.
   *
   * ## Example
   * ```ts
   * await deployments.patchScale('web', Patch.merge({ spec: { replicas: 3 } }));
   * ```
   */
  patchScale(name: string, patch: Patch, params: PatchParams = {}, options: RequestOptions = {}): Promise<Scale> {
    return this.one(() => this.items('patch').patchSubresource('scale', name, patch, params), options);
  }

  /** Observable twin of {@link Api.patchScale}. */
  patchScale$(name: string, patch: Patch, params: PatchParams = {}): Observable<Scale> {
    return this.one$(() => this.items('patch').patchSubresource('scale', name, patch, params));
  }

  /**
   * PUT the `scale` subresource.
   *
   * ## Example
   * ```ts
   * const scale = await deployments.getScale('web');
   * await deployments.replaceScale('web', { ...scale, spec: { replicas: 0 } });
   * ```
   */
  replaceScale(name: string, scale: Scale, params: PostParams = {}, options: RequestOptions = {}): Promise<Scale> {
    return this.one(() => this.items('replace').replaceSubresource('scale', name, scale, params), options);
  }

  /** Observable twin of {@link Api.replaceScale}. */
  replaceScale$(name: string, scale: Scale, params: PostParams = {}): Observable<Scale> {
    return this.one$(() => this.items('replace').replaceSubresource('scale', name, scale, params));
  }

  private evictRequest(name: string, params: DeleteParams): KubeRequest {
    const { group, plural, kind } = this.resourceType;
    if (group !== '' || plural !== 'pods') {
      throw new InvalidRequestError('invalidParams', `only pods can be evicted, not ${kind}`, { context: { kind, name } });
    }
    // Pods are namespaced, so items() rejects an all-namespaces handle and the namespace is set.
    return this.items('evict').evict(name, this.namespace as string, params);
  }

  /**
   * Evict a pod (policy/v1 Eviction): a delete that respects PodDisruptionBudgets. A budget that
   * forbids it answers 429 (`isTooManyRequests`).
   *
   * ## Example
   * ```ts
   * await pods.evict('web-0', { gracePeriodSeconds: 0 });
   * ```
   */
  evict(name: string, params: DeleteParams = {}, options: RequestOptions = {}): Promise<Status> {
    return this.one(() => this.evictRequest(name, params), options);
  }

  /** Observable twin of {@link Api.evict}. */
  evict$(name: string, params: DeleteParams = {}): Observable<Status> {
    return this.one$(() => this.evictRequest(name, params));
  }

  // ---- read-modify-write ----

  /**
   * Reads the object `name` into an {@link Entry} for a read-modify-write (get or create, modify,
   * commit; conflicts are retried by replaying the changes on a fresh copy).
   *
   * ## Example
   * ```ts
   * const entry = await api.entry('settings');
   * await entry.orInsert(() => ({ metadata: { name: 'settings' }, data: {} })).andModify((cm) => { cm.data!.n = '1'; }).commit();
   * ```
   */
  async entry(name: string, options: RequestOptions = {}): Promise<Entry<K>> {
    return new Entry<K>(this, name, await this.getOpt(name, {}, options));
  }

  /**
   * GET an object, or CREATE it from `make()` when missing; when someone else creates it first
   * (409 AlreadyExists), their object is returned.
   *
   * ## Example
   * ```ts
   * const cm = await api.getOrCreate('settings', () => ({ metadata: { name: 'settings' }, data: {} }));
   * ```
   */
  async getOrCreate(name: string, make: () => K, params: PostParams = {}, options: RequestOptions = {}): Promise<K> {
    const existing = await this.getOpt(name, {}, options);
    if (existing !== undefined) return existing;
    try {
      return await this.create(make(), params, options);
    } catch (error) {
      if (isAlreadyExists(error)) return this.get(name, {}, options);
      throw error;
    }
  }

  /**
   * GET, change with `mutate` and REPLACE an existing object; on 409 Conflict the object is read
   * again and `mutate` applied to the new copy, up to `maxAttempts` times (default 5). A missing
   * object rejects with the 404 `ApiError`.
   *
   * ## Example
   * ```ts
   * await api.modify('settings', (cm) => { cm.data = { ...cm.data, n: String(Number(cm.data?.n ?? 0) + 1) }; });
   * ```
   */
  async modify(name: string, mutate: (object: K) => K | void, params: EntryCommitParams = {}, options: RequestOptions = {}): Promise<K> {
    const entry = new Entry<K>(this, name, await this.get(name, {}, options));
    const result = await entry.andModify(mutate).commit(params, options);
    return result as K;
  }

  /** A secret-free description for logs. */
  toJSON(): Record<string, unknown> {
    return { kind: this.resourceType.kind, apiVersion: this.resourceType.apiVersion, namespace: this.namespace, client: this.client.toJSON() };
  }
}
