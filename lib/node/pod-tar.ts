/**
 * What `copyToPod` and `copyFromPod` share: splitting the pod's path, the stderr of `tar` in the
 * container, and turning how it ended into a result or a {@link CopyError}.
 *
 * @module
 */
import { posix } from 'node:path';
import type { Observable } from 'rxjs';
import type { ExecSession } from '../client/exec-session.js';
import { InvalidRequestError } from '../core/errors.js';
import { isPodStreamError } from '../core/pod-stream-error.js';
import { CopyError } from './copy-error.js';

/**
 * Options of `copyToPod` and `copyFromPod`.
 *
 * ## Example
 * ```ts
 * await copyFromPod(pods, 'web-0', '/var/log/app', './logs', { container: 'app', signal: AbortSignal.timeout(60_000) });
 * ```
 */
export interface CopyOptions {
  /** The container; may be omitted for a pod with one container. */
  container?: string;
  /** Cancels the copy: the session is closed and the Promise rejects with `CopyError` `aborted`. */
  signal?: AbortSignal;
}

/**
 * What a copy moved.
 *
 * ## Example
 * ```ts
 * const { entries, bytes } = await copyToPod(pods, 'web-0', './site', '/usr/share/nginx/html');
 * ```
 */
export interface CopyResult {
  /** Files, directories and links copied. */
  readonly entries: number;
  /** Bytes of file content copied. */
  readonly bytes: number;
}

/**
 * The parent directory and the last component of a path in the pod (`/a/b/` → `['/a', 'b']`).
 * Throws `InvalidRequestError` for an empty path, `/`, or one ending in `.` or `..`.
 *
 * ## Example
 * ```ts
 * podPathParts('/var/log/app'); // ['/var/log', 'app']
 * ```
 */
export function podPathParts(path: string): [dir: string, base: string] {
  const trimmed = path.replace(/\/+$/, '');
  const base = posix.basename(trimmed);
  if (trimmed === '' || base === '.' || base === '..') {
    throw new InvalidRequestError('invalidParams', `cannot copy ${JSON.stringify(path)}: name a file or directory (not "/", "." or "..")`, { context: { path } });
  }
  return [posix.dirname(trimmed), base];
}

/** The most of `tar`'s stderr kept for an error. */
const MAX_STDERR = 4096;

/**
 * The text of `stderr`, up to 4 KiB (what `tar` says when it fails).
 *
 * ## Example
 * ```ts
 * const stderr = collectText(session.stderr);
 * ```
 */
export function collectText(stderr: Observable<Uint8Array>): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const done = (): void => resolve(new TextDecoder().decode(Buffer.concat(chunks)).slice(0, MAX_STDERR));
    stderr.subscribe({
      next: (chunk) => {
        if (size >= MAX_STDERR) return;
        chunks.push(chunk);
        size += chunk.length;
      },
      complete: done,
      error: done,
    });
  });
}

/**
 * Waits for `tar` in the container to end: resolves on exit code 0; a non-zero exit (or kwok's way of
 * reporting one, an `execFailed` Status) becomes a {@link CopyError} — `notFound` when tar says
 * "No such file or directory", else `tarFailed` — and a lost connection stays a `PodStreamError`.
 *
 * ## Example
 * ```ts
 * await tarEnded(session, collectText(session.stderr), { pod: 'web-0', path: '/data' });
 * ```
 */
export async function tarEnded(session: ExecSession, stderr: Promise<string>, context: Readonly<Record<string, unknown>>): Promise<void> {
  let failure: { detail: string; cause?: unknown };
  try {
    const { exitCode } = await session.exit;
    if (exitCode === 0) return;
    failure = { detail: `exit code ${exitCode}` };
  } catch (error) {
    if (!isPodStreamError(error, 'execFailed')) throw error;
    failure = { detail: error.message, cause: error };
  }
  const text = (await stderr).trim();
  const withStderr = { ...context, stderr: text };
  const said = text === '' ? '' : `: ${text.split('\n').slice(0, 3).join('; ')}`;
  if (/No such file or directory/i.test(text)) {
    throw new CopyError('notFound', `tar in pod ${String(context.pod)} found no ${String(context.path)}${said}`, { cause: failure.cause, context: withStderr });
  }
  throw new CopyError('tarFailed', `tar in pod ${String(context.pod)} failed (${failure.detail})${said}`, { cause: failure.cause, context: withStderr });
}
