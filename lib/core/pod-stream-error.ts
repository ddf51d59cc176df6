/**
 * The error of pod streams (exec, attach, port-forward): everything that goes wrong after a
 * WebSocket to a pod's `exec`, `attach` or `portforward` subresource exists, or before it can exist
 * for a reason other than the server's refusal (a refused upgrade is an `ApiError` with the Status
 * the server sent).
 *
 * @module
 */
import type { Status } from './api/meta/v1.js';
import { ERROR_BRAND, KubeError, type KubeErrorOptions } from './errors.js';

/**
 * Why a pod stream failed.
 *
 * - `execFailed`: the command could not be run, or ended in a failure other than a non-zero exit
 *   (the error channel's `Status`, e.g. `InternalError` "executable file not found"); a non-zero exit
 *   is not an error but an exit code.
 * - `protocolError`: the server sent something the channel protocol does not allow (an unknown
 *   channel, a malformed close signal, an error channel that is not a Status, a port prefix that names
 *   another port).
 * - `connectionLost`: the WebSocket closed or failed before the stream ended (no exit status, a keepalive
 *   ping unanswered).
 * - `portForwardFailed`: the pod's side of a forwarded port reported an error (nothing listening, ...).
 * - `unsupported`: this runtime cannot open the stream as configured (no WebSocket implementation, or
 *   a browser asked to send headers it cannot send, such as impersonation).
 */
export type PodStreamErrorReason = 'execFailed' | 'protocolError' | 'connectionLost' | 'portForwardFailed' | 'unsupported';

/**
 * A failure of a pod stream; `reason` says which, `status` carries the Kubernetes `Status` of the error
 * channel when there was one, `context` the pod, container or port.
 *
 * ## Example
 * ```ts
 * try {
 *   await pods.execText('web-0', ['no-such-command']);
 * } catch (e) {
 *   if (e instanceof PodStreamError && e.reason === 'execFailed') console.error(e.status?.message);
 * }
 * ```
 */
export class PodStreamError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.PodStreamError';
  override readonly name: string = 'PodStreamError';
  /** The Status sent on the error channel, when the failure came from there. */
  readonly status: Status | undefined;

  constructor(
    readonly reason: PodStreamErrorReason,
    message: string,
    options: KubeErrorOptions & { status?: Status } = {},
  ) {
    super(message, options);
    this.status = options.status;
  }
}

/**
 * Type guard for {@link PodStreamError}, optionally of one reason.
 *
 * ## Example
 * ```ts
 * if (isPodStreamError(e, 'connectionLost')) retryLater();
 * ```
 */
export function isPodStreamError(e: unknown, reason?: PodStreamErrorReason): e is PodStreamError {
  return e instanceof PodStreamError && (reason === undefined || e.reason === reason);
}
