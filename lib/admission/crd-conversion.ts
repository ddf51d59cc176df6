/**
 * The `spec.conversion` section of a multi-version CustomResourceDefinition that points at a conversion
 * webhook, checked against the typed {@link Conversion} that will serve it (same group and kind, every
 * served version known), so a CRD never names a webhook that cannot convert one of its versions.
 *
 * @module
 */
import { AdmissionConfigError } from './admission-config-error.js';
import type { Conversion } from './conversion.js';
import { webhookClientConfig, type WebhookEndpoint } from './webhook-configuration.js';

/**
 * The parts of a CustomResourceDefinition this module reads (rxkube/core's generated type and rxkube/derive's both fit).
 *
 * ## Example
 * ```ts
 * const crd: CrdLike = mergeCrdVersions(WidgetV1, WidgetV2);
 * ```
 */
export interface CrdLike {
  readonly metadata?: { readonly name?: string };
  readonly spec: { readonly group: string; readonly names: { readonly plural: string; readonly kind: string }; readonly versions: readonly { readonly name: string }[] };
}

/**
 * A copy of `crd` with `spec.conversion` set to the webhook at `endpoint` (ConversionReview v1). When the
 * `conversion` that serves the webhook is given, its group, kind and versions must cover the CRD's.
 * Throws {@link AdmissionConfigError} naming the field.
 *
 * ## Example
 * ```ts
 * const crd = withConversionWebhook(mergeCrdVersions(WidgetV1, WidgetV2), { url: `${server.url}/convert`, ca }, conversion);
 * await Api.cluster(client, CustomResourceDefinition).create(crd);
 * ```
 */
export function withConversionWebhook<C extends CrdLike>(crd: C, endpoint: WebhookEndpoint, conversion?: Conversion): C {
  const name = crd.metadata?.name ?? `${crd.spec.names.plural}.${crd.spec.group}`;
  const versions = crd.spec.versions.map((v) => v.name);
  if (versions.length < 2) {
    throw new AdmissionConfigError('invalidField', name, 'spec.versions', `a conversion webhook needs at least two versions, this CRD has ${versions.join(', ') || 'none'}`);
  }
  if (conversion !== undefined) {
    if (conversion.group !== crd.spec.group || conversion.kind !== crd.spec.names.kind) {
      throw new AdmissionConfigError('invalidField', name, 'spec.conversion', `the conversion is for ${conversion.kind} of ${conversion.group}, the CRD is ${crd.spec.names.kind} of ${crd.spec.group}`);
    }
    const known = new Set(conversion.apiVersions);
    const missing = versions.filter((v) => !known.has(`${crd.spec.group}/${v}`));
    if (missing.length > 0) {
      throw new AdmissionConfigError('invalidField', name, 'spec.versions', `the conversion does not know version(s) ${missing.join(', ')}`);
    }
  }
  return {
    ...crd,
    spec: {
      ...crd.spec,
      conversion: {
        strategy: 'Webhook',
        webhook: {
          conversionReviewVersions: ['v1'],
          clientConfig: webhookClientConfig(endpoint, name, 'spec.conversion.webhook.clientConfig'),
        },
      },
    },
  };
}
