/**
 * `copyFromPod`: a file or directory of a pod to this machine, like `kubectl cp pod:path local`:
 * `tar cf - -C <dir> <name>` runs in the container and its archive is unpacked here with the `tar`
 * package. Every entry is checked before anything is written (see `unsafeEntry`): one that would
 * land outside the target fails the copy with `CopyError` `unsafeEntry` naming it. The archive is
 * unpacked into a staging directory next to the target and moved into place once complete, so a
 * failed copy leaves nothing behind.
 *
 * @module
 */
import { cp, lstat, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Unpack } from 'tar';
import type { Api } from '../client/api.js';
import type { ExecSession } from '../client/exec-session.js';
import type { Pod } from '../core/builtins.js';
import { ArchiveEntryCheck } from './archive-entry-check.js';
import { CopyError } from './copy-error.js';
import { execStreams } from './exec-streams.js';
import { collectText, type CopyOptions, type CopyResult, podPathParts, tarEnded } from './pod-tar.js';

const exists = (path: string): Promise<boolean> =>
  lstat(path).then(
    () => true,
    () => false,
  );

/**
 * Copies `remotePath` (a file or a directory) of pod `name` to `localPath`, which becomes the copy (a
 * directory's contents are merged into an existing directory, and missing parent directories are
 * made, as `kubectl cp` does). Rejects with `ApiError` (unknown pod, no RBAC), {@link CopyError}
 * (`notFound`, `unsafeEntry`, `tarFailed`, `writeFailed`, `aborted`) or `PodStreamError` (connection
 * lost). Entries of types the `tar` package does not write (devices) are skipped. Needs `tar` in the container.
 *
 * ## Example
 * ```ts
 * const pods = Api.namespaced(client, Pod, 'default');
 * const { entries, bytes } = await copyFromPod(pods, 'web-0', '/var/log/app', './app-logs');
 * ```
 */
export async function copyFromPod(pods: Api<Pod, 'Namespaced'>, name: string, remotePath: string, localPath: string, options: CopyOptions = {}): Promise<CopyResult> {
  const [dir, root] = podPathParts(remotePath);
  const target = resolve(localPath);
  const context = { pod: name, namespace: pods.namespace, path: remotePath, localPath: target, ...(options.container === undefined ? {} : { container: options.container }) };
  const { signal } = options;
  if (signal?.aborted) throw new CopyError('aborted', `copy from pod ${name} aborted`, { cause: signal.reason, context });
  // Like kubectl cp, missing parent directories of the target are made.
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(join(dirname(target), `.${basename(target)}.rxkube-cp-`));
  let session: ExecSession | undefined;
  let onAbort: (() => void) | undefined;
  let entries = 0;
  let bytes = 0;
  let refused: CopyError | undefined;
  let writeFailed: CopyError | undefined;
  try {
    session = await pods.exec(name, ['tar', 'cf', '-', '-C', dir, root], {
      stdout: true,
      stderr: true,
      ...(options.container === undefined ? {} : { container: options.container }),
      ...(signal === undefined ? {} : { signal }),
    });
    const open = session;
    const stderr = collectText(open.stderr);
    onAbort = (): void => open.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    const entryCheck = new ArchiveEntryCheck(root);
    const unpack: Unpack = new Unpack({
      cwd: staging,
      preserveOwner: false,
      onwarn: (code, message, data) => {
        // An entry that could not be written here (permissions, disk full); unsupported types (devices) are skipped.
        if (code !== 'TAR_ENTRY_ERROR' || writeFailed !== undefined) return;
        const raw = (data.entry as { path?: unknown } | undefined)?.path;
        const entry = typeof raw === 'string' ? raw : '';
        writeFailed = new CopyError('writeFailed', `could not write the entry ${JSON.stringify(entry)} from pod ${name}: ${message}`, { cause: data, context: { ...context, entry } });
      },
      filter: (_path, entry) => {
        if (refused !== undefined) return false;
        const header = 'type' in entry ? entry : undefined;
        if (header === undefined) return false;
        const why = entryCheck.check({ type: header.type, path: header.path, linkpath: header.linkpath });
        if (why !== undefined) {
          refused = new CopyError('unsafeEntry', `refused the entry ${JSON.stringify(header.path)} of the archive from pod ${name}: ${why}`, { context: { ...context, entry: header.path } });
          // Not `unpack.abort()`: an aborted Unpack never says when its writes in flight have ended, and the
          // staging folder must be removed after them. Later entries are skipped and the stream ends.
          open.close();
          return false;
        }
        entries++;
        if (header.type === 'File' || header.type === 'OldFile' || header.type === 'ContiguousFile') bytes += header.size ?? 0;
        return true;
      },
    });
    // 'close' comes once the Unpack has ended and its file system work in flight is done (bounded: an Unpack
    // torn down by a failed pipeline may never say it).
    const unpackIdle = new Promise<void>((resolve) => {
      const bound = setTimeout(resolve, 2_000);
      bound.unref?.();
      unpack.once('close', () => {
        clearTimeout(bound);
        resolve();
      });
    });
    const unpacked = pipeline(execStreams(open).stdout, unpack).then(
      () => undefined,
      (error: unknown) => error,
    );
    const ended = tarEnded(open, stderr, context).then(
      () => undefined,
      (error: unknown) => error ?? new Error('tar failed'),
    );
    const [unpackError, tarError] = await Promise.all([unpacked, ended, unpackIdle]);
    if (refused !== undefined) throw refused;
    if (signal?.aborted) throw new CopyError('aborted', `copy from pod ${name} aborted`, { cause: signal.reason, context });
    if (tarError !== undefined) throw tarError;
    if (unpackError !== undefined) throw unpackError;
    if (writeFailed !== undefined) throw writeFailed;
    const copied = join(staging, root);
    if (!(await exists(copied))) throw new CopyError('notFound', `the archive from pod ${name} holds no ${root}`, { context });
    if (await exists(target)) await cp(copied, target, { recursive: true, force: true, verbatimSymlinks: true });
    else await rename(copied, target);
    return { entries, bytes };
  } finally {
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    session?.close();
    await rm(staging, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
  }
}
