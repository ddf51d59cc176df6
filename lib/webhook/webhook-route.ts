/**
 * Routes of a webhook server: a path and what answers it — a validating or mutating admission handler
 * typed by a resource descriptor, or a conversion. Handlers may answer with a value, a Promise or an
 * Observable (the first value counts; an Observable is unsubscribed when the call times out).
 *
 * @module
 */
import type { Observable } from 'rxjs';
import type { AdmissionRequest, AdmissionResponse } from '../admission/admission-review.js';
import type { ConversionRequest, ConversionResponse } from '../admission/conversion-review.js';
import type { Conversion } from '../admission/conversion.js';
import type { KubeObject, ResourceType } from '../core/resource.js';
import { WebhookError } from './webhook-error.js';

/** What a handler may return. */
export type HandlerResult<T> = T | PromiseLike<T> | Observable<T>;

/**
 * An admission handler: the typed request in, a response (see `Admission.allow/deny/mutate`) out.
 *
 * ## Example
 * ```ts
 * const handler: AdmissionHandler<ConfigMap> = (request) => Admission.allow(request);
 * ```
 */
export type AdmissionHandler<K extends KubeObject> = (request: AdmissionRequest<K>) => HandlerResult<AdmissionResponse>;

/**
 * One route. Build routes with {@link Webhook}.
 *
 * ## Example
 * ```ts
 * const routes: WebhookRoute[] = [Webhook.validating('/validate', ConfigMap, check), Webhook.conversion('/convert', widgetConversion)];
 * ```
 */
export type WebhookRoute =
  | { readonly type: 'validating' | 'mutating'; readonly path: string; readonly resource?: ResourceType; readonly handle: AdmissionHandler<KubeObject> }
  | { readonly type: 'conversion'; readonly path: string; readonly convert: (request: ConversionRequest) => HandlerResult<ConversionResponse> };

function checkPath(path: string): string {
  if (!path.startsWith('/') || /[?#\s]/.test(path)) throw new WebhookError('invalidRoute', `a webhook route path must start with / and hold no query, fragment or space: ${JSON.stringify(path)}`);
  return path;
}

/**
 * Route builders.
 *
 * ## Example
 * ```ts
 * const routes = [
 *   Webhook.validating('/validate-configmaps', ConfigMap, (r) => (r.object?.data?.password ? Admission.deny(r, 'no passwords') : Admission.allow(r))),
 *   Webhook.mutating('/mutate-configmaps', ConfigMap, (r) => Admission.mutate(r, { ...r.object!, metadata: { ...r.object!.metadata, labels: { checked: 'yes' } } })),
 *   Webhook.conversion('/convert-widgets', widgetConversion),
 * ];
 * ```
 */
export const Webhook = Object.freeze({
  /** A validating webhook for objects of `resource` (reviews of other kinds are refused with 400). Its responses may not patch. */
  validating<K extends KubeObject>(path: string, resource: ResourceType<K> | undefined, handle: AdmissionHandler<K>): WebhookRoute {
    return { type: 'validating', path: checkPath(path), ...(resource === undefined ? {} : { resource }), handle: handle as AdmissionHandler<KubeObject> };
  },
  /** A mutating webhook for objects of `resource`; answer with `Admission.mutate(request, desired)` or `Admission.patch`. */
  mutating<K extends KubeObject>(path: string, resource: ResourceType<K> | undefined, handle: AdmissionHandler<K>): WebhookRoute {
    return { type: 'mutating', path: checkPath(path), ...(resource === undefined ? {} : { resource }), handle: handle as AdmissionHandler<KubeObject> };
  },
  /** A CRD conversion webhook served by a typed {@link Conversion} (or any function of the request). */
  conversion(path: string, conversion: Conversion<KubeObject> | ((request: ConversionRequest) => HandlerResult<ConversionResponse>)): WebhookRoute {
    const convert = typeof conversion === 'function' ? conversion : (request: ConversionRequest) => conversion.review(request);
    return { type: 'conversion', path: checkPath(path), convert };
  },
});
