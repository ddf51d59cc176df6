/**
 * `ApiResource`: a resource descriptor known at run time (from discovery, a GVK, or a typed
 * descriptor) instead of at compile time. It is a `ResourceType` of `DynamicObject`, so `Api`
 * and `RequestBuilder` handle dynamic objects exactly like typed ones.
 *
 * @module
 */
import type { APIResource as DiscoveredResource } from './api/meta/v1.js';
import type { DynamicObject } from './dynamic.js';
import { apiVersionOf, parseApiVersion, type GroupVersionKind } from './gvk.js';
import type { KubeObject, ResourceType, Scope } from './resource.js';

export type { DiscoveredResource };

/**
 * A resource descriptor with the facts discovery gives: `namespaced` as a boolean next to the
 * `scope` literal, and `verbs` when known.
 *
 * ## Example
 * ```ts
 * const widgets = ApiResource.fromGvk(GroupVersionKind.of('example.com', 'v1', 'Widget'), 'widgets');
 * const api = Api.namespaced(client, widgets, 'default'); // Api<DynamicObject>
 * ```
 */
export interface ApiResource<K extends KubeObject = DynamicObject, S extends Scope = Scope> extends ResourceType<K, S> {
  /** `scope === 'Namespaced'`. */
  readonly namespaced: boolean;
  /** The verbs the server allows (`get`, `list`, `watch`, `create`, ...), when known. */
  readonly verbs?: readonly string[];
}

/**
 * A guess of the plural resource name of a kind, following kube-rs's `to_plural` rules: lower
 * case; `-s`, `-x`, `-z`, `-ch`, `-sh` take `-es`; a consonant followed by `y` becomes `-ies`;
 * anything else takes `-s`; `Endpoints` and `EndpointSlices` stay as they are. **It is a
 * guess**: irregular kinds exist, so prefer the plural from discovery or from the CRD.
 *
 * ## Example
 * ```ts
 * guessPlural('NetworkPolicy'); // 'networkpolicies'
 * guessPlural('Ingress');       // 'ingresses'
 * ```
 */
export function guessPlural(kind: string): string {
  const word = kind.toLowerCase();
  if (word === 'endpoints' || word === 'endpointslices') return word;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

function make<S extends Scope>(init: {
  group: string;
  version: string;
  kind: string;
  plural: string;
  scope: S;
  singular?: string | undefined;
  shortNames?: readonly string[] | undefined;
  subresources?: readonly string[] | undefined;
  verbs?: readonly string[] | undefined;
}): ApiResource<DynamicObject, S> {
  const r: {
    -readonly [P in keyof ApiResource<DynamicObject, S>]: ApiResource<DynamicObject, S>[P];
  } = {
    group: init.group,
    version: init.version,
    apiVersion: apiVersionOf(init),
    kind: init.kind,
    plural: init.plural,
    scope: init.scope,
    namespaced: init.scope === 'Namespaced',
  };
  if (init.singular !== undefined) r.singular = init.singular;
  if (init.shortNames !== undefined) r.shortNames = Object.freeze([...init.shortNames]);
  if (init.subresources !== undefined) r.subresources = Object.freeze([...init.subresources]);
  if (init.verbs !== undefined) r.verbs = Object.freeze([...init.verbs]);
  return Object.freeze(r);
}

/**
 * Constructors of {@link ApiResource} values.
 *
 * ## Example
 * ```ts
 * ApiResource.fromGvk(GroupVersionKind.of('apps', 'v1', 'Deployment')).plural; // 'deployments' (guessed)
 * ApiResource.fromResourceType(ConfigMap).namespaced;                          // true
 * ```
 */
export const ApiResource = Object.freeze({
  /**
   * From a GVK. Without `plural` it is guessed with {@link guessPlural}; without `scope` it is
   * assumed `'Namespaced'`. Both are only known for sure from discovery.
   */
  fromGvk<S extends Scope = 'Namespaced'>(gvk: GroupVersionKind, plural?: string, scope?: S): ApiResource<DynamicObject, S> {
    return make({ group: gvk.group, version: gvk.version, kind: gvk.kind, plural: plural ?? guessPlural(gvk.kind), scope: scope ?? ('Namespaced' as S) });
  },

  /** From a typed descriptor, for code that handles typed and dynamic resources alike. */
  fromResourceType<S extends Scope>(rt: ResourceType<KubeObject, S>): ApiResource<DynamicObject, S> {
    return make({
      group: rt.group,
      version: rt.version,
      kind: rt.kind,
      plural: rt.plural,
      scope: rt.scope,
      singular: rt.singular,
      shortNames: rt.shortNames,
      subresources: rt.subresources,
    });
  },

  /**
   * From the `resources` of a discovery `APIResourceList` for `groupVersion` (`GET /apis/apps/v1`):
   * one descriptor per resource, with its subresources (`deployments/scale` → `scale`) attached.
   * Entries may override group and version (as `autoscaling/v1` scale subresources do).
   */
  fromDiscovery(groupVersion: string, resources: readonly DiscoveredResource[]): ApiResource[] {
    const gv = parseApiVersion(groupVersion);
    const subresources = new Map<string, string[]>();
    for (const r of resources) {
      const slash = r.name.indexOf('/');
      if (slash < 0) continue;
      const parent = r.name.slice(0, slash);
      subresources.set(parent, [...(subresources.get(parent) ?? []), r.name.slice(slash + 1)]);
    }
    return resources
      .filter((r) => !r.name.includes('/'))
      .map((r) =>
        make({
          group: r.group ?? gv.group,
          version: r.version ?? gv.version,
          kind: r.kind,
          plural: r.name,
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singular: r.singularName === '' ? undefined : r.singularName,
          shortNames: r.shortNames,
          subresources: subresources.get(r.name)?.sort(),
          verbs: r.verbs,
        }),
      );
  },
});
