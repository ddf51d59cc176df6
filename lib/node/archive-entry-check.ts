/**
 * The check every entry of an archive from a pod passes before anything is written: it must land
 * inside the copied path, and so must what a link points to — resolved through the links the
 * archive made before it, as the file system will resolve it, not only by its spelling.
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

/** Symbolic links followed in one resolution before it counts as a loop (Linux's limit). */
const MAX_HOPS = 40;

/**
 * The checks of one archive, entry after entry in archive order. It remembers the symbolic links it
 * accepted, so that a link is judged by where the file system will take it: `x -> .`, then
 * `up -> x/..` spells a path inside the root but leads to its parent, and is refused. A new link
 * that would make an earlier one lead outside is refused too. Refused: absolute paths, any `..`
 * component in a path, paths outside `root`, paths through a symbolic link (tar refuses those too),
 * links where the archive has a folder, symbolic links leading outside or in a loop, hard links to a
 * target outside or to a symbolic link.
 *
 * ## Example
 * ```ts
 * const check = new ArchiveEntryCheck('logs');
 * check.check({ type: 'SymbolicLink', path: 'logs/x', linkpath: '.' }); // undefined
 * check.check({ type: 'SymbolicLink', path: 'logs/up', linkpath: 'x/..' }); // 'it is a symbolic link pointing outside logs/ (x/..)'
 * ```
 */
export class ArchiveEntryCheck {
  /** Accepted symbolic links: normalized path → target. */
  private readonly links = new Map<string, string>();
  /** Folders the accepted entries made (a link may not replace one: tar could not, and would go on). */
  private readonly folders = new Set<string>();

  /** @param root The copied path's last component: every entry must sit under it. */
  constructor(readonly root: string) {}

  /** Why `entry` is unsafe, or `undefined` when it is safe (then it is remembered, if it is a link). */
  check(entry: ArchiveEntry): string | undefined {
    const { root } = this;
    const path = entry.path;
    if (isAbsolute(path)) return 'its path is absolute';
    if (path.split('/').includes('..')) return 'its path has a ".." component';
    if (!inside(root, path)) return `its path is outside ${root}/`;
    const normal = posix.normalize(path).replace(/^(?:\.\/)+/, '').replace(/\/+$/, '');
    // tar refuses to write through a link, and so does this check: then every folder above an entry is a real one.
    const parts = normal.split('/');
    for (let i = 1; i < parts.length; i++) {
      const above = parts.slice(0, i).join('/');
      if (this.links.has(above)) return `its path goes through the symbolic link ${above}`;
    }
    if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
      if (this.folders.has(normal)) return `it is a link where the archive has a folder`;
      const target = entry.linkpath ?? '';
      const kind = entry.type === 'SymbolicLink' ? 'symbolic' : 'hard';
      if (target === '') return `it is a ${kind} link without a target`;
      if (isAbsolute(target)) return `it is a ${kind} link to an absolute path (${target})`;
      if (entry.type === 'Link') {
        const targetParent = this.resolve(posix.dirname(posix.normalize(target)));
        const resolved = typeof targetParent === 'string' ? posix.join(targetParent, posix.basename(posix.normalize(target))) : targetParent;
        if (typeof resolved !== 'string' || !inside(root, resolved)) return `it is a hard link pointing outside ${root}/ (${target})`;
        if (this.links.has(resolved)) return `it is a hard link to a symbolic link (${target})`;
        this.links.delete(normal);
        for (let i = 1; i < parts.length; i++) this.folders.add(parts.slice(0, i).join('/'));
        return undefined;
      }
      const before = this.links.get(normal);
      this.links.set(normal, target);
      const escaping = this.escapingLink(normal);
      if (escaping !== undefined) {
        // Refused: tar never makes it, so whatever stood there (an earlier link) still stands.
        if (before === undefined) this.links.delete(normal);
        else this.links.set(normal, before);
        return escaping === normal
          ? `it is a symbolic link pointing outside ${root}/ (${target})`
          : `it is a symbolic link that makes ${escaping} point outside ${root}/ (${target})`;
      }
      for (let i = 1; i < parts.length; i++) this.folders.add(parts.slice(0, i).join('/'));
      return undefined;
    }
    // A file or folder replaces whatever link stood at its path.
    this.links.delete(normal);
    if (entry.type === 'Directory') this.folders.add(normal);
    for (let i = 1; i < parts.length; i++) this.folders.add(parts.slice(0, i).join('/'));
    return undefined;
  }

  /** `first`, else the first other accepted link, that does not lead inside the root (or loops), if any. */
  private escapingLink(first: string): string | undefined {
    if (!this.leadsInside(first)) return first;
    for (const path of this.links.keys()) if (path !== first && !this.leadsInside(path)) return path;
    return undefined;
  }

  /** Whether the accepted link at `path` leads inside the root. Not `posix.join`: it would fold `x/..` by spelling. */
  private leadsInside(path: string): boolean {
    const resolved = this.resolve(`${posix.dirname(path)}/${this.links.get(path)!}`);
    return typeof resolved === 'string' && resolved !== '' && inside(this.root, resolved);
  }

  /**
   * Where `path` (relative to the extraction folder) leads once the accepted links are followed,
   * component by component as the file system does; `outside` when it climbs above the folder,
   * `loop` after too many links. Components not known as links are taken as they are.
   */
  private resolve(path: string): string | 'outside' | 'loop' {
    let pending = path.split('/');
    const done: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (done.length === 0) return 'outside';
        done.pop();
        continue;
      }
      done.push(part);
      const target = this.links.get(done.join('/'));
      if (target === undefined) continue;
      if (++hops > MAX_HOPS) return 'loop';
      if (isAbsolute(target)) return 'outside';
      done.pop();
      pending = [...target.split('/'), ...pending];
    }
    return done.join('/');
  }
}

/**
 * Why `entry`, taken alone, is unsafe in an archive whose every entry should sit under `root` (the
 * copied path's last component), or `undefined`. Judging a whole archive needs the links it made
 * before: use one {@link ArchiveEntryCheck} for all its entries.
 *
 * ## Example
 * ```ts
 * unsafeEntry('logs', { type: 'File', path: 'logs/../../etc/passwd' }); // 'its path has a ".." component'
 * unsafeEntry('logs', { type: 'File', path: 'logs/app.log' }); // undefined
 * ```
 */
export function unsafeEntry(root: string, entry: ArchiveEntry): string | undefined {
  return new ArchiveEntryCheck(root).check(entry);
}
