/**
 * The error of a webhook configuration, CRD conversion section or admission policy description that
 * cannot work: raised before anything is sent, naming the field at fault.
 *
 * @module
 */
import { ERROR_BRAND, KubeError } from '../core/errors.js';

/** What was wrong with a description. */
export type AdmissionConfigErrorReason = 'invalidField' | 'duplicateName' | 'notCompiled';

/**
 * A description of webhooks or policies that the API server would refuse (or, for `notCompiled`, did
 * refuse in a dry run). `field` is the path in the generated object, such as `webhooks[0].timeoutSeconds`
 * or `spec.validations[1].expression`; `object` the name of the configuration or policy.
 *
 * ## Example
 * ```ts
 * try { validatingWebhookConfiguration({ name: 'x', webhooks: [] }); }
 * catch (e) { if (isAdmissionConfigError(e)) console.error(e.field, e.message); }
 * ```
 */
export class AdmissionConfigError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.AdmissionConfigError';
  override readonly name: string = 'AdmissionConfigError';
  constructor(
    readonly reason: AdmissionConfigErrorReason,
    /** Name of the configuration, policy or CRD. */
    readonly object: string,
    /** Path of the field at fault in the generated object. */
    readonly field: string,
    message: string,
    options: { cause?: unknown; details?: Readonly<Record<string, unknown>> } = {},
  ) {
    super(`${object}: ${field}: ${message}`, { cause: options.cause, context: { object, field, ...options.details } });
  }
}

/**
 * Type guard for {@link AdmissionConfigError}.
 *
 * ## Example
 * ```ts
 * if (isAdmissionConfigError(e) && e.reason === 'notCompiled') console.error(e.field);
 * ```
 */
export function isAdmissionConfigError(e: unknown): e is AdmissionConfigError {
  return e instanceof AdmissionConfigError;
}
