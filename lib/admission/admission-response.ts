/**
 * Builders of admission responses: allow, deny (with a Status, an HTTP code and a field path), patch
 * with explicit JSON patch operations, or mutate by giving the object as it should be. Warnings and audit
 * annotations ride along on any of them.
 *
 * @module
 */
import type { JsonPatchOperation } from '../core/patch.js';
import type { KubeObject } from '../core/resource.js';
import type { Status } from '../core/response.js';
import { ADMISSION_REVIEW_API_VERSION, type AdmissionRequest, type AdmissionResponse, type AdmissionReview } from './admission-review.js';
import { base64Encode } from './base64.js';
import { jsonPatchDiff } from './json-patch-diff.js';

/**
 * Extras any response may carry.
 *
 * ## Example
 * ```ts
 * Admission.allow(request, { warnings: ['spec.size is deprecated'], auditAnnotations: { checked: 'true' } });
 * ```
 */
export interface AdmissionExtras {
  /** Shown to the client; kubectl prints each as `Warning: ...`. */
  warnings?: readonly string[];
  /** Recorded in the audit event as `<webhook name>/<key>: value`. */
  auditAnnotations?: Readonly<Record<string, string>>;
}

/**
 * How a denial is reported.
 *
 * ## Example
 * ```ts
 * Admission.deny(request, 'size must be even', { field: 'spec.size', code: 422, reason: 'Invalid' });
 * ```
 */
export interface DenyOptions extends AdmissionExtras {
  /** HTTP code the client sees. @default 403 */
  code?: number;
  /** Status reason (`Forbidden`, `Invalid`, ...). @default 'Forbidden' (403), else 'Invalid' */
  reason?: string;
  /** The field at fault (`spec.size`), added to `status.details.causes`. */
  field?: string;
}

function extras(options: AdmissionExtras | undefined): Pick<AdmissionResponse, 'warnings' | 'auditAnnotations'> {
  const out: { warnings?: readonly string[]; auditAnnotations?: Readonly<Record<string, string>> } = {};
  if (options?.warnings !== undefined && options.warnings.length > 0) out.warnings = [...options.warnings];
  if (options?.auditAnnotations !== undefined && Object.keys(options.auditAnnotations).length > 0) out.auditAnnotations = { ...options.auditAnnotations };
  return out;
}

/**
 * Response builders for admission handlers.
 *
 * ## Example
 * ```ts
 * const handler = (request: AdmissionRequest<ConfigMap>) =>
 *   request.object?.data?.password !== undefined
 *     ? Admission.deny(request, 'ConfigMaps must not hold passwords; use a Secret', { field: 'data.password' })
 *     : Admission.mutate(request, { ...request.object, metadata: { ...request.object?.metadata, labels: { ...request.object?.metadata?.labels, checked: 'yes' } } });
 * ```
 */
export const Admission = Object.freeze({
  /** Lets the request through unchanged. */
  allow(request: Pick<AdmissionRequest, 'uid'>, options?: AdmissionExtras): AdmissionResponse {
    return { uid: request.uid, allowed: true, ...extras(options) };
  },

  /** Refuses the request; `message` is what the client (kubectl) prints after the webhook's name. */
  deny(request: Pick<AdmissionRequest, 'uid'>, message: string, options: DenyOptions = {}): AdmissionResponse {
    const code = options.code ?? 403;
    const status: Status = {
      status: 'Failure',
      code,
      reason: options.reason ?? (code === 403 ? 'Forbidden' : 'Invalid'),
      message,
      ...(options.field === undefined ? {} : { details: { causes: [{ reason: 'FieldValueInvalid', field: options.field, message }] } }),
    };
    return { uid: request.uid, allowed: false, status, ...extras(options) };
  },

  /** Lets the request through with these JSON patch operations applied to `request.object` (none: a plain allow). */
  patch(request: Pick<AdmissionRequest, 'uid'>, operations: readonly JsonPatchOperation[], options?: AdmissionExtras): AdmissionResponse {
    if (operations.length === 0) return Admission.allow(request, options);
    return { uid: request.uid, allowed: true, patchType: 'JSONPatch', patch: base64Encode(JSON.stringify(operations)), ...extras(options) };
  },

  /**
   * Lets the request through changed into `desired`: the JSON patch from `request.object` to `desired`
   * (see `jsonPatchDiff`). Throws `JsonPatchError` when `desired` holds something JSON cannot represent.
   */
  mutate<K extends KubeObject>(request: Pick<AdmissionRequest<K>, 'uid' | 'object'>, desired: K, options?: AdmissionExtras): AdmissionResponse {
    return Admission.patch(request, jsonPatchDiff(request.object ?? {}, desired), options);
  },

  /** Wraps a response in the AdmissionReview envelope the API server expects. */
  review(response: AdmissionResponse): AdmissionReview {
    return { apiVersion: ADMISSION_REVIEW_API_VERSION, kind: 'AdmissionReview', response };
  },
});
