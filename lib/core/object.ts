/**
 * Object shapes shared by every kind: metadata, type metadata, lists, and generic objects.
 * The metadata types are the generated `meta/v1` ones (`./api/meta/v1.ts`; types only, nothing at run time).
 *
 * @module
 */
import type { ListMeta, ManagedFieldsEntry, ObjectMeta, OwnerReference } from './api/meta/v1.js';

export type { ListMeta, ManagedFieldsEntry, ObjectMeta, OwnerReference };
export type { Quantity } from './api/api/resource.js';
export type { IntOrString } from './api/util/intstr.js';

/** `apiVersion` and `kind`, as every serialized object carries them. */
export interface TypeMeta {
  apiVersion: string;
  kind: string;
}

/**
 * A page of objects as returned by a LIST: `items` plus `metadata.resourceVersion` and
 * `metadata.continue`.
 *
 * ## Example
 * ```ts
 * const page: ObjectList<Pod> = await api.list({ limit: 2 });
 * page.metadata.continue; // token for the next page, if any
 * ```
 */
export interface ObjectList<K> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta & ShardedListMeta;
  items: K[];
}

/**
 * What a server with the `ShardedListAndWatch` feature (Kubernetes 1.36 alpha) adds to a LIST
 * answered with a `shardSelector`: the selector it applied. Its absence on such an answer means
 * the server ignored the selector and returned everything.
 *
 * ## Example
 * ```ts
 * const page = await api.list({ limit: 1, shardSelector: ShardSelector.slice(0, 2).print() });
 * const filtered = page.metadata.shardInfo !== undefined;
 * ```
 */
export interface ShardedListMeta {
  shardInfo?: { selector?: string };
}

/**
 * A generic object with a `spec` and a `status`, for custom resources and dynamic code.
 *
 * ## Example
 * ```ts
 * type Widget = KubeResource<{ size: number }, { ready: boolean }>;
 * ```
 */
export interface KubeResource<Spec = unknown, Status = unknown> {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: Spec;
  status?: Status;
}

/**
 * The metadata-only form of an object (`as=PartialObjectMetadata`): what a metadata watch or
 * `getMetadata` returns. Much smaller than the object itself.
 *
 * ## Example
 * ```ts
 * const meta: PartialObjectMetadata = await api.getMetadata('web');
 * meta.metadata.labels;
 * ```
 */
export interface PartialObjectMetadata {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}
