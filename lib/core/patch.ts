/**
 * The four kinds of PATCH the API server accepts, as a discriminated union with constructors.
 *
 * @module
 */

/** One operation of an RFC 6902 JSON patch. */
export type JsonPatchOperation =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'move'; from: string; path: string }
  | { op: 'copy'; from: string; path: string }
  | { op: 'test'; path: string; value: unknown };

/**
 * A patch body tagged with its type; the type picks the Content-Type header.
 * - `apply`: server-side apply (`application/apply-patch+yaml`), needs a field manager.
 * - `merge`: JSON merge patch (RFC 7386).
 * - `strategic`: strategic merge patch (built-in kinds only).
 * - `json`: JSON patch (RFC 6902) operations.
 *
 * ## Example
 * ```ts
 * const p: Patch = Patch.merge({ metadata: { labels: { app: 'web' } } });
 * ```
 */
export type Patch<T = unknown> =
  | { readonly type: 'apply'; readonly body: T }
  | { readonly type: 'merge'; readonly body: T }
  | { readonly type: 'strategic'; readonly body: T }
  | { readonly type: 'json'; readonly body: readonly JsonPatchOperation[] };

/** The type tag of a {@link Patch}. */
export type PatchType = Patch['type'];

/** Content-Type header of each patch type. */
export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = Object.freeze({
  apply: 'application/apply-patch+yaml',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
});

/**
 * Constructors of {@link Patch} values.
 *
 * ## Example
 * ```ts
 * Patch.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: '1' } });
 * Patch.json([{ op: 'test', path: '/metadata/finalizers/0', value: 'x' }, { op: 'remove', path: '/metadata/finalizers/0' }]);
 * ```
 */
export const Patch = Object.freeze({
  /** Server-side apply of a (partial) object that includes apiVersion and kind. */
  apply<T>(body: T): Patch<T> {
    return { type: 'apply', body };
  },
  /** JSON merge patch. */
  merge<T>(body: T): Patch<T> {
    return { type: 'merge', body };
  },
  /** Strategic merge patch (built-in kinds only). */
  strategic<T>(body: T): Patch<T> {
    return { type: 'strategic', body };
  },
  /** JSON patch operations. */
  json(ops: readonly JsonPatchOperation[]): Patch<never> {
    return { type: 'json', body: ops };
  },
});
