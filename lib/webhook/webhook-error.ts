/**
 * The error of the Node-only webhook server and its development certificates.
 *
 * @module
 */
import { ERROR_BRAND, KubeError, type KubeErrorOptions } from '../core/errors.js';

/** What failed: reading or loading the TLS files, running openssl, or listening. */
export type WebhookErrorReason = 'tls' | 'openssl' | 'listen' | 'invalidRoute';

/**
 * A webhook server could not start or a certificate could not be made. `context.file` names the file
 * involved; key material never appears in the message.
 *
 * ## Example
 * ```ts
 * try { await webhookServer({ routes, tls: { certFile: 'missing.crt', keyFile: 'k' } }); }
 * catch (e) { if (isWebhookError(e)) console.error(e.reason, e.message); }
 * ```
 */
export class WebhookError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.WebhookError';
  override readonly name: string = 'WebhookError';
  constructor(
    readonly reason: WebhookErrorReason,
    message: string,
    options: KubeErrorOptions = {},
  ) {
    super(message, options);
  }
}

/**
 * Type guard for {@link WebhookError}.
 *
 * ## Example
 * ```ts
 * if (isWebhookError(e) && e.reason === 'tls') process.exitCode = 2;
 * ```
 */
export function isWebhookError(e: unknown): e is WebhookError {
  return e instanceof WebhookError;
}
