/**
 * Metadata accessors for any object (kube-rs `ResourceExt`): names, namespaces, labels,
 * annotations, finalizers, owner references and timestamps, with empty defaults instead of
 * `undefined` where that is what callers want, and owner references built from a descriptor.
 *
 * @module
 */
import { ERROR_BRAND, KubeError } from './errors.js';
import type { OwnerReference } from './object.js';
import type { KubeObject, ResourceType } from './resource.js';

/**
 * A required metadata field (name, uid, ...) that an object does not have.
 *
 * ## Example
 * ```ts
 * if (e instanceof MissingMetadataError && e.field === 'uid') console.log('create the owner first');
 * ```
 */
export type MetadataField = 'name' | 'namespace' | 'uid' | 'resourceVersion';

/**
 * An object lacks a metadata field an operation needs (for example an owner without a `uid`,
 * which happens with objects that were never sent to the server). Names the field and, as far as
 * known, the object.
 *
 * ## Example
 * ```ts
 * try { controllerOwnerRef({ metadata: { name: 'x' } }, Deployment); }
 * catch (e) { if (e instanceof MissingMetadataError) console.log(e.field); } // 'uid'
 * ```
 */
export class MissingMetadataError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.MissingMetadataError';
  override readonly name: string = 'MissingMetadataError';
  constructor(
    /** The field that is missing. */
    readonly field: MetadataField,
    obj: KubeObject,
    purpose: string,
  ) {
    const what = describeObject(obj);
    super(`${what} has no metadata.${field}, which ${purpose} needs`, {
      context: { field, kind: obj.kind, namespace: obj.metadata?.namespace, name: obj.metadata?.name ?? obj.metadata?.generateName },
    });
  }
}

/**
 * A short human description of an object for messages: `Deployment ns/web`, `Node n1`,
 * `object without a name`.
 *
 * ## Example
 * ```ts
 * describeObject({ kind: 'Pod', metadata: { namespace: 'default', name: 'web-0' } }); // 'Pod default/web-0'
 * ```
 */
export function describeObject(obj: KubeObject): string {
  const kind = obj.kind ?? 'object';
  const name = obj.metadata?.name ?? (obj.metadata?.generateName === undefined ? undefined : `${obj.metadata.generateName}*`);
  if (name === undefined) return `${kind} without a name`;
  return obj.metadata?.namespace === undefined ? `${kind} ${name}` : `${kind} ${obj.metadata.namespace}/${name}`;
}

/**
 * `metadata.name`, if set.
 *
 * ## Example
 * ```ts
 * nameOf(pod); // 'web-0'
 * ```
 */
export function nameOf(obj: KubeObject): string | undefined {
  return obj.metadata?.name;
}

/**
 * The name, or else `metadata.generateName` (the prefix the server will complete), or else `''`.
 * Handy for logs about objects that may not be created yet.
 *
 * ## Example
 * ```ts
 * nameAny({ metadata: { generateName: 'job-' } }); // 'job-'
 * ```
 */
export function nameAny(obj: KubeObject): string {
  return obj.metadata?.name ?? obj.metadata?.generateName ?? '';
}

/**
 * The name, or a {@link MissingMetadataError} saying what needed it.
 *
 * ## Example
 * ```ts
 * const name = requireName(obj, 'a status patch');
 * ```
 */
export function requireName(obj: KubeObject, purpose = 'this operation'): string {
  const name = obj.metadata?.name;
  if (name === undefined || name === '') throw new MissingMetadataError('name', obj, purpose);
  return name;
}

/**
 * `metadata.namespace`, if set (cluster-scoped objects have none).
 *
 * ## Example
 * ```ts
 * namespaceOf(pod); // 'default'
 * ```
 */
export function namespaceOf(obj: KubeObject): string | undefined {
  return obj.metadata?.namespace;
}

/**
 * `metadata.uid`, if set (the server sets it on create).
 *
 * ## Example
 * ```ts
 * await api.delete(nameAny(pod), { preconditions: { uid: uidOf(pod) } });
 * ```
 */
export function uidOf(obj: KubeObject): string | undefined {
  return obj.metadata?.uid;
}

/**
 * `metadata.resourceVersion`, if set. Opaque: compare for equality only, never as numbers.
 *
 * ## Example
 * ```ts
 * resourceVersionOf(cm); // '12345'
 * ```
 */
export function resourceVersionOf(obj: KubeObject): string | undefined {
  return obj.metadata?.resourceVersion;
}

const EMPTY_MAP: Readonly<Record<string, string>> = Object.freeze({});
const EMPTY_LIST: readonly never[] = Object.freeze([]);

/**
 * `metadata.labels`, or an empty (frozen) map.
 *
 * ## Example
 * ```ts
 * labelsOf(pod).app; // 'web' or undefined
 * ```
 */
export function labelsOf(obj: KubeObject): Readonly<Record<string, string>> {
  return obj.metadata?.labels ?? EMPTY_MAP;
}

/**
 * `metadata.annotations`, or an empty (frozen) map.
 *
 * ## Example
 * ```ts
 * annotationsOf(deploy)['deployment.kubernetes.io/revision']; // '3'
 * ```
 */
export function annotationsOf(obj: KubeObject): Readonly<Record<string, string>> {
  return obj.metadata?.annotations ?? EMPTY_MAP;
}

/**
 * `metadata.finalizers`, or an empty (frozen) list.
 *
 * ## Example
 * ```ts
 * finalizersOf(obj).includes('example.com/cleanup');
 * ```
 */
export function finalizersOf(obj: KubeObject): readonly string[] {
  return obj.metadata?.finalizers ?? EMPTY_LIST;
}

/**
 * Whether `metadata.finalizers` holds `finalizer`.
 *
 * ## Example
 * ```ts
 * if (!hasFinalizer(obj, 'example.com/cleanup')) { ... }
 * ```
 */
export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return finalizersOf(obj).includes(finalizer);
}

/**
 * `metadata.ownerReferences`, or an empty (frozen) list.
 *
 * ## Example
 * ```ts
 * ownerReferencesOf(pod).map((o) => o.kind); // ['ReplicaSet']
 * ```
 */
export function ownerReferencesOf(obj: KubeObject): readonly OwnerReference[] {
  return obj.metadata?.ownerReferences ?? EMPTY_LIST;
}

/**
 * The owner reference with `controller: true`, if any (at most one is allowed).
 *
 * ## Example
 * ```ts
 * controllerOf(pod)?.kind; // 'ReplicaSet'
 * ```
 */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return ownerReferencesOf(obj).find((o) => o.controller === true);
}

/**
 * Whether `obj` lists `owner` (matched by uid) among its owner references.
 *
 * ## Example
 * ```ts
 * isOwnedBy(pod, replicaSet); // true
 * ```
 */
export function isOwnedBy(obj: KubeObject, owner: KubeObject): boolean {
  const uid = owner.metadata?.uid;
  return uid !== undefined && ownerReferencesOf(obj).some((o) => o.uid === uid);
}

function toDate(value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  // The API's Time is an RFC 3339 string; tolerate Date values produced by other libraries.
  const d = value instanceof Date ? new Date(value.getTime()) : new Date(String(value));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * `metadata.creationTimestamp` as a `Date` (the wire form is an RFC 3339 string), or `undefined`
 * when unset or unparsable.
 *
 * ## Example
 * ```ts
 * const ageMs = Date.now() - (creationTimestampOf(pod)?.getTime() ?? Date.now());
 * ```
 */
export function creationTimestampOf(obj: KubeObject): Date | undefined {
  return toDate(obj.metadata?.creationTimestamp);
}

/**
 * `metadata.deletionTimestamp` as a `Date`, or `undefined` when the object is not being deleted.
 *
 * ## Example
 * ```ts
 * deletionTimestampOf(obj); // Date while finalizers run
 * ```
 */
export function deletionTimestampOf(obj: KubeObject): Date | undefined {
  return toDate(obj.metadata?.deletionTimestamp);
}

/**
 * Whether deletion has been requested (`metadata.deletionTimestamp` is set) and the object only
 * waits for its finalizers.
 *
 * ## Example
 * ```ts
 * if (isBeingDeleted(obj)) return cleanup(obj);
 * ```
 */
export function isBeingDeleted(obj: KubeObject): boolean {
  return obj.metadata?.deletionTimestamp !== undefined && obj.metadata.deletionTimestamp !== null;
}

/**
 * Options of {@link ownerRef}.
 *
 * ## Example
 * ```ts
 * ownerRef(owner, Widget, { blockOwnerDeletion: true });
 * ```
 */
export interface OwnerRefOptions {
  /** Mark the owner as the managing controller (at most one per object). */
  controller?: boolean;
  /** Keep the owner until this dependent is gone during foreground deletion. */
  blockOwnerDeletion?: boolean;
}

/**
 * An `OwnerReference` pointing at `owner`, typed by its descriptor (objects from a LIST often
 * lack `apiVersion` and `kind`, so they come from the descriptor). Needs the owner's name and
 * uid, else throws {@link MissingMetadataError}.
 *
 * ## Example
 * ```ts
 * const ref = ownerRef(configMap, ConfigMap, { blockOwnerDeletion: true });
 * ```
 */
export function ownerRef(owner: KubeObject, resourceType: Pick<ResourceType, 'apiVersion' | 'kind'>, options: OwnerRefOptions = {}): OwnerReference {
  const name = requireName(owner, 'an owner reference');
  const uid = owner.metadata?.uid;
  if (uid === undefined || uid === '') throw new MissingMetadataError('uid', { kind: resourceType.kind, ...owner }, 'an owner reference');
  const ref: OwnerReference = { apiVersion: resourceType.apiVersion, kind: resourceType.kind, name, uid };
  if (options.controller !== undefined) ref.controller = options.controller;
  if (options.blockOwnerDeletion !== undefined) ref.blockOwnerDeletion = options.blockOwnerDeletion;
  return ref;
}

/**
 * The owner reference a controller puts on the objects it creates: `controller: true` and
 * `blockOwnerDeletion: true`, so garbage collection and `owns()` watches find the owner.
 * Throws {@link MissingMetadataError} when the owner has no name or uid.
 *
 * ## Example
 * ```ts
 * const cm = { metadata: { name: 'web-config', ownerReferences: [controllerOwnerRef(widget, Widget)] }, data: {} };
 * ```
 */
export function controllerOwnerRef(owner: KubeObject, resourceType: Pick<ResourceType, 'apiVersion' | 'kind'>): OwnerReference {
  return ownerRef(owner, resourceType, { controller: true, blockOwnerDeletion: true });
}

/**
 * The accessors above gathered in one object, for those who prefer `ResourceExt.nameAny(obj)`.
 *
 * ## Example
 * ```ts
 * ResourceExt.labels(pod).app;
 * ```
 */
export const ResourceExt = Object.freeze({
  name: nameOf,
  nameAny,
  requireName,
  namespace: namespaceOf,
  uid: uidOf,
  resourceVersion: resourceVersionOf,
  labels: labelsOf,
  annotations: annotationsOf,
  finalizers: finalizersOf,
  hasFinalizer,
  ownerReferences: ownerReferencesOf,
  controllerOf,
  isOwnedBy,
  creationTimestamp: creationTimestampOf,
  deletionTimestamp: deletionTimestampOf,
  isBeingDeleted,
  ownerRef,
  controllerOwnerRef,
});
