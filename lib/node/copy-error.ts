/**
 * `CopyError`: the failures of copying files to and from a pod (`copyToPod`, `copyFromPod`) that are
 * not the pod stream's own (`ApiError` for an unknown pod, `PodStreamError` for a lost connection).
 *
 * @module
 */
import { ERROR_BRAND, KubeError, type KubeErrorOptions } from '../core/errors.js';

/**
 * Why a copy failed.
 *
 * - `notFound`: the path to copy does not exist (in the pod, or here), or the directory to copy into does not.
 * - `unsafeEntry`: the archive from the pod holds an entry that would land outside the target (an
 *   absolute path, a `..` component, a name outside the copied path, a symbolic or hard link pointing
 *   outside); `context.entry` names it. Nothing is left at the target.
 * - `tarFailed`: `tar` in the container failed or is missing (`context.stderr` holds what it printed).
 * - `writeFailed`: an entry from the pod could not be written here (permissions, disk full; `cause` is
 *   Node's error, `context.entry` the entry). Nothing is left at the target.
 * - `aborted`: the copy's `signal` fired.
 */
export type CopyErrorReason = 'notFound' | 'unsafeEntry' | 'tarFailed' | 'writeFailed' | 'aborted';

/**
 * A failed copy; `context` holds the pod, the paths and, for `unsafeEntry`, the entry.
 *
 * ## Example
 * ```ts
 * try {
 *   await copyFromPod(pods, 'web-0', '/var/log/app', './logs');
 * } catch (e) {
 *   if (isCopyError(e, 'notFound')) console.error(`nothing at ${String(e.context.path)}`);
 * }
 * ```
 */
export class CopyError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.CopyError';
  override readonly name: string = 'CopyError';
  constructor(
    readonly reason: CopyErrorReason,
    message: string,
    options: KubeErrorOptions = {},
  ) {
    super(message, options);
  }
}

/**
 * Type guard for {@link CopyError}, optionally of one reason.
 *
 * ## Example
 * ```ts
 * if (isCopyError(e, 'unsafeEntry')) console.error(`refused ${String(e.context.entry)}`);
 * ```
 */
export function isCopyError(e: unknown, reason?: CopyErrorReason): e is CopyError {
  return e instanceof CopyError && (reason === undefined || e.reason === reason);
}
