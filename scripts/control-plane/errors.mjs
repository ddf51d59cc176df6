// The one error type of the control-plane scripts: a one-line reason plus optional details (log tail).

/**
 * A failure of build/up/down/restart. `message` is one line naming what failed; `details` holds the last log
 * lines of the failing component, if any.
 *
 * ## Example
 * ```js
 * throw new ControlPlaneError('kube-apiserver exited with code 1 during start-up', { details: tail });
 * ```
 */
export class ControlPlaneError extends Error {
  /**
   * @param {string} message one line
   * @param {{ details?: string, cause?: unknown }} [options]
   */
  constructor(message, options = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ControlPlaneError';
    /** @type {string} */
    this.details = options.details ?? '';
  }
}
