/**
 * The error a stream of lines (a watch, followed logs) fails with when one line exceeds its limit.
 *
 * @module
 */
import { ERROR_BRAND, KubeError, type KubeErrorOptions } from '../core/errors.js';

/**
 * One line of a streamed response (one watch event, one log line) grew past `limitBytes` before
 * its newline arrived. The stream is closed at that point, so memory stays near the limit however
 * long the line is; a watcher reports it and reconnects.
 *
 * ## Example
 * ```ts
 * client.requestLines(req).subscribe({ error: (e) => { if (e instanceof LineTooLongError) console.warn(e.limitBytes); } });
 * ```
 */
export class LineTooLongError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.LineTooLongError';
  override readonly name: string = 'LineTooLongError';

  constructor(
    /** The limit in bytes (`maxLineBytes`). */
    readonly limitBytes: number,
    /** How many bytes of the line had arrived when it was given up. */
    readonly receivedBytes: number,
    options: KubeErrorOptions = {},
  ) {
    super(`a line of the response exceeds the limit of ${limitBytes} bytes (maxLineBytes); ${receivedBytes} bytes arrived without a newline`, {
      ...options,
      context: { limitBytes, receivedBytes, ...options.context },
    });
  }
}
