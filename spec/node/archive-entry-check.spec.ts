/**
 * unsafeEntry: examples of each refusal, and properties — whatever segments a path or link is made of,
 * an accepted entry lands under the root once resolved, and what stays plainly inside is accepted.
 */
import fc from 'fast-check';
import { posix } from 'node:path';
import { unsafeEntry } from '../../lib/node/index.js';

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
