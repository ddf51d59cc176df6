/**
 * What the API server sends back besides objects: `Status` and the events of a watch stream.
 *
 * @module
 */
import type { Status, StatusCause, StatusDetails } from './api/meta/v1.js';

export type { Status, StatusCause, StatusDetails };

/**
 * One event of a raw watch stream. `BOOKMARK` carries only `metadata.resourceVersion` (and, in
 * streaming-list mode, the annotation `k8s.io/initial-events-end: "true"`); `ERROR` carries a
 * `Status` (410 Gone when the resourceVersion has been compacted).
 *
 * ## Example
 * ```ts
 * function rv(e: WatchEvent<Pod>): string | undefined {
 *   return e.type === 'ERROR' ? undefined : e.object.metadata?.resourceVersion;
 * }
 * ```
 */
export type WatchEvent<K> =
  | { readonly type: 'ADDED'; readonly object: K }
  | { readonly type: 'MODIFIED'; readonly object: K }
  | { readonly type: 'DELETED'; readonly object: K }
  | { readonly type: 'BOOKMARK'; readonly object: BookmarkObject }
  | { readonly type: 'ERROR'; readonly object: Status };

/** The object carried by a BOOKMARK event. */
export interface BookmarkObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    resourceVersion: string;
    annotations?: Record<string, string>;
  };
}

/** Annotation on the BOOKMARK that ends the initial events of a streaming list. */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

/**
 * Whether a value has the shape of a `Status` object (`kind: 'Status'`).
 *
 * ## Example
 * ```ts
 * const res = await api.delete('web'); // K or Status
 * if (isStatus(res)) console.log(res.status);
 * ```
 */
export function isStatus(value: unknown): value is Status {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Status';
}
