/**
 * The check every entry of an archive from a pod passes before anything is written: it must land
 * inside the copied path, and so must what a link points to.
 *
 * @module
 */
import { posix } from 'node:path';

/**
 * What {@link unsafeEntry} looks at: a tar entry's type, path and link target as the archive has them.
 *
 * ## Example
 * ```ts
 * const entry: ArchiveEntry = { type: 'SymbolicLink', path: 'logs/current', linkpath: 'app.log' };
 * ```
 */
export interface ArchiveEntry {
  readonly type: string;
  readonly path: string;
  readonly linkpath?: string | undefined;
}

const isAbsolute = (p: string): boolean => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\');

/** Whether `p` (relative, posix) stays under `root` once normalized. */
function inside(root: string, p: string): boolean {
  const normal = posix.normalize(p).replace(/^(?:\.\/)+/, '');
  return normal === root || normal.startsWith(`${root}/`);
}

/**
 * Why `entry` of an archive whose every entry should sit under `root` (the copied path's last
 * component) is unsafe, or `undefined` when it is safe. Refused: absolute paths, any `..` component in
 * a path, paths outside `root`, symbolic links whose target (resolved from the link's directory) or
 * hard links whose target (an archive path) lies outside `root` or is absolute.
 *
 * ## Example
 * ```ts
 * unsafeEntry('logs', { type: 'File', path: 'logs/../../etc/passwd' }); // 'its path has a ".." component'
 * unsafeEntry('logs', { type: 'File', path: 'logs/app.log' }); // undefined
 * ```
 */
export function unsafeEntry(root: string, entry: ArchiveEntry): string | undefined {
  const path = entry.path;
  if (isAbsolute(path)) return 'its path is absolute';
  if (path.split('/').includes('..')) return 'its path has a ".." component';
  if (!inside(root, path)) return `its path is outside ${root}/`;
  if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
    const target = entry.linkpath ?? '';
    const kind = entry.type === 'SymbolicLink' ? 'symbolic' : 'hard';
    if (target === '') return `it is a ${kind} link without a target`;
    if (isAbsolute(target)) return `it is a ${kind} link to an absolute path (${target})`;
    const resolved = entry.type === 'SymbolicLink' ? posix.normalize(posix.join(posix.dirname(path), target)) : posix.normalize(target);
    if (!inside(root, resolved)) return `it is a ${kind} link pointing outside ${root}/ (${target})`;
  }
  return undefined;
}
