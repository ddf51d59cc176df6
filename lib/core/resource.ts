/**
 * Resource descriptors: the static facts about a kind (group, version, plural, scope) that let
 * `core` build its URLs, carried together with the TypeScript type `K` of its objects.
 *
 * @module
 */
import type { ObjectMeta } from './object.js';

/** Whether objects of a kind live in a namespace. Kept as a literal type so `Api` can check it. */
export type Scope = 'Namespaced' | 'Cluster';

/** The least an object needs for rxkube to handle it: optional type fields and metadata. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/**
 * A kind of Kubernetes resource together with its object type `K` and scope `S`.
 * `K` is a phantom: it exists only for the type checker, so descriptors stay plain data.
 *
 * ## Example
 * ```ts
 * import type { coreV1 } from 'rxkube/core';
 * const PodType = resourceType<coreV1.Pod, 'Namespaced'>({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', scope: 'Namespaced' });
 * PodType.apiVersion; // 'v1'
 * ```
 */
export interface ResourceType<K extends KubeObject = KubeObject, S extends Scope = Scope> {
  /** API group; `''` for the core group. */
  readonly group: string;
  /** API version within the group, e.g. `v1`. */
  readonly version: string;
  /** `group/version`, or just `version` for the core group. */
  readonly apiVersion: string;
  /** The kind, e.g. `Deployment`. */
  readonly kind: string;
  /** The plural resource name used in URLs, e.g. `deployments`. */
  readonly plural: string;
  /** The scope, as a literal type. */
  readonly scope: S;
  /** Singular name, when known. */
  readonly singular?: string;
  /** Short names (`po`, `deploy`), when known. */
  readonly shortNames?: readonly string[];
  /** Subresources the server offers (`status`, `scale`, ...), when known. */
  readonly subresources?: readonly string[];
  /** Phantom field carrying the object type. Never set at run time. */
  readonly __object?: K;
}

/** The object type carried by a {@link ResourceType}. */
export type ObjectOf<R> = R extends ResourceType<infer K, Scope> ? K : never;
/** The scope carried by a {@link ResourceType}. */
export type ScopeOf<R> = R extends ResourceType<KubeObject, infer S> ? S : never;

/** Fields needed to describe a resource type; `apiVersion` is derived. */
export interface ResourceTypeInit<S extends Scope> {
  group: string;
  version: string;
  kind: string;
  plural: string;
  scope: S;
  singular?: string;
  shortNames?: readonly string[];
  subresources?: readonly string[];
}

/**
 * Creates a frozen {@link ResourceType} descriptor.
 *
 * ## Example
 * ```ts
 * const Widget = resourceType<Widget, 'Namespaced'>({ group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', scope: 'Namespaced' });
 * ```
 */
export function resourceType<K extends KubeObject, S extends Scope>(init: ResourceTypeInit<S>): ResourceType<K, S> {
  const apiVersion = init.group === '' ? init.version : `${init.group}/${init.version}`;
  return Object.freeze({ ...init, apiVersion });
}
