/**
 * unsafeEntry: examples of each refusal, and properties — whatever segments a path or link is made of,
 * an accepted entry lands under the root once resolved, and what stays plainly inside is accepted.
 */
import fc from 'fast-check';
import { lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { ArchiveEntryCheck, unsafeEntry, type ArchiveEntry } from '../../lib/node/index.js';

const under = (root: string, p: string): boolean => {
  const n = posix.normalize(p);
  return n === root || n === `${root}/` || n.startsWith(`${root}/`);
};

describe('unsafeEntry', () => {
  it.each([
    [{ type: 'File', path: 'logs/app.log' }, undefined],
    [{ type: 'Directory', path: 'logs/' }, undefined],
    [{ type: 'File', path: './logs/a' }, undefined],
    [{ type: 'SymbolicLink', path: 'logs/current', linkpath: 'app.log' }, undefined],
    [{ type: 'SymbolicLink', path: 'logs/sub/up', linkpath: '../app.log' }, undefined],
    [{ type: 'Link', path: 'logs/hard', linkpath: 'logs/app.log' }, undefined],
    [{ type: 'File', path: 'logs/../../etc/passwd' }, 'its path has a ".." component'],
    [{ type: 'File', path: '/etc/passwd' }, 'its path is absolute'],
    [{ type: 'File', path: 'C:\\Windows\\x' }, 'its path is absolute'],
    [{ type: 'File', path: 'logsx/a' }, 'its path is outside logs/'],
    [{ type: 'SymbolicLink', path: 'logs/l', linkpath: '../..' }, 'it is a symbolic link pointing outside logs/ (../..)'],
    [{ type: 'SymbolicLink', path: 'logs/l', linkpath: '/etc' }, 'it is a symbolic link to an absolute path (/etc)'],
    [{ type: 'SymbolicLink', path: 'logs/l', linkpath: '' }, 'it is a symbolic link without a target'],
    [{ type: 'Link', path: 'logs/h', linkpath: 'other/file' }, 'it is a hard link pointing outside logs/ (other/file)'],
  ])('%j → %s', (entry, why) => {
    expect(unsafeEntry('logs', entry)).toBe(why);
  });

  const segment = fc.constantFrom('logs', 'a', 'b', '..', '.', '', 'logs..', '...');
  const relPath = fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join('/'));

  it('accepts a path only if it normalizes to somewhere under the root', () => {
    fc.assert(
      fc.property(relPath, fc.boolean(), (p, absolute) => {
        const path = absolute ? `/${p}` : p;
        if (unsafeEntry('logs', { type: 'File', path }) === undefined) expect(!path.startsWith('/') && under('logs', path)).toBe(true);
      }),
    );
  });

  it('accepts a symbolic link only if its target, from the link’s directory, stays under the root', () => {
    fc.assert(
      fc.property(relPath, relPath, fc.boolean(), (p, target, absolute) => {
        const path = `logs/${p}`;
        const linkpath = absolute ? `/${target}` : target;
        if (unsafeEntry('logs', { type: 'SymbolicLink', path, linkpath }) === undefined) {
          expect(linkpath.startsWith('/')).toBe(false);
          expect(under('logs', posix.join(posix.dirname(path), linkpath))).toBe(true);
        }
      }),
    );
  });

  it('accepts every plain path under the root', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[\w -]{1,8}$/), { maxLength: 5 }), (parts) => {
        expect(unsafeEntry('logs', { type: 'File', path: ['logs', ...parts].join('/') })).toBeUndefined();
      }),
    );
  });
});

describe('ArchiveEntryCheck (links judged where the file system takes them)', () => {
  const run = (entries: ArchiveEntry[]): Array<string | undefined> => {
    const check = new ArchiveEntryCheck('logs');
    return entries.map((e) => check.check(e));
  };

  it('refuses a chain of links each spelled inside the root that leads outside', () => {
    expect(
      run([
        { type: 'SymbolicLink', path: 'logs/x', linkpath: '.' },
        { type: 'SymbolicLink', path: 'logs/l2', linkpath: 'x/..' },
        { type: 'SymbolicLink', path: 'logs/l4', linkpath: 'l2/..' },
      ]),
    ).toEqual([undefined, 'it is a symbolic link pointing outside logs/ (x/..)', undefined]);
  });

  it('refuses a link that would make an earlier one lead outside', () => {
    expect(
      run([
        { type: 'SymbolicLink', path: 'logs/a', linkpath: 'b/..' },
        { type: 'SymbolicLink', path: 'logs/b', linkpath: '.' },
      ]),
    ).toEqual([undefined, 'it is a symbolic link that makes logs/a point outside logs/ (.)']);
  });

  it('refuses loops, paths through a link that leads outside, and hard links to links', () => {
    expect(
      run([
        { type: 'SymbolicLink', path: 'logs/p', linkpath: 'q' },
        { type: 'SymbolicLink', path: 'logs/q', linkpath: 'p' },
        { type: 'SymbolicLink', path: 'logs/s', linkpath: 'sub/file' },
        { type: 'File', path: 'logs/s/inner' },
        { type: 'Link', path: 'logs/h', linkpath: 'logs/s' },
        { type: 'Link', path: 'logs/h2', linkpath: 'logs/sub/file' },
      ]),
    ).toEqual([
      undefined,
      'it is a symbolic link pointing outside logs/ (p)',
      undefined,
      'its path goes through the symbolic link logs/s',
      'it is a hard link to a symbolic link (logs/s)',
      undefined,
    ]);
  });

  it('keeps an earlier link when a refused one would have replaced it (found by the property below)', () => {
    expect(
      run([
        { type: 'SymbolicLink', path: 'logs/c', linkpath: '.' },
        { type: 'SymbolicLink', path: 'logs/c', linkpath: '../a' },
        { type: 'SymbolicLink', path: 'logs/b', linkpath: 'c/../a' },
      ]),
    ).toEqual([undefined, 'it is a symbolic link pointing outside logs/ (../a)', 'it is a symbolic link pointing outside logs/ (c/../a)']);
  });

  it('refuses a link where the archive made a folder', () => {
    expect(
      run([
        { type: 'File', path: 'logs/a/a' },
        { type: 'SymbolicLink', path: 'logs/a', linkpath: 'c' },
      ]),
    ).toEqual([undefined, 'it is a link where the archive has a folder']);
  });

  it('lets a folder replace a link, after which the path is plain again', () => {
    expect(
      run([
        { type: 'SymbolicLink', path: 'logs/d', linkpath: 'e/f' },
        { type: 'Directory', path: 'logs/d/' },
        { type: 'SymbolicLink', path: 'logs/up', linkpath: 'd/..' },
      ]),
    ).toEqual([undefined, undefined, undefined]);
  });

  // The oracle is the real file system: accepted links are made with symlink(2) in a scratch folder, and then
  // every accepted link is resolved by lstat/readlink, component by component, independently of the check.
  it('never accepts links that, made on a real file system, lead outside the root', () => {
    const name = fc.constantFrom('a', 'b', 'c');
    const target = fc.array(fc.constantFrom('a', 'b', 'c', '..', '.'), { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
    const linkEntry = fc.record({ dir: fc.array(name, { maxLength: 2 }), name, target });
    fc.assert(
      fc.property(fc.array(linkEntry, { minLength: 1, maxLength: 8 }), (links) => {
        const scratch = mkdtempSync(join(tmpdir(), 'rxkube-links-'));
        try {
          const check = new ArchiveEntryCheck('logs');
          mkdirSync(join(scratch, 'logs'));
          const made: string[] = [];
          for (const l of links) {
            const path = ['logs', ...l.dir, l.name].join('/');
            if (check.check({ type: 'SymbolicLink', path, linkpath: l.target }) !== undefined) continue;
            // Make it as tar would: parent directories as real folders where nothing stands yet.
            try {
              mkdirSync(join(scratch, ...['logs', ...l.dir]), { recursive: true });
              rmSync(join(scratch, path), { force: true, recursive: false });
              symlinkSync(l.target, join(scratch, path));
              made.push(path);
            } catch {
              // a parent is a link or a file: tar would refuse to extract through it; nothing made
            }
          }
          for (const path of made) {
            if (!lstatSync(join(scratch, path), { throwIfNoEntry: false })?.isSymbolicLink()) continue;
            const where = resolveOnDisk(scratch, join(scratch, path));
            if (where !== 'loop') expect(where === join(scratch, 'logs') || where.startsWith(join(scratch, 'logs') + '/')).toBe(true);
          }
        } finally {
          rmSync(scratch, { recursive: true, force: true });
        }
      }),
      { numRuns: 1000 },
    );
  });
});

/** Where `path` leads on disk, following links component by component; missing components are taken as spelled. */
function resolveOnDisk(base: string, path: string): string | 'loop' {
  let pending = path.slice(1).split('/');
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    done.push(part);
    const here = `/${done.join('/')}`;
    const st = lstatSync(here, { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) {
      if (++hops > 40) return 'loop';
      const target = readlinkSync(here);
      done.pop();
      pending = [...(target.startsWith('/') ? target.slice(1).split('/') : target.split('/')), ...pending];
      if (target.startsWith('/')) done.length = 0;
    }
  }
  void base;
  return `/${done.join('/')}`;
}
