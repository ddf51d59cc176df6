/**
 * API discovery: what groups, versions and resources the server offers, so a kind known only at run
 * time (a GVK, a plural such as `deployments.apps`, a short name such as `deploy`) can be resolved
 * to an `ApiResource` and used with `Api.dynamic`. Uses aggregated discovery
 * (`apidiscovery.k8s.io/v2`, two requests) and falls back to the legacy endpoints (`/api/v1`,
 * `/apis`, `/apis/<group>/<version>`) on servers without it. Results are cached until `refresh()`.
 *
 * @module
 */
import type { APIResource, APIResourceList } from '../core/api/meta/v1.js';
import { ApiResource } from '../core/api-resource.js';
import { ERROR_BRAND, KubeError } from '../core/errors.js';
import type { GroupVersionKind } from '../core/gvk.js';
import type { KubeRequest } from '../core/request.js';
import type { Client } from './client.js';

/**
 * Accept header asking for aggregated discovery, with plain JSON (legacy) as the fallback.
 *
 * ## Example
 * ```ts
 * const req = { verb: 'get', method: 'GET', path: '/apis', query: {}, headers: { Accept: AGGREGATED_DISCOVERY_ACCEPT } } as const;
 * ```
 */
export const AGGREGATED_DISCOVERY_ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

/**
 * One API group and its versions, the preferred one first.
 *
 * ## Example
 * ```ts
 * (await discovery.run()).groups.find((g) => g.name === 'apps')?.preferredVersion; // 'v1'
 * ```
 */
export interface ApiGroupInfo {
  /** The group name; `''` for the core group. */
  readonly name: string;
  /** Served versions, most preferred first. */
  readonly versions: readonly string[];
  /** The version clients should use. */
  readonly preferredVersion: string;
}

/**
 * What {@link Discovery.resolve} accepts: a name (plural, `plural.group`, singular, short name or kind) or a GVK.
 *
 * ## Example
 * ```ts
 * const queries: ResourceQuery[] = ['deploy', 'deployments.apps', { group: 'apps', kind: 'Deployment' }];
 * ```
 */
export type ResourceQuery = string | GroupVersionKind | { readonly group: string; readonly kind: string; readonly version?: string };

/**
 * Options of {@link Discovery}.
 *
 * ## Example
 * ```ts
 * const legacyOnly = new Discovery(client, { mode: 'legacy' });
 * ```
 */
export interface DiscoveryOptions {
  /**
   * `auto` tries aggregated discovery and falls back to legacy; the others force one protocol.
   * @default 'auto'
   */
  mode?: 'auto' | 'aggregated' | 'legacy';
}

/**
 * Reason codes of {@link DiscoveryError}.
 *
 * ## Example
 * ```ts
 * const missing = (e: unknown) => e instanceof DiscoveryError && e.reason === 'notFound';
 * ```
 */
export type DiscoveryErrorReason = 'notFound' | 'unexpectedResponse';

/**
 * Discovery failed to answer: no resource matches a query (`notFound`), or the server sent
 * something that is not a discovery document (`unexpectedResponse`).
 *
 * ## Example
 * ```ts
 * try { await discovery.resolve('gizmos'); } catch (e) { if (e instanceof DiscoveryError && e.reason === 'notFound') install(); }
 * ```
 */
export class DiscoveryError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.DiscoveryError';
  override readonly name: string = 'DiscoveryError';
  constructor(
    readonly reason: DiscoveryErrorReason,
    message: string,
    options: ConstructorParameters<typeof KubeError>[1] = {},
  ) {
    super(message, options);
  }
}

interface AggregatedSubresource {
  subresource: string;
  responseKind?: { group?: string; version?: string; kind?: string };
  verbs?: string[];
}
interface AggregatedResource {
  resource: string;
  responseKind?: { group?: string; version?: string; kind?: string };
  scope: 'Namespaced' | 'Cluster';
  singularResource?: string;
  verbs?: string[];
  shortNames?: string[];
  subresources?: AggregatedSubresource[];
}
interface AggregatedGroup {
  metadata?: { name?: string };
  versions?: { version: string; resources?: AggregatedResource[]; freshness?: string }[];
}
interface AggregatedList {
  kind?: string;
  items?: AggregatedGroup[];
}
interface ApiGroupList {
  kind?: string;
  groups?: { name: string; versions: { groupVersion: string; version: string }[]; preferredVersion?: { version: string } }[];
}

function get(path: string, accept = 'application/json'): KubeRequest {
  return { verb: 'get', method: 'GET', path, query: {}, headers: { Accept: accept } };
}

/** Aggregated resources in the shape of a legacy `APIResourceList` (subresources as `plural/sub`). */
function asLegacyResources(resources: readonly AggregatedResource[]): APIResource[] {
  return resources.flatMap((r) => {
    const kind = r.responseKind?.kind ?? '';
    const main: APIResource = {
      name: r.resource,
      singularName: r.singularResource ?? '',
      namespaced: r.scope === 'Namespaced',
      kind,
      verbs: r.verbs ?? [],
      ...(r.shortNames === undefined ? {} : { shortNames: r.shortNames }),
    };
    const subs = (r.subresources ?? []).map(
      (s): APIResource => ({ name: `${r.resource}/${s.subresource}`, singularName: '', namespaced: r.scope === 'Namespaced', kind: s.responseKind?.kind ?? kind, verbs: s.verbs ?? [] }),
    );
    return [main, ...subs];
  });
}

interface Snapshot {
  readonly protocol: 'aggregated' | 'legacy';
  readonly groups: readonly ApiGroupInfo[];
  readonly resources: readonly ApiResource[];
  /** Group versions that could not be read (an unavailable aggregated API server, say). */
  readonly failed: readonly string[];
}

/**
 * Discovers the server's resources and resolves names and GVKs to `ApiResource`s.
 *
 * `resolve` loads discovery on first use and, when nothing matches, refreshes once before giving
 * up (a CRD may just have been installed). Name lookups are case-insensitive and match the plural,
 * `plural.group`, the singular, a short name or the kind; among matches, the preferred version of
 * each group counts, and the core group wins over others (then the server's group order), as with
 * kubectl.
 *
 * ## Example
 * ```ts
 * const discovery = new Discovery(client);
 * const deploy = await discovery.resolve('deploy');                      // apps/v1 deployments
 * const widgets = await discovery.resolve({ group: 'example.com', kind: 'Widget' });
 * const api = Api.dynamic(client, widgets, 'default');
 * ```
 */
export class Discovery {
  private snapshot: Snapshot | undefined;
  private loading: Promise<Snapshot> | undefined;
  private readonly mode: 'auto' | 'aggregated' | 'legacy';

  constructor(
    private readonly client: Client,
    options: DiscoveryOptions = {},
  ) {
    this.mode = options.mode ?? 'auto';
  }

  /** Which protocol answered the last load, if any. */
  get protocol(): 'aggregated' | 'legacy' | undefined {
    return this.snapshot?.protocol;
  }

  /** The groups of the last load (core first, then in the server's order). */
  get groups(): readonly ApiGroupInfo[] {
    return this.snapshot?.groups ?? [];
  }

  /** Every resource of every served version, from the last load. */
  get resources(): readonly ApiResource[] {
    return this.snapshot?.resources ?? [];
  }

  /** Group versions the last load could not read. */
  get failedGroupVersions(): readonly string[] {
    return this.snapshot?.failed ?? [];
  }

  /**
   * Loads discovery if it has not been loaded yet.
   *
   * ## Example
   * ```ts
   * const d = await new Discovery(client).run();
   * console.log(d.groups.map((g) => g.name));
   * ```
   */
  async run(): Promise<this> {
    if (this.snapshot === undefined) await this.refresh();
    return this;
  }

  /**
   * Loads discovery again, replacing the cache. Concurrent calls share one load.
   *
   * ## Example
   * ```ts
   * await kubectl(['apply', '-f', 'crd.yaml']);
   * await discovery.refresh();
   * ```
   */
  async refresh(): Promise<this> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    this.snapshot = await this.loading;
    return this;
  }

  /**
   * Looks a resource up in the cache, without any request.
   *
   * ## Example
   * ```ts
   * discovery.find('cm')?.plural; // 'configmaps'
   * ```
   */
  find(query: ResourceQuery): ApiResource | undefined {
    const snapshot = this.snapshot;
    if (snapshot === undefined) return undefined;
    const preferred = new Map(snapshot.groups.map((g) => [g.name, g.preferredVersion]));
    const order = new Map(snapshot.groups.map((g, i) => [g.name, i]));
    if (typeof query !== 'string') {
      const version = query.version ?? preferred.get(query.group);
      return snapshot.resources.find((r) => r.group === query.group && r.version === version && r.kind === query.kind);
    }
    const q = query.toLowerCase();
    const candidates = snapshot.resources.filter((r) => r.version === preferred.get(r.group));
    const named = (r: ApiResource, name: string): boolean =>
      r.plural === name || r.singular === name || r.kind.toLowerCase() === name || (r.shortNames ?? []).includes(name);
    const byGroup = (a: ApiResource, b: ApiResource): number => (order.get(a.group) ?? 0) - (order.get(b.group) ?? 0);
    const dot = q.indexOf('.');
    if (dot > 0) {
      const name = q.slice(0, dot);
      const group = q.slice(dot + 1);
      const qualified = candidates.filter((r) => r.group === group && named(r, name));
      if (qualified.length > 0) return qualified[0];
    }
    return candidates.filter((r) => named(r, q)).sort(byGroup)[0];
  }

  /**
   * Resolves a name or GVK to an `ApiResource`, loading (and on a miss refreshing) discovery.
   * Rejects with {@link DiscoveryError} (`notFound`) when the server has no such resource.
   *
   * ## Example
   * ```ts
   * const r = await discovery.resolve('deployments.apps');
   * r.subresources; // ['scale', 'status']
   * ```
   */
  async resolve(query: ResourceQuery): Promise<ApiResource> {
    const loadedBefore = this.snapshot !== undefined;
    await this.run();
    let found = this.find(query);
    if (found === undefined && loadedBefore) {
      await this.refresh();
      found = this.find(query);
    }
    if (found === undefined) {
      const what = typeof query === 'string' ? JSON.stringify(query) : `${query.group || 'core'}/${query.version ?? '(preferred)'} ${query.kind}`;
      throw new DiscoveryError('notFound', `the server has no resource ${what}`, { context: { query } });
    }
    return found;
  }

  private async load(): Promise<Snapshot> {
    if (this.mode !== 'legacy') {
      const aggregated = await this.loadAggregated();
      if (aggregated !== undefined) return aggregated;
      if (this.mode === 'aggregated') {
        throw new DiscoveryError('unexpectedResponse', 'the server does not offer aggregated discovery (apidiscovery.k8s.io/v2)');
      }
    }
    return this.loadLegacy();
  }

  private async loadAggregated(): Promise<Snapshot | undefined> {
    const [core, groups] = await Promise.all([
      this.client.request<AggregatedList>(get('/api', AGGREGATED_DISCOVERY_ACCEPT)),
      this.client.request<AggregatedList>(get('/apis', AGGREGATED_DISCOVERY_ACCEPT)),
    ]);
    if (core?.kind !== 'APIGroupDiscoveryList' || groups?.kind !== 'APIGroupDiscoveryList') return undefined;
    const infos: ApiGroupInfo[] = [];
    const resources: ApiResource[] = [];
    for (const group of [...(core.items ?? []), ...(groups.items ?? [])]) {
      const name = group.metadata?.name ?? '';
      const versions = (group.versions ?? []).map((v) => v.version);
      const first = versions[0];
      if (first === undefined) continue;
      infos.push({ name, versions, preferredVersion: first });
      for (const v of group.versions ?? []) {
        const groupVersion = name === '' ? v.version : `${name}/${v.version}`;
        resources.push(...ApiResource.fromDiscovery(groupVersion, asLegacyResources(v.resources ?? [])));
      }
    }
    return { protocol: 'aggregated', groups: infos, resources, failed: [] };
  }

  private async loadLegacy(): Promise<Snapshot> {
    const [coreVersions, groupList] = await Promise.all([
      this.client.request<{ kind?: string; versions?: string[] }>(get('/api')),
      this.client.request<ApiGroupList>(get('/apis')),
    ]);
    if (coreVersions?.kind !== 'APIVersions' || groupList?.kind !== 'APIGroupList') {
      throw new DiscoveryError('unexpectedResponse', `the server answered /api with ${String(coreVersions?.kind)} and /apis with ${String(groupList?.kind)}, not discovery documents`);
    }
    const infos: ApiGroupInfo[] = [];
    const groupVersions: { groupVersion: string; path: string }[] = [];
    const core = coreVersions.versions ?? [];
    if (core[0] !== undefined) {
      infos.push({ name: '', versions: core, preferredVersion: core[0] });
      for (const v of core) groupVersions.push({ groupVersion: v, path: `/api/${v}` });
    }
    for (const g of groupList.groups ?? []) {
      const versions = g.versions.map((v) => v.version);
      const preferred = g.preferredVersion?.version ?? versions[0];
      if (preferred === undefined) continue;
      infos.push({ name: g.name, versions: [preferred, ...versions.filter((v) => v !== preferred)], preferredVersion: preferred });
      for (const v of g.versions) groupVersions.push({ groupVersion: v.groupVersion, path: `/apis/${v.groupVersion}` });
    }
    const failed: string[] = [];
    const lists = await Promise.all(
      groupVersions.map(async ({ groupVersion, path }) => {
        try {
          const list = await this.client.request<APIResourceList>(get(path));
          return ApiResource.fromDiscovery(groupVersion, list.resources);
        } catch {
          failed.push(groupVersion);
          return [];
        }
      }),
    );
    return { protocol: 'legacy', groups: infos, resources: lists.flat(), failed: failed.sort() };
  }
}
