// A folder as a comparable value: what the copy tests compare between a source and its copy.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Every file, directory and link under `root`: relative path → base64 content (files), 'dir', or '-> target'.
 *
 * ## Example
 * ```ts
 * expect(fileTree(copied)).toEqual(fileTree(source));
 * ```
 */
export function fileTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = relative(root, path);
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) out[rel] = `-> ${readlinkSync(path)}`;
      else if (stat.isDirectory()) {
        out[rel] = 'dir';
        walk(path);
      } else out[rel] = readFileSync(path).toString('base64');
    }
  };
  walk(root);
  return out;
}
