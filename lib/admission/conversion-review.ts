/**
 * ConversionReview v1 (`apiextensions.k8s.io/v1`): what the API server sends to a CRD's conversion webhook
 * (objects of one kind and the apiVersion it wants them in) and what it expects back, with a decoder that
 * names the field that was wrong.
 *
 * @module
 */
import { DecodeError } from '../core/error-boundary.js';
import type { KubeObject } from '../core/resource.js';
import type { Status } from '../core/response.js';

/** The apiVersion of every ConversionReview rxkube reads and writes. */
export const CONVERSION_REVIEW_API_VERSION = 'apiextensions.k8s.io/v1';

/**
 * The request of a ConversionReview: convert every object to `desiredAPIVersion`.
 *
 * ## Example
 * ```ts
 * const request: ConversionRequest = { uid: 'u1', desiredAPIVersion: 'example.com/v2', objects: [widgetV1] };
 * ```
 */
export interface ConversionRequest<K extends KubeObject = KubeObject> {
  readonly uid: string;
  readonly desiredAPIVersion: string;
  readonly objects: readonly K[];
}

/**
 * The response: the converted objects in the same order, and `result.status` `Success`, or `Failure`
 * with a message (the API server then fails the client's request with it).
 *
 * ## Example
 * ```ts
 * const response: ConversionResponse = { uid: 'u1', convertedObjects: [widgetV2], result: { status: 'Success' } };
 * ```
 */
export interface ConversionResponse<K extends KubeObject = KubeObject> {
  readonly uid: string;
  readonly convertedObjects: readonly K[];
  readonly result: Status;
}

/**
 * A ConversionReview as it travels.
 *
 * ## Example
 * ```ts
 * const review: ConversionReview = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', response };
 * ```
 */
export interface ConversionReview<K extends KubeObject = KubeObject> {
  readonly apiVersion: typeof CONVERSION_REVIEW_API_VERSION;
  readonly kind: 'ConversionReview';
  readonly request?: ConversionRequest<K>;
  readonly response?: ConversionResponse<K>;
}

function fail(field: string, message: string): never {
  throw new DecodeError(`ConversionReview: ${field} ${message}`, { field, object: { kind: 'ConversionReview' } });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Decodes a ConversionReview request body (already parsed from JSON); throws a {@link DecodeError}
 * whose `field` names what was wrong (`request.objects[2]`), never echoing the body.
 *
 * ## Example
 * ```ts
 * const request = parseConversionReview(JSON.parse(body));
 * ```
 */
export function parseConversionReview(body: unknown): ConversionRequest {
  if (!isRecord(body)) fail('body', 'must be a JSON object');
  if (body.apiVersion !== CONVERSION_REVIEW_API_VERSION) fail('apiVersion', `must be ${CONVERSION_REVIEW_API_VERSION}, not ${JSON.stringify(body.apiVersion)?.slice(0, 60)}`);
  if (body.kind !== 'ConversionReview') fail('kind', `must be ConversionReview, not ${JSON.stringify(body.kind)?.slice(0, 60)}`);
  const r = body.request;
  if (!isRecord(r)) fail('request', r === undefined ? 'is missing' : 'must be an object');
  if (typeof r.uid !== 'string' || r.uid === '') fail('request.uid', 'must be a non-empty string');
  if (typeof r.desiredAPIVersion !== 'string' || r.desiredAPIVersion === '') fail('request.desiredAPIVersion', 'must be a non-empty string');
  if (!Array.isArray(r.objects)) fail('request.objects', 'must be an array');
  r.objects.forEach((o, i) => {
    if (!isRecord(o)) fail(`request.objects[${i}]`, 'must be an object');
    if (typeof o.apiVersion !== 'string') fail(`request.objects[${i}].apiVersion`, 'must be a string');
    if (typeof o.kind !== 'string') fail(`request.objects[${i}].kind`, 'must be a string');
  });
  return { uid: r.uid, desiredAPIVersion: r.desiredAPIVersion, objects: r.objects as KubeObject[] };
}
