/**
 * The request builder: turns a resource, a verb and its parameters into a plain
 * `{ verb, method, path, query, headers, body }`. It never sends anything; `rxkube/client` does.
 *
 * @module
 */
import { InvalidRequestError } from './errors.js';
import { PATCH_CONTENT_TYPES, type Patch } from './patch.js';
import {
  type DeleteParams,
  type GetParams,
  type ListParams,
  type LogParams,
  type PatchParams,
  type PostParams,
  type WatchParams,
  validateDeleteParams,
  validateListParams,
  validatePatchParams,
  validatePostParams,
  validateWatchParams,
} from './params.js';
import { type AttachParams, attachQuery, type ExecParams, execQuery, type PortForwardParams, portForwardQuery } from './pod-stream-request.js';

/** HTTP methods used by the Kubernetes API. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The Kubernetes verb a request performs (used in errors, metrics and logs). */
export type Verb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'replace'
  | 'patch'
  | 'delete'
  | 'deletecollection'
  | 'evict'
  | 'logs'
  | 'exec'
  | 'attach'
  | 'portforward';

/**
 * A request, fully described and not sent. `body` is a JSON-serialisable value (or undefined);
 * `streaming` marks responses read line by line (watch, followed logs), which get no read timeout.
 *
 * ## Example
 * ```ts
 * const req = RequestBuilder.for(ConfigMap, 'default').get('settings');
 * // { verb: 'get', method: 'GET', path: '/api/v1/namespaces/default/configmaps/settings', query: {}, headers: { Accept: 'application/json' } }
 * ```
 */
export interface KubeRequest {
  readonly verb: Verb;
  readonly method: HttpMethod;
  readonly path: string;
  /** Query parameters; an array repeats the parameter once per value (`command` of exec). */
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly streaming?: boolean;
}

/** The parts of a resource needed to build its URL (a `ResourceType` or a dynamic `ApiResource`). */
export interface UrlResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

/** Accept header of metadata-only GET and WATCH. */
export const ACCEPT_METADATA = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
/** Accept header of metadata-only LIST. */
export const ACCEPT_METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

const JSON_ACCEPT = { Accept: 'application/json' } as const;
const JSON_BODY = { Accept: 'application/json', 'Content-Type': 'application/json' } as const;

/**
 * The collection URL of a resource: `/api/v1[/namespaces/ns]/plural` for the core group,
 * `/apis/group/version[/namespaces/ns]/plural` otherwise. Names are percent-escaped.
 *
 * ## Example
 * ```ts
 * resourceUrl({ group: 'apps', version: 'v1', plural: 'deployments' }, 'ns'); // '/apis/apps/v1/namespaces/ns/deployments'
 * ```
 */
export function resourceUrl(resource: UrlResource, namespace?: string): string {
  const base = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  const ns = namespace === undefined ? '' : `/namespaces/${segment('namespace', namespace)}`;
  return `${base}${ns}/${resource.plural}`;
}

function segment(what: string, value: string): string {
  if (value === '' || value === '.' || value === '..') {
    throw new InvalidRequestError(what === 'namespace' ? 'missingNamespace' : 'missingName', `a ${what} cannot be ${JSON.stringify(value)}`, {
      context: { [what]: value },
    });
  }
  return encodeURIComponent(value);
}

function setIf(query: Record<string, string>, key: string, value: string | number | boolean | undefined): void {
  if (value !== undefined) query[key] = String(value);
}

function selectorQuery(p: ListParams | WatchParams): Record<string, string> {
  const q: Record<string, string> = {};
  setIf(q, 'labelSelector', p.labelSelector || undefined);
  setIf(q, 'fieldSelector', p.fieldSelector || undefined);
  setIf(q, 'timeoutSeconds', p.timeoutSeconds);
  setIf(q, 'shardSelector', p.shardSelector || undefined);
  return q;
}

function listQuery(p: ListParams): Record<string, string> {
  validateListParams(p);
  const q = selectorQuery(p);
  setIf(q, 'limit', p.limit);
  setIf(q, 'continue', p.continueToken || undefined);
  setIf(q, 'resourceVersion', p.resourceVersion);
  setIf(q, 'resourceVersionMatch', p.resourceVersionMatch);
  return q;
}

function watchQuery(p: WatchParams): Record<string, string> {
  validateWatchParams(p);
  const q: Record<string, string> = { watch: 'true', ...selectorQuery(p) };
  setIf(q, 'resourceVersion', p.resourceVersion);
  if (p.bookmarks ?? p.sendInitialEvents) q.allowWatchBookmarks = 'true';
  if (p.sendInitialEvents) q.sendInitialEvents = 'true';
  setIf(q, 'resourceVersionMatch', p.resourceVersionMatch);
  return q;
}

function postQuery(p: PostParams): Record<string, string> {
  validatePostParams(p);
  const q: Record<string, string> = {};
  if (p.dryRun) q.dryRun = 'All';
  setIf(q, 'fieldManager', p.fieldManager);
  setIf(q, 'fieldValidation', p.fieldValidation);
  return q;
}

function deleteBody(p: DeleteParams): Record<string, unknown> | undefined {
  validateDeleteParams(p);
  const body: Record<string, unknown> = {};
  if (p.dryRun) body.dryRun = ['All'];
  if (p.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = p.gracePeriodSeconds;
  if (p.propagationPolicy !== undefined) body.propagationPolicy = p.propagationPolicy;
  if (p.preconditions !== undefined) body.preconditions = p.preconditions;
  return Object.keys(body).length === 0 ? undefined : { apiVersion: 'v1', kind: 'DeleteOptions', ...body };
}

/**
 * Builds requests for one resource collection URL. Construct it with {@link RequestBuilder.for}
 * (from a resource and an optional namespace) or with a collection path.
 *
 * ## Example
 * ```ts
 * const rb = RequestBuilder.for({ group: 'apps', version: 'v1', plural: 'deployments' }, 'ns');
 * rb.list({ labelSelector: 'app=web', limit: 500 }).path; // '/apis/apps/v1/namespaces/ns/deployments'
 * rb.patch('web', Patch.apply(obj), { fieldManager: 'me', force: true }).headers['Content-Type']; // 'application/apply-patch+yaml'
 * ```
 */
export class RequestBuilder {
  /** @param urlPath - the collection URL, e.g. `/api/v1/namespaces/ns/pods`. */
  constructor(readonly urlPath: string) {}

  /** A builder for a resource's collection, in `namespace` or across all namespaces. */
  static for(resource: UrlResource, namespace?: string): RequestBuilder {
    return new RequestBuilder(resourceUrl(resource, namespace));
  }

  private item(name: string, subresource?: string): string {
    const base = `${this.urlPath}/${segment('name', name)}`;
    return subresource === undefined ? base : `${base}/${subresource}`;
  }

  /** GET one object. */
  get(name: string, p: GetParams = {}): KubeRequest {
    const query: Record<string, string> = {};
    setIf(query, 'resourceVersion', p.resourceVersion);
    return { verb: 'get', method: 'GET', path: this.item(name), query, headers: { ...JSON_ACCEPT } };
  }

  /** GET one object's metadata only (`PartialObjectMetadata`). */
  getMetadata(name: string, p: GetParams = {}): KubeRequest {
    return { ...this.get(name, p), headers: { Accept: ACCEPT_METADATA } };
  }

  /** LIST one page. */
  list(p: ListParams = {}): KubeRequest {
    return { verb: 'list', method: 'GET', path: this.urlPath, query: listQuery(p), headers: { ...JSON_ACCEPT } };
  }

  /** LIST one page of metadata only (`PartialObjectMetadataList`). */
  listMetadata(p: ListParams = {}): KubeRequest {
    return { ...this.list(p), headers: { Accept: ACCEPT_METADATA_LIST } };
  }

  /** WATCH, as a stream of newline-delimited JSON events. */
  watch(p: WatchParams = {}): KubeRequest {
    return { verb: 'watch', method: 'GET', path: this.urlPath, query: watchQuery(p), headers: { ...JSON_ACCEPT }, streaming: true };
  }

  /** WATCH metadata only. */
  watchMetadata(p: WatchParams = {}): KubeRequest {
    return { ...this.watch(p), headers: { Accept: ACCEPT_METADATA } };
  }

  /** CREATE (POST to the collection). */
  create(object: unknown, p: PostParams = {}): KubeRequest {
    return { verb: 'create', method: 'POST', path: this.urlPath, query: postQuery(p), headers: { ...JSON_BODY }, body: object };
  }

  /** REPLACE (PUT); the object should carry `metadata.resourceVersion` for optimistic concurrency. */
  replace(name: string, object: unknown, p: PostParams = {}): KubeRequest {
    return { verb: 'replace', method: 'PUT', path: this.item(name), query: postQuery(p), headers: { ...JSON_BODY }, body: object };
  }

  /** PATCH with any {@link Patch} type; the Content-Type follows the patch type. */
  patch(name: string, patch: Patch, p: PatchParams = {}): KubeRequest {
    return this.patchAt(this.item(name), patch, p);
  }

  private patchAt(path: string, patch: Patch, p: PatchParams): KubeRequest {
    validatePatchParams(patch.type, p);
    const query = postQuery(p);
    if (p.force) query.force = 'true';
    const headers = { Accept: 'application/json', 'Content-Type': PATCH_CONTENT_TYPES[patch.type] };
    return { verb: 'patch', method: 'PATCH', path, query, headers, body: patch.body };
  }

  /** DELETE one object. The response is the object (while finalizers run) or a Status. */
  delete(name: string, p: DeleteParams = {}): KubeRequest {
    const body = deleteBody(p);
    const headers = body === undefined ? { ...JSON_ACCEPT } : { ...JSON_BODY };
    return { verb: 'delete', method: 'DELETE', path: this.item(name), query: {}, headers, ...(body === undefined ? {} : { body }) };
  }

  /** DELETE every object matching the list parameters' selectors. */
  deleteCollection(dp: DeleteParams = {}, lp: ListParams = {}): KubeRequest {
    const body = deleteBody(dp);
    const headers = body === undefined ? { ...JSON_ACCEPT } : { ...JSON_BODY };
    return { verb: 'deletecollection', method: 'DELETE', path: this.urlPath, query: listQuery(lp), headers, ...(body === undefined ? {} : { body }) };
  }

  /** GET a subresource (`status`, `scale`, ...). */
  getSubresource(subresource: string, name: string): KubeRequest {
    return { verb: 'get', method: 'GET', path: this.item(name, subresource), query: {}, headers: { ...JSON_ACCEPT } };
  }

  /** PATCH a subresource. */
  patchSubresource(subresource: string, name: string, patch: Patch, p: PatchParams = {}): KubeRequest {
    return this.patchAt(this.item(name, subresource), patch, p);
  }

  /** PUT a subresource. */
  replaceSubresource(subresource: string, name: string, object: unknown, p: PostParams = {}): KubeRequest {
    return { verb: 'replace', method: 'PUT', path: this.item(name, subresource), query: postQuery(p), headers: { ...JSON_BODY }, body: object };
  }

  /** Create an Eviction for a pod (`policy/v1`). */
  evict(name: string, namespace: string, dp: DeleteParams = {}): KubeRequest {
    const deleteOptions = deleteBody(dp);
    const body = {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name, namespace },
      ...(deleteOptions === undefined ? {} : { deleteOptions }),
    };
    return { verb: 'evict', method: 'POST', path: this.item(name, 'eviction'), query: {}, headers: { ...JSON_BODY }, body };
  }

  /** GET a pod's logs, once or followed (streaming). */
  logs(name: string, p: LogParams = {}): KubeRequest {
    const query: Record<string, string> = {};
    setIf(query, 'container', p.container);
    if (p.follow) query.follow = 'true';
    if (p.previous) query.previous = 'true';
    setIf(query, 'sinceSeconds', p.sinceSeconds);
    setIf(query, 'sinceTime', p.sinceTime);
    setIf(query, 'tailLines', p.tailLines);
    if (p.timestamps) query.timestamps = 'true';
    setIf(query, 'limitBytes', p.limitBytes);
    if (p.insecureSkipTLSVerifyBackend) query.insecureSkipTLSVerifyBackend = 'true';
    return {
      verb: 'logs',
      method: 'GET',
      path: this.item(name, 'log'),
      query,
      // A real kube-apiserver answers `Accept: text/plain` alone with 406 NotAcceptable (it negotiates the log
      // endpoint like any other: JSON, YAML or protobuf, or anything); kubectl sends `application/json, */*`.
      headers: { Accept: 'text/plain, */*' },
      ...(p.follow ? { streaming: true } : {}),
    };
  }

  /**
   * `pods/exec`: run a command in a container. Opened as a WebSocket (`v5.channel.k8s.io`) by the
   * client; the method is GET, as the WebSocket upgrade is.
   */
  exec(name: string, p: ExecParams): KubeRequest {
    return { verb: 'exec', method: 'GET', path: this.item(name, 'exec'), query: execQuery(p), headers: {}, streaming: true };
  }

  /** `pods/attach`: the streams of a container's main process, opened as a WebSocket. */
  attach(name: string, p: AttachParams = {}): KubeRequest {
    return { verb: 'attach', method: 'GET', path: this.item(name, 'attach'), query: attachQuery(p), headers: {}, streaming: true };
  }

  /** `pods/portforward`: TCP connections to the pod's ports, opened as a WebSocket (`v4.channel.k8s.io`). */
  portForward(name: string, p: PortForwardParams): KubeRequest {
    return { verb: 'portforward', method: 'GET', path: this.item(name, 'portforward'), query: portForwardQuery(p), headers: {}, streaming: true };
  }
}
