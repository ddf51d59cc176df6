/**
 * Tests for scripts/check-layering.mjs: the checker runs as CI does (a child `node` process) on small
 * temporary lib/ trees, and must name file, line and rule for every wrong import and pass clean trees.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..', '..');
const CHECKER = join(REPO, 'scripts', 'check-layering.mjs');

const PACKAGE_JSON = JSON.stringify({
  name: 'rxkube',
  dependencies: { ajv: '*', axios: '*', 'js-yaml': '*', rxjs: '*' },
  devDependencies: { '@kubernetes/client-node': '*' },
});

const roots: string[] = [];

/** Writes `files` (path relative to the tree root → content) into a fresh temporary tree. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'rxkube-layering-'));
  roots.push(root);
  writeFileSync(join(root, 'package.json'), PACKAGE_JSON);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function check(root: string): { status: number | null; stdout: string; violations: string[] } {
  const run = spawnSync(process.execPath, [CHECKER, root], { encoding: 'utf8' });
  const violations = run.stderr.split('\n').filter((line) => /^lib\/.*:\d+: [a-z-]+: /.test(line));
  return { status: run.status, stdout: run.stdout, violations };
}

/** The clean layout every test starts from: each layer importing what it may. */
const CLEAN: Record<string, string> = {
  'lib/core/index.ts': "export * from './request.js';\n",
  'lib/core/request.ts': "import type { ObjectMeta } from './object.js';\nexport type M = ObjectMeta;\n",
  'lib/core/object.ts': 'export interface ObjectMeta {\n  name?: string;\n}\n',
  'lib/client/index.ts': [
    "import axios from 'axios';",
    "import { Observable } from 'rxjs';",
    "import { map } from 'rxjs/operators';",
    "import type { M } from '../core/index.js';",
    'export { axios, Observable, map };',
    'export type { M };',
    '',
  ].join('\n'),
  'lib/client/agent.node.ts': "import { Agent } from 'node:https';\nimport { readFileSync } from 'fs';\nexport { Agent, readFileSync };\n",
  'lib/config/index.ts': [
    "import { readFile } from 'node:fs/promises';",
    "import { homedir } from 'os';",
    "import { load } from 'js-yaml';",
    "import { Agent } from '../client/agent.node.js';",
    "import { axios } from '../client/index.js';",
    'export { readFile, homedir, load, Agent, axios };',
    '',
  ].join('\n'),
  'lib/runtime/index.ts': "import { timer } from 'rxjs';\nimport { axios } from '../client/index.js';\nexport { timer, axios };\n",
  'lib/derive/index.ts': "import Ajv from 'ajv';\nimport type { M } from '../core/index.js';\nexport { Ajv };\nexport type { M };\n",
  'lib/index.ts': [
    "export * from './core/index.js';",
    "export * from './client/index.js';",
    "export * from './runtime/index.js';",
    "export * from './derive/index.js';",
    '',
  ].join('\n'),
};

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('check-layering', () => {
  it('passes a clean tree where every layer imports only what it may', () => {
    const result = check(tree(CLEAN));
    expect(result.violations).toEqual([]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('layering: 9 files under lib/ checked, no violations');
  });

  it('fails naming file, line and rule for core importing rxjs, client importing fs and core importing client', () => {
    const root = tree({
      ...CLEAN,
      'lib/core/request.ts': "// builds requests\nimport { of } from 'rxjs';\nimport { axios } from '../client/index.js';\nexport const x = of(axios);\n",
      'lib/client/index.ts': "import axios from 'axios';\n\nimport { readFileSync } from 'fs';\nexport { axios, readFileSync };\n",
    });
    const result = check(root);
    expect(result.status).toBe(1);
    expect(result.violations).toEqual([
      "lib/client/index.ts:3: node-builtins: lib/client/index.ts imports the Node built-in 'fs'; only lib/config/** and files named *.node.ts may",
      "lib/core/request.ts:2: core-purity: lib/core may import no packages (plus lib/core), not 'rxjs'",
      "lib/core/request.ts:3: core-purity: lib/core may import lib/core only, not '../client/index.js' (lib/client)",
    ]);
  });

  it('rejects a lower layer importing a higher one and runtime importing config', () => {
    const result = check(
      tree({
        ...CLEAN,
        'lib/client/watch.ts': "import { timer } from '../runtime/index.js';\nimport { load } from '../config/index.js';\nexport { timer, load };\n",
        'lib/runtime/config.ts': "import { readFile } from '../config/index.js';\nexport { readFile };\n",
        'lib/derive/api.ts': "import { axios } from '../client/index.js';\nexport { axios };\n",
        'lib/index.ts': "export * from './config/index.js';\n",
      }),
    );
    expect(result.status).toBe(1);
    expect(result.violations).toEqual([
      "lib/client/watch.ts:1: layer-order: lib/client may import lib/core, lib/client only, not '../runtime/index.js' (lib/runtime)",
      "lib/client/watch.ts:2: layer-order: lib/client may import lib/core, lib/client only, not '../config/index.js' (lib/config)",
      "lib/derive/api.ts:1: layer-order: lib/derive may import lib/core, lib/derive only, not '../client/index.js' (lib/client)",
      'lib/index.ts:1: layer-order: lib/index.ts (the rxkube facade) may import lib/core, lib/client, lib/runtime, lib/derive only, ' +
        "not './config/index.js' (lib/config)",
      "lib/runtime/config.ts:1: layer-order: lib/runtime may import lib/core, lib/client, lib/runtime only, not '../config/index.js' (lib/config)",
    ]);
  });

  it('catches Node built-ins in every import form, type-only included, but not in comments or strings', () => {
    const result = check(
      tree({
        ...CLEAN,
        'lib/runtime/leaks.ts': [
          '/// <reference types="node" />',
          "import type { Agent } from 'node:http';",
          "export { createHash } from 'crypto';",
          "import zlib = require('zlib');",
          "export const child = () => import('child_process');",
          "export type Stats = import('node:fs').Stats;",
          "// import { join } from 'path';",
          "export const text = \"import { connect } from 'net'\";",
          'export type { Agent };',
          'export { zlib };',
          '',
        ].join('\n'),
      }),
    );
    expect(result.status).toBe(1);
    expect(result.violations.map((line) => line.split(': ').slice(0, 2).join(': '))).toEqual([
      'lib/runtime/leaks.ts:1: node-builtins',
      'lib/runtime/leaks.ts:2: node-builtins',
      'lib/runtime/leaks.ts:3: node-builtins',
      'lib/runtime/leaks.ts:4: node-builtins',
      'lib/runtime/leaks.ts:5: node-builtins',
      'lib/runtime/leaks.ts:6: node-builtins',
    ]);
  });

  it('keeps core free of Node even in a *.node.ts file, and browser-safe files free of *.node.ts imports', () => {
    const result = check(
      tree({
        ...CLEAN,
        'lib/core/files.node.ts': "import { readFileSync } from 'node:fs';\nexport { readFileSync };\n",
        'lib/client/index.ts': "import { Agent } from './agent.node.js';\nexport { Agent };\n",
      }),
    );
    expect(result.status).toBe(1);
    expect(result.violations).toEqual([
      "lib/client/index.ts:1: node-only-import: lib/client/index.ts is browser-safe but imports the Node-only './agent.node.js'; " +
        'only Node-only layers (lib/config/**, lib/webhook/**, lib/node/**, lib/testing/**) and *.node.ts files may',
      "lib/core/files.node.ts:1: core-purity: lib/core may import only lib/core, not the Node built-in 'node:fs'",
    ]);
  });

  it('rejects packages a layer may not use, devDependencies, self-imports, paths out of lib/ and unmapped folders', () => {
    const result = check(
      tree({
        ...CLEAN,
        'lib/client/yaml.ts': "import { load } from 'js-yaml';\nexport { load };\n",
        'lib/runtime/compat.ts': "import * as k8s from '@kubernetes/client-node';\nexport { k8s };\n",
        'lib/config/rx.ts': "import { of } from 'rxjs';\nimport { x } from 'left-pad';\nexport { of, x };\n",
        'lib/derive/self.ts': "import { M } from 'rxkube/core';\nimport { helper } from '../../spec/helper.js';\nexport { M, helper };\n",
        'lib/widgets/index.ts': 'export {};\n',
      }),
    );
    expect(result.status).toBe(1);
    expect(result.violations).toEqual([
      "lib/client/yaml.ts:1: layer-packages: lib/client may import axios, rxjs (plus lib/core, lib/client), not 'js-yaml'",
      "lib/config/rx.ts:2: layer-packages: lib/config may import js-yaml, rxjs, socks, ws (plus lib/core, lib/client, lib/config), not 'left-pad'",
      "lib/derive/self.ts:1: self-import: lib/derive/self.ts imports 'rxkube/core' by package name; import rxkube's own files by relative path",
      "lib/derive/self.ts:2: outside-lib: lib/derive imports '../../spec/helper.js', which is outside lib/; the package ships lib/ only",
      "lib/runtime/compat.ts:1: layer-packages: lib/runtime may import rxjs (plus lib/core, lib/client, lib/runtime), not '@kubernetes/client-node'",
      'lib/widgets/index.ts:1: unknown-layer: no layer rule covers lib/widgets/index.ts; add its folder to LAYERS in scripts/check-layering.mjs and to docs/architecture.md',
    ]);
  });

  it('rejects an allowed package that package.json does not declare as a dependency', () => {
    const root = tree(CLEAN);
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'rxkube', dependencies: { axios: '*', rxjs: '*' } }));
    const result = check(root);
    expect(result.status).toBe(1);
    expect(result.violations).toEqual([
      "lib/config/index.ts:3: undeclared-package: lib/config/index.ts imports 'js-yaml', which is not in package.json dependencies",
      "lib/derive/index.ts:1: undeclared-package: lib/derive/index.ts imports 'ajv', which is not in package.json dependencies",
    ]);
  });

  it('has the same rule table as docs/architecture.md', () => {
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `import { LAYERS } from ${JSON.stringify(CHECKER)}; console.log(JSON.stringify(LAYERS));`],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    const layers = JSON.parse(run.stdout) as Record<string, { layers: string[]; packages: string[]; node: boolean }>;

    const doc = readFileSync(join(REPO, 'docs', 'architecture.md'), 'utf8');
    const rows = doc.split('\n').filter((line) => /^\| `rxkube[/`]/.test(line));
    const fromDoc: typeof layers = {};
    for (const row of rows) {
      const [, subpath = '', , mayImport = ''] = row.split('|').map((cell) => cell.trim());
      const layer = subpath === '`rxkube` (facade)' ? 'facade' : subpath.replace(/^`rxkube\/([\w/]+)`$/, '$1').replace(/\//g, '-');
      const entries = mayImport.replace(/\([^)]*\)/g, '').split(',').map((entry) => entry.trim()).filter(Boolean);
      const isLayer = (entry: string) => Object.hasOwn(layers, entry) && entry !== 'facade';
      fromDoc[layer] = {
        layers: [...entries.filter(isLayer), ...(layer === 'facade' ? [] : [layer])].sort(),
        packages: entries.filter((entry) => !isLayer(entry) && entry !== 'Node built-ins').sort(),
        node: entries.includes('Node built-ins'),
      };
    }
    const sorted = Object.fromEntries(
      Object.entries(layers).map(([name, rule]) => [name, { layers: [...rule.layers].sort(), packages: [...rule.packages].sort(), node: rule.node }]),
    );
    expect(fromDoc).toEqual(sorted);
  });
});
