/**
 * Tests for scripts/build.mjs on a one-file copy of the project: both module formats come out with
 * their package.json markers, and a failing build exits non-zero and leaves the previous dist/ whole.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

jest.setTimeout(120_000);

const REPO = resolve(__dirname, '..', '..');
let root: string;

function build(): { status: number | null; stderr: string } {
  const child = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
  return { status: child.status, stderr: child.stderr };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rxkube-build-'));
  mkdirSync(join(root, 'scripts'));
  mkdirSync(join(root, 'lib', 'core'), { recursive: true });
  for (const file of ['tsconfig.json', 'tsconfig.build.json']) cpSync(join(REPO, file), join(root, file));
  cpSync(join(REPO, 'scripts', 'build.mjs'), join(root, 'scripts', 'build.mjs'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'rxkube-build-test', private: true }));
  writeFileSync(join(root, 'lib', 'core', 'index.ts'), "export * from './answer.js';\n");
  writeFileSync(join(root, 'lib', 'core', 'answer.ts'), 'export const answer: number = 42;\n');
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('build', () => {
  it('writes an ES module and a CommonJS build, each with declarations and its package.json type', () => {
    expect(build().status).toBe(0);
    expect(readFileSync(join(root, 'dist/esm/core/index.js'), 'utf8')).toContain("export * from './answer.js';");
    expect(readFileSync(join(root, 'dist/cjs/core/answer.js'), 'utf8')).toContain('exports.answer = 42;');
    expect(readFileSync(join(root, 'dist/esm/core/answer.d.ts'), 'utf8')).toContain('export declare const answer: number;');
    expect(existsSync(join(root, 'dist/cjs/core/answer.d.ts'))).toBe(true);
    expect(JSON.parse(readFileSync(join(root, 'dist/esm/package.json'), 'utf8'))).toEqual({ type: 'module', sideEffects: false });
    expect(JSON.parse(readFileSync(join(root, 'dist/cjs/package.json'), 'utf8'))).toEqual({ type: 'commonjs', sideEffects: false });
    const map = JSON.parse(readFileSync(join(root, 'dist/esm/core/answer.js.map'), 'utf8')) as { sources: string[] };
    expect(map.sources).toEqual(['../../../lib/core/answer.ts']);
  });

  it('exits non-zero on a type error and keeps the previous dist/ as it was', () => {
    writeFileSync(join(root, 'lib', 'core', 'answer.ts'), "export const answer: number = 'forty-two';\n");
    const result = build();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('build failed; dist/ left as it was');
    expect(readFileSync(join(root, 'dist/cjs/core/answer.js'), 'utf8')).toContain('exports.answer = 42;');
    expect(readdirSync(root).filter((entry) => entry.startsWith('dist'))).toEqual(['dist']);
  });
});
