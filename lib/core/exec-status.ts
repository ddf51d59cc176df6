/**
 * What the error channel of exec and attach says at the end: a `Status` (v4 and v5), turned into an
 * exit code or a {@link PodStreamError}. A real kubelet reports a non-zero exit as a Failure with
 * reason `NonZeroExitCode` and a cause `{ reason: 'ExitCode', message: '<n>' }`; that is a value here,
 * not an error. Any other Failure (the command does not exist, the container is gone) is an error.
 *
 * @module
 */
import type { Status } from './api/meta/v1.js';
import { DecodeError, excerptOf } from './error-boundary.js';
import { PodStreamError } from './pod-stream-error.js';
import { isStatus } from './response.js';

/** The reason of a Status reporting a non-zero exit code. */
export const NON_ZERO_EXIT_CODE_REASON = 'NonZeroExitCode';
/** The cause type carrying the exit code in such a Status. */
export const EXIT_CODE_CAUSE = 'ExitCode';

/**
 * How a command ended: its exit code, with the Status it was read from (absent when the server closed
 * the stream without writing one, which the server does for a clean exit of some runtimes).
 *
 * ## Example
 * ```ts
 * const { exitCode } = await session.exit;
 * if (exitCode !== 0) console.error(`exited with ${exitCode}`);
 * ```
 */
export interface ExecExit {
  readonly exitCode: number;
  readonly status?: Status;
}

/**
 * Parses what the error channel carried. Never throws: text that is not a JSON Status is a
 * {@link DecodeError} (with an excerpt, never the whole text).
 *
 * ## Example
 * ```ts
 * parseErrorChannel(new TextEncoder().encode('{"metadata":{},"status":"Success"}')); // { metadata: {}, status: 'Success' }
 * ```
 */
export function parseErrorChannel(data: Uint8Array): Status | DecodeError {
  const text = new TextDecoder().decode(data);
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && (isStatus(parsed) || typeof (parsed as { status?: unknown }).status === 'string')) return parsed as Status;
  } catch (cause) {
    return new DecodeError(`the error channel did not carry a JSON Status: ${excerptOf(text)}`, { cause, excerpt: excerptOf(text), field: 'error channel' });
  }
  return new DecodeError(`the error channel did not carry a Status: ${excerptOf(text)}`, { excerpt: excerptOf(text), field: 'error channel' });
}

/**
 * The exit of a command from the error channel's Status: `Success` is 0, a `NonZeroExitCode`
 * Failure is its code; anything else is a {@link PodStreamError} `execFailed` carrying the Status.
 *
 * ## Example
 * ```ts
 * exitFromStatus({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
 * // { exitCode: 3, status: ... }
 * ```
 */
export function exitFromStatus(status: Status, context: Readonly<Record<string, unknown>> = {}): ExecExit | PodStreamError {
  if (status.status === 'Success') return { exitCode: 0, status };
  if (status.reason === NON_ZERO_EXIT_CODE_REASON) {
    const cause = status.details?.causes?.find((c) => c.reason === EXIT_CODE_CAUSE);
    const code = cause?.message === undefined ? Number.NaN : Number(cause.message);
    if (Number.isInteger(code) && code >= 0) return { exitCode: code, status };
    return new PodStreamError('protocolError', `a NonZeroExitCode Status without a valid ExitCode cause: ${status.message ?? ''}`, { status, context });
  }
  const reason = status.reason === undefined || status.reason === '' ? '' : `${status.reason}: `;
  return new PodStreamError('execFailed', `the command failed: ${reason}${status.message ?? 'no message'}`, { status, context });
}
