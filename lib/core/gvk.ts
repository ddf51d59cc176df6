/**
 * Group/version/kind and group/version/resource coordinates, and parsing of `apiVersion`
 * strings (`apps/v1` → group `apps`, version `v1`; `v1` → the core group `''`).
 *
 * @module
 */
import { ERROR_BRAND, KubeError } from './errors.js';
import type { KubeObject } from './resource.js';

/**
 * An API group and version. The core group is `''`.
 *
 * ## Example
 * ```ts
 * const gv: GroupVersion = { group: 'apps', version: 'v1' };
 * ```
 */
export interface GroupVersion {
  readonly group: string;
  readonly version: string;
}

/**
 * A kind at a group and version: what an object's `apiVersion` and `kind` say.
 *
 * ## Example
 * ```ts
 * const gvk = GroupVersionKind.of('apps', 'v1', 'Deployment');
 * ```
 */
export interface GroupVersionKind extends GroupVersion {
  readonly kind: string;
}

/**
 * A resource (the plural used in URLs) at a group and version.
 *
 * ## Example
 * ```ts
 * const gvr: GroupVersionResource = { group: 'apps', version: 'v1', resource: 'deployments' };
 * ```
 */
export interface GroupVersionResource extends GroupVersion {
  readonly resource: string;
}

/**
 * An `apiVersion` or a `kind` that cannot be used (empty, or more than one `/`), or an object
 * without them.
 *
 * ## Example
 * ```ts
 * try { parseApiVersion('a/b/c'); } catch (e) { if (e instanceof GvkError) console.log(e.value); }
 * ```
 */
export class GvkError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.GvkError';
  override readonly name: string = 'GvkError';
  constructor(
    message: string,
    /** The offending value. */
    readonly value: unknown,
  ) {
    super(message, { context: { value } });
  }
}

/**
 * Splits an `apiVersion` into group and version. Throws {@link GvkError} when it is empty, has an
 * empty part, or has more than one `/`.
 *
 * ## Example
 * ```ts
 * parseApiVersion('apps/v1'); // { group: 'apps', version: 'v1' }
 * parseApiVersion('v1');      // { group: '', version: 'v1' }
 * ```
 */
export function parseApiVersion(apiVersion: string): GroupVersion {
  const parts = apiVersion.split('/');
  const bad = (): never => {
    throw new GvkError(`invalid apiVersion ${JSON.stringify(apiVersion)}: expected "version" or "group/version"`, apiVersion);
  };
  if (parts.length === 1) {
    if (parts[0] === '') bad();
    return { group: '', version: apiVersion };
  }
  if (parts.length !== 2) return bad();
  const [group = '', version = ''] = parts;
  if (group === '' || version === '') bad();
  return { group, version };
}

/**
 * The `apiVersion` string of a group and version: `version` for the core group.
 *
 * ## Example
 * ```ts
 * apiVersionOf({ group: '', version: 'v1' }); // 'v1'
 * ```
 */
export function apiVersionOf(gv: GroupVersion): string {
  return gv.group === '' ? gv.version : `${gv.group}/${gv.version}`;
}

/**
 * Constructors of {@link GroupVersionKind} values.
 *
 * ## Example
 * ```ts
 * GroupVersionKind.fromApiVersion('apps/v1', 'Deployment'); // { group: 'apps', version: 'v1', kind: 'Deployment' }
 * GroupVersionKind.fromObject({ apiVersion: 'v1', kind: 'Pod' });
 * ```
 */
export const GroupVersionKind = Object.freeze({
  /** From its three parts. */
  of(group: string, version: string, kind: string): GroupVersionKind {
    return { group, version, kind };
  },
  /** From an `apiVersion` string and a kind. */
  fromApiVersion(apiVersion: string, kind: string): GroupVersionKind {
    if (kind === '') throw new GvkError('a kind cannot be empty', kind);
    return { ...parseApiVersion(apiVersion), kind };
  },
  /** From an object's `apiVersion` and `kind`; throws {@link GvkError} if either is missing. */
  fromObject(obj: KubeObject): GroupVersionKind {
    if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string' || obj.kind === '') {
      const what = obj.metadata?.name === undefined ? 'object' : `object ${obj.metadata.name}`;
      throw new GvkError(`${what} has no apiVersion and kind`, { apiVersion: obj.apiVersion, kind: obj.kind });
    }
    return GroupVersionKind.fromApiVersion(obj.apiVersion, obj.kind);
  },
  /** The `apiVersion` of a GVK. */
  apiVersion(gvk: GroupVersion): string {
    return apiVersionOf(gvk);
  },
  /** `Kind.version.group` (kubectl's fully qualified spelling), e.g. `Deployment.v1.apps`. */
  format(gvk: GroupVersionKind): string {
    return gvk.group === '' ? `${gvk.kind}.${gvk.version}` : `${gvk.kind}.${gvk.version}.${gvk.group}`;
  },
});
