/**
 * `DynamicObject`: an object whose type is only known at run time (apiVersion, kind, metadata and
 * any other fields), with a checked conversion to a typed object.
 *
 * @module
 */
import { DecodeError, identify } from './error-boundary.js';
import type { ObjectMeta } from './object.js';
import type { KubeObject, ResourceType, Scope } from './resource.js';

/**
 * Any Kubernetes object: type fields, metadata and arbitrary other fields (`spec`, `data`, ...).
 *
 * ## Example
 * ```ts
 * const obj: DynamicObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3 } };
 * ```
 */
export interface DynamicObject extends KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/**
 * Helpers for {@link DynamicObject} values.
 *
 * ## Example
 * ```ts
 * const cm = DynamicObject.tryParse(obj, ConfigMap); // typed ConfigMap, or throws DecodeError
 * ```
 */
export const DynamicObject = Object.freeze({
  /** A new object of a resource's kind with `metadata.name` (and namespace), ready to fill in. */
  of(resource: Pick<ResourceType, 'apiVersion' | 'kind'>, name: string, namespace?: string): DynamicObject {
    return { apiVersion: resource.apiVersion, kind: resource.kind, metadata: namespace === undefined ? { name } : { name, namespace } };
  },

  /**
   * Converts an object to the type of `resourceType` after checking that it is an object whose
   * `apiVersion` and `kind` are the descriptor's. Throws {@link DecodeError} naming the object and
   * the mismatching field otherwise. The rest of the object is not validated.
   */
  tryParse<K extends KubeObject, S extends Scope>(obj: unknown, resourceType: ResourceType<K, S>): K {
    const object = identify(obj);
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new DecodeError(`expected a ${resourceType.kind} object, got ${Array.isArray(obj) ? 'an array' : obj === null ? 'null' : typeof obj}`, { object });
    }
    const o = obj as { apiVersion?: unknown; kind?: unknown; metadata?: unknown };
    const who = object.name === undefined ? 'object' : `object ${object.namespace === undefined ? '' : `${object.namespace}/`}${object.name}`;
    if (o.apiVersion !== resourceType.apiVersion) {
      throw new DecodeError(`${who} has apiVersion ${JSON.stringify(o.apiVersion)}, expected ${JSON.stringify(resourceType.apiVersion)}`, {
        object,
        field: 'apiVersion',
      });
    }
    if (o.kind !== resourceType.kind) {
      throw new DecodeError(`${who} has kind ${JSON.stringify(o.kind)}, expected ${JSON.stringify(resourceType.kind)}`, { object, field: 'kind' });
    }
    if (o.metadata !== undefined && (typeof o.metadata !== 'object' || o.metadata === null || Array.isArray(o.metadata))) {
      throw new DecodeError(`${resourceType.kind} ${who}: metadata must be an object`, { object, field: 'metadata' });
    }
    return obj as K;
  },
});
