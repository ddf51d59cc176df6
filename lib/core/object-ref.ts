/**
 * `ObjectRef<K>`: a small, immutable pointer to one object (kind, apiVersion, name, namespace),
 * used as the unit of work of controllers and as a Map key through {@link ObjectRef.key}. Also
 * the conversions to and from owner references and core/v1 `ObjectReference` (used by events).
 *
 * @module
 */
import type { ObjectReference } from './api/core/v1.js';
import type { OwnerReference } from './object.js';
import { requireName } from './resource-ext.js';
import type { KubeObject, ResourceType, Scope } from './resource.js';

export type { ObjectReference };

/**
 * Facts about the exact object version a ref was made from; ignored by equality and keys.
 *
 * ## Example
 * ```ts
 * ObjectRef.fromObject(pod).extra.uid; // the uid of that incarnation of the pod
 * ```
 */
export interface ObjectRefExtra {
  readonly resourceVersion?: string;
  readonly uid?: string;
}

function escapeKeyPart(s: string): string {
  return s.replace(/[%/]/g, (c) => (c === '%' ? '%25' : '%2F'));
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * A reference to one object. Two refs are equal, and share a {@link ObjectRef.key}, when group,
 * kind, namespace and name agree; the version is left out because the same object is served at
 * every version of its group (an owner reference written with `apps/v1beta1` still points at
 * the `apps/v1` Deployment), and `extra` (uid, resourceVersion) is left out as kube-rs does.
 *
 * ## Example
 * ```ts
 * const ref = ObjectRef.from(Deployment, 'web', 'prod');
 * ref.key();          // 'Deployment.apps:prod/web'
 * `${ref}`;           // 'Deployment prod/web (apps/v1)'
 * const seen = new Map<string, ObjectRef<Deployment>>([[ObjectRef.key(ref), ref]]);
 * ```
 */
export class ObjectRef<K extends KubeObject = KubeObject> {
  /** The kind, e.g. `Deployment`. */
  readonly kind: string;
  /** `group/version`, or the version alone for the core group. */
  readonly apiVersion: string;
  /** The object's name. */
  readonly name: string;
  /** The namespace; `undefined` for cluster-scoped objects. */
  readonly namespace: string | undefined;
  /** uid and resourceVersion when known. */
  readonly extra: ObjectRefExtra;
  /** Phantom field carrying the object type. Never set at run time. */
  declare readonly __object?: K;

  private constructor(kind: string, apiVersion: string, name: string, namespace: string | undefined, extra: ObjectRefExtra) {
    this.kind = kind;
    this.apiVersion = apiVersion;
    this.name = name;
    this.namespace = namespace;
    this.extra = Object.freeze({ ...extra });
    Object.freeze(this);
  }

  /**
   * A ref to the object named `name` of a descriptor's kind, in `namespace` when given.
   *
   * ## Example
   * ```ts
   * ObjectRef.from(Node, 'node-1');
   * ```
   */
  static from<K extends KubeObject, S extends Scope>(resourceType: ResourceType<K, S>, name: string, namespace?: string): ObjectRef<K> {
    return new ObjectRef<K>(resourceType.kind, resourceType.apiVersion, name, namespace, {});
  }

  /**
   * The ref of an object, with its uid and resourceVersion as `extra`. Kind and apiVersion come
   * from the object, or from `resourceType` when the object lacks them (items of a LIST do);
   * they are `''` when neither has them, so pass the descriptor for list items.
   * Throws `MissingMetadataError` when the object has no name.
   *
   * ## Example
   * ```ts
   * ObjectRef.fromObject(pod, Pod).key(); // 'Pod:default/web-0'
   * ```
   */
  static fromObject<K extends KubeObject>(obj: K, resourceType?: Pick<ResourceType, 'apiVersion' | 'kind'>): ObjectRef<K> {
    const name = requireName(obj, 'an object reference');
    const extra: { resourceVersion?: string; uid?: string } = {};
    if (obj.metadata?.uid !== undefined) extra.uid = obj.metadata.uid;
    if (obj.metadata?.resourceVersion !== undefined) extra.resourceVersion = obj.metadata.resourceVersion;
    const kind = obj.kind ?? resourceType?.kind ?? '';
    const apiVersion = obj.apiVersion ?? resourceType?.apiVersion ?? '';
    return new ObjectRef<K>(kind, apiVersion, name, obj.metadata?.namespace, extra);
  }

  /** A ref from its parts; prefer {@link ObjectRef.from} or {@link ObjectRef.fromObject}. */
  static of<K extends KubeObject = KubeObject>(parts: {
    kind: string;
    apiVersion: string;
    name: string;
    namespace?: string | undefined;
    extra?: ObjectRefExtra;
  }): ObjectRef<K> {
    return new ObjectRef<K>(parts.kind, parts.apiVersion, parts.name, parts.namespace, parts.extra ?? {});
  }

  /**
   * The stable key of a ref: `Kind[.group]:[namespace/]name`, e.g. `Pod:default/web-0`,
   * `Deployment.apps:prod/web`, `ClusterRole.rbac.authorization.k8s.io:admin`. Unambiguous:
   * kinds and groups contain no `:`, and `/` and `%` in a name or namespace (which the server
   * never allows) are percent-escaped.
   */
  static key(ref: ObjectRef<KubeObject>): string {
    const group = groupOf(ref.apiVersion);
    const gk = group === '' ? ref.kind : `${ref.kind}.${group}`;
    return ref.namespace === undefined ? `${gk}:${escapeKeyPart(ref.name)}` : `${gk}:${escapeKeyPart(ref.namespace)}/${escapeKeyPart(ref.name)}`;
  }

  /** Whether two refs point at the same object (group, kind, namespace and name). */
  static equals(a: ObjectRef<KubeObject>, b: ObjectRef<KubeObject>): boolean {
    return ObjectRef.key(a) === ObjectRef.key(b);
  }

  /** The API group, `''` for the core group. */
  get group(): string {
    return groupOf(this.apiVersion);
  }

  /** See {@link ObjectRef.key}. */
  key(): string {
    return ObjectRef.key(this);
  }

  /** See {@link ObjectRef.equals}. */
  equals(other: ObjectRef<KubeObject>): boolean {
    return ObjectRef.equals(this, other);
  }

  /** The same ref in another namespace (or none). */
  within(namespace: string | undefined): ObjectRef<K> {
    return new ObjectRef<K>(this.kind, this.apiVersion, this.name, namespace, this.extra);
  }

  /** For logs: `Deployment prod/web (apps/v1)`, `Node node-1 (v1)`. */
  toString(): string {
    const where = this.namespace === undefined ? this.name : `${this.namespace}/${this.name}`;
    return `${this.kind} ${where} (${this.apiVersion})`;
  }
}

/**
 * The ref of an owner named in an owner reference. Owners live in the dependent's namespace or
 * are cluster-scoped, and an owner reference does not say which: pass the dependent's namespace
 * for a namespaced owner kind and `undefined` for a cluster-scoped one. The owner's uid goes to
 * `extra`.
 *
 * ## Example
 * ```ts
 * const owner = controllerOf(pod);
 * if (owner) refFromOwnerReference(owner, pod.metadata?.namespace); // ReplicaSet default/web-7d9
 * ```
 */
export function refFromOwnerReference(ownerRef: OwnerReference, namespace: string | undefined): ObjectRef {
  return ObjectRef.of({ kind: ownerRef.kind, apiVersion: ownerRef.apiVersion, name: ownerRef.name, namespace, extra: { uid: ownerRef.uid } });
}

/**
 * A core/v1 `ObjectReference` to `obj` (as events use in `regarding`/`involvedObject`), with the
 * fields that are known: apiVersion, kind, name, namespace, uid, resourceVersion. Kind and
 * apiVersion fall back to `resourceType` when the object lacks them.
 *
 * ## Example
 * ```ts
 * const event = { regarding: objectReference(pod, Pod), reason: 'Scheduled', ... };
 * ```
 */
export function objectReference(obj: KubeObject, resourceType?: Pick<ResourceType, 'apiVersion' | 'kind'>): ObjectReference {
  const ref: ObjectReference = {};
  const apiVersion = obj.apiVersion ?? resourceType?.apiVersion;
  const kind = obj.kind ?? resourceType?.kind;
  if (apiVersion !== undefined) ref.apiVersion = apiVersion;
  if (kind !== undefined) ref.kind = kind;
  const m = obj.metadata;
  if (m?.name !== undefined) ref.name = m.name;
  if (m?.namespace !== undefined) ref.namespace = m.namespace;
  if (m?.uid !== undefined) ref.uid = m.uid;
  if (m?.resourceVersion !== undefined) ref.resourceVersion = m.resourceVersion;
  return ref;
}
