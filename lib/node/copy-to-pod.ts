/**
 * `copyToPod`: a local file or directory into a pod, like `kubectl cp local pod:path`: the `tar`
 * package packs it (entries renamed to the target's name, no owners) and `tar xmf - -C <dir>` in the
 * container unpacks it from stdin.
 *
 * Ending: stdin is half-closed (`v5.channel.k8s.io`), and the archive is padded with zeros to a whole
 * tar record (20 blocks, 10240 bytes). GNU tar reads its input in whole records and stops after the
 * end-of-archive blocks once it has the record holding them; without the padding it waits for the
 * rest of that record, i.e. for EOF. The padding is what ends the copy where stdin's EOF never arrives:
 * `v4.channel.k8s.io` (no half-close) and kwok, which never closes the command's stdin (there,
 * `kubectl cp` into a pod hangs).
 *
 * @module
 */
import { lstat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { create } from 'tar';
import type { Api } from '../client/api.js';
import type { Pod } from '../core/builtins.js';
import { CopyError } from './copy-error.js';
import { execStreams } from './exec-streams.js';
import { collectText, type CopyOptions, type CopyResult, podPathParts, tarEnded } from './pod-tar.js';

/** GNU tar's default record: 20 blocks of 512 bytes. */
export const TAR_RECORD_SIZE = 20 * 512;

/**
 * A Transform that passes bytes through and adds zeros at the end up to a multiple of `recordSize`.
 *
 * ## Example
 * ```ts
 * await pipeline(create({ cwd: '.' }, ['site']), padToRecord(), destination);
 * ```
 */
export function padToRecord(recordSize: number = TAR_RECORD_SIZE): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      total += chunk.length;
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const rest = total % recordSize;
      callback(null, rest === 0 ? undefined : Buffer.alloc(recordSize - rest));
    },
  });
}

/**
 * Copies `localPath` (a file or a directory) into pod `name` as `remotePath`, which becomes the copy
 * (its parent directory must exist; an existing directory is merged into, as `kubectl cp` does).
 * Rejects with `ApiError` (unknown pod, no RBAC), {@link CopyError} (`notFound` for a missing local
 * path or parent directory in the pod, `tarFailed`, `aborted`) or `PodStreamError` (connection lost).
 * Needs `tar` in the container (GNU tar or busybox).
 *
 * ## Example
 * ```ts
 * const pods = Api.namespaced(client, Pod, 'default');
 * await copyToPod(pods, 'web-0', './site', '/usr/share/nginx/html');
 * ```
 */
export async function copyToPod(pods: Api<Pod, 'Namespaced'>, name: string, localPath: string, remotePath: string, options: CopyOptions = {}): Promise<CopyResult> {
  const [dir, root] = podPathParts(remotePath);
  const source = resolve(localPath);
  const context = { pod: name, namespace: pods.namespace, path: remotePath, localPath: source, ...(options.container === undefined ? {} : { container: options.container }) };
  await lstat(source).catch((error: unknown) => {
    throw new CopyError('notFound', `cannot copy ${source} to pod ${name}: it does not exist`, { cause: error, context });
  });
  const { signal } = options;
  if (signal?.aborted) throw new CopyError('aborted', `copy to pod ${name} aborted`, { cause: signal.reason, context });
  const session = await pods.exec(name, ['tar', 'xmf', '-', '-C', dir], {
    stdin: true,
    stdout: false,
    stderr: true,
    ...(options.container === undefined ? {} : { container: options.container }),
    ...(signal === undefined ? {} : { signal }),
  });
  const stderr = collectText(session.stderr);
  const onAbort = (): void => session.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  const sourceName = basename(source);
  let entries = 0;
  let bytes = 0;
  try {
    const pack = create(
      {
        cwd: dirname(source),
        portable: true,
        onWriteEntry: (entry) => {
          // The entries carry the target's name: `site/...` becomes `html/...` for `-C <dir>`.
          if (entry.path === sourceName) entry.path = root;
          else if (entry.path.startsWith(`${sourceName}/`)) entry.path = root + entry.path.slice(sourceName.length);
          entries++;
          if (entry.type === 'File') bytes += entry.stat?.size ?? 0;
        },
      },
      [sourceName],
    );
    const sent = pipeline(pack, padToRecord(), execStreams(session).stdin).then(
      () => undefined,
      (error: unknown) => error,
    );
    const ended = tarEnded(session, stderr, context).then(
      () => undefined,
      (error: unknown) => error ?? new Error('tar failed'),
    );
    const [sendError, tarError] = await Promise.all([sent, ended]);
    if (signal?.aborted) throw new CopyError('aborted', `copy to pod ${name} aborted`, { cause: signal.reason, context });
    if (tarError !== undefined) throw tarError;
    if (sendError !== undefined) throw sendError;
    return { entries, bytes };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    session.close();
  }
}
