// The `rxkube crd` command as a user runs it: the package built to ES modules and CommonJS, the
// bin script, user modules in .mjs and .cjs loaded by Node's own import(), and the printed YAML
// accepted by the real API server through `kubectl apply -f -`.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadAll } from 'js-yaml';
import { kubectl } from '../support/cluster.js';

const run = promisify(execFile);
const REPO = join(__dirname, '..', '..', '..');
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

/** Compiles lib/derive (and the parts of lib/core it imports) the way scripts/build.mjs lays out dist/. */
async function build(dir: string): Promise<void> {
  const common = ['--ignoreConfig', '--rootDir', join(REPO, 'lib'), '--target', 'es2022', '--lib', 'es2022,dom', '--types', 'node', '--skipLibCheck', '--strict', '--esModuleInterop'];
  await Promise.all([
    run(process.execPath, [TSC, ...common, '--outDir', join(dir, 'dist/esm'), '--module', 'esnext', '--moduleResolution', 'bundler', join(REPO, 'lib/derive/index.ts'), join(REPO, 'lib/derive/cli.node.ts')]),
    run(process.execPath, [TSC, ...common, '--outDir', join(dir, 'dist/cjs'), '--module', 'nodenext', '--moduleResolution', 'nodenext', join(REPO, 'lib/derive/index.ts')]),
  ]);
  writeFileSync(join(dir, 'dist/esm/package.json'), '{"type":"module"}\n');
  writeFileSync(join(dir, 'dist/cjs/package.json'), '{"type":"commonjs"}\n');
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(REPO, 'bin/rxkube.mjs'), join(dir, 'bin/rxkube.mjs'));
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

describe('rxkube crd (e2e)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxkube-derive-cli-'));
    await build(dir);
    // An ES module with two versions of one kind (merged into one CRD) and an unrelated export.
    writeFileSync(
      join(dir, 'widgets.mjs'),
      `import { defineCustomResource } from './dist/esm/derive/index.js';
const common = { group: 'derive.rxkube.test', kind: 'CliWidget', scope: 'Namespaced' };
export const V1 = defineCustomResource({ ...common, version: 'v1', spec: { type: 'object', properties: { size: { type: 'integer' } } } });
export const V1beta1 = defineCustomResource({ ...common, version: 'v1beta1', storage: false, deprecated: true, spec: { type: 'object', properties: { size: { type: 'string' } } } });
export const notADefinition = 42;
`,
    );
    // A CommonJS module using the CommonJS build: a second copy of rxkube in the same process.
    writeFileSync(
      join(dir, 'gadgets.cjs'),
      `const { defineCustomResource } = require('./dist/cjs/derive/index.js');
module.exports = { Gadget: defineCustomResource({ group: 'derive.rxkube.test', version: 'v1', kind: 'CliGadget', scope: 'Cluster', spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }) };
`,
    );
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the CRDs of .mjs and .cjs modules as YAML that the API server accepts', async () => {
    const { stdout } = await run(process.execPath, [join(dir, 'bin/rxkube.mjs'), 'crd', 'widgets.mjs', 'gadgets.cjs'], { cwd: dir });
    const crds = loadAll(stdout) as { metadata: { name: string }; spec: { versions: { name: string }[] } }[];
    expect(crds.map((c) => [c.metadata.name, c.spec.versions.map((v) => v.name)])).toEqual([
      ['cliwidgets.derive.rxkube.test', ['v1', 'v1beta1']],
      ['cligadgets.derive.rxkube.test', ['v1']],
    ]);
    const applied = await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: stdout });
    expect(applied.trim().split('\n')).toEqual([
      expect.stringMatching(/^customresourcedefinition\.apiextensions\.k8s\.io\/cliwidgets\.derive\.rxkube\.test (created|configured|unchanged) \(server dry run\)$/),
      expect.stringMatching(/^customresourcedefinition\.apiextensions\.k8s\.io\/cligadgets\.derive\.rxkube\.test (created|configured|unchanged) \(server dry run\)$/),
    ]);
  });

  it('exits 1 and says why when a module cannot be loaded', async () => {
    const failure = await run(process.execPath, [join(dir, 'bin/rxkube.mjs'), 'crd', 'missing.mjs'], { cwd: dir }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/^rxkube: cannot load missing\.mjs: /);
  });
});
