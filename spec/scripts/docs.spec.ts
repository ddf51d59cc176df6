/**
 * scripts/docs.mjs (`npm run docs`) on a small fixture package: one TypeDoc module per exported subpath, named as
 * users import it, and any warning (here a broken {@link}) fails the run with a non-zero exit code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(180_000);

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'docs.mjs');
let root: string;

function write(path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

function entry(dir: string) {
  return { import: { types: `./dist/esm/${dir}index.d.ts`, default: `./dist/esm/${dir}index.js` } };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rxkube-docs-'));
  write('package.json', JSON.stringify({ name: 'fixture', version: '1.0.0', exports: { '.': entry(''), './sub/part': entry('sub-part/'), './package.json': './package.json' } }));
  write('tsconfig.build.json', JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [] }, include: ['lib'] }));
  write('README.md', '# fixture\n\nA package.\n');
  write('lib/index.ts', "/**\n * The facade.\n *\n * @module\n */\nexport * from './sub-part/index.js';\n");
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function docs() {
  return spawnSync(process.execPath, [SCRIPT, '--root', root, '--out', join(root, 'out')], { encoding: 'utf8', timeout: 170_000 });
}

describe('npm run docs (scripts/docs.mjs)', () => {
  it('fails on a warning: a {@link} to nothing', () => {
    write('lib/sub-part/index.ts', '/**\n * A part.\n *\n * @module\n */\n\n/** Twice {@link Nowhere}. */\nexport function twice(n: number): number {\n  return 2 * n;\n}\n');
    const res = docs();
    expect(res.status).toBe(1);
    expect(`${res.stdout}${res.stderr}`).toMatch(/Nowhere/);
    expect(res.stderr).toMatch(/warnings are errors here/);
  });

  it('documents each exported subpath as a module named after it', () => {
    write('lib/sub-part/index.ts', '/**\n * A part.\n *\n * @module\n */\n\n/** Twice `n`. */\nexport function twice(n: number): number {\n  return 2 * n;\n}\n');
    const res = docs();
    expect(res.stderr).toMatch(/docs: 2 subpaths documented/);
    expect(res.status).toBe(0);
    expect(existsSync(join(root, 'out', 'modules', 'fixture.html'))).toBe(true);
    expect(existsSync(join(root, 'out', 'modules', 'fixture_sub_part.html'))).toBe(true);
  });
});
