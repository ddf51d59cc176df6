/**
 * Proves the published package works from both module systems: packs rxkube with `npm pack`, installs
 * the tarball into a throw-away project and, in child processes, loads every subpath with `require()`
 * and with `import()`, then type-checks a consumer against the installed declarations in CommonJS and
 * in ES module mode (`moduleResolution: nodenext`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO, ensureFreshDist } from './support/dist';

// Packing, installing and type-checking take tens of seconds on a busy machine.
jest.setTimeout(180_000);

/** Every public subpath and one export it must have (a class or function, so `typeof` is 'function'). */
const SUBPATHS: Readonly<Record<string, string>> = {
  rxkube: 'RequestBuilder',
  'rxkube/core': 'RequestBuilder',
  'rxkube/client': 'Client',
  'rxkube/config': 'Kubeconfig',
  'rxkube/runtime': 'watcher',
  'rxkube/derive': 'defineCustomResource',
  'rxkube/admission': 'jsonPatchDiff',
  'rxkube/webhook': 'webhookHandler',
  'rxkube/node': 'copyToPod',
  'rxkube/metrics/prometheus': 'prometheusMetrics',
  'rxkube/testing': 'startTestCluster',
  'rxkube/testing/jest-global-setup': 'controlPlaneCli',
  'rxkube/testing/jest-global-teardown': 'default',
};

interface PackedFile {
  path: string;
}

interface ExportConditions {
  import: { types: string; default: string };
  require: { types: string; default: string };
}

/** What a child process reports for each subpath: its export names and the `typeof` of the known export. */
type Loaded = Record<string, { names: string[]; known: string }>;

let work: string;
let consumer: string;
let installed: string;
let packed: PackedFile[];

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, npm_config_update_notifier: 'false' } });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`, { cause: error });
  }
}

/** Runs `script` with node in the consumer project and parses the JSON it prints. */
function node<T>(args: string[], script: string): T {
  const child = spawnSync(process.execPath, [...args, '-e', script], { cwd: consumer, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`node exited with ${child.status}:\n${child.stderr}`);
  return JSON.parse(child.stdout) as T;
}

const describeLoad = (load: string) => `
  const out = {};
  for (const [path, known] of Object.entries(${JSON.stringify(SUBPATHS)})) {
    const m = ${load};
    out[path] = { names: Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').sort(), known: typeof m[known] };
  }
  console.log(JSON.stringify(out));`;

beforeAll(() => {
  ensureFreshDist();
  work = mkdtempSync(join(tmpdir(), 'rxkube-pack-'));
  const [result] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], REPO)) as [{ filename: string; files: PackedFile[] }];
  packed = result.files;
  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'rxkube-consumer', version: '1.0.0', private: true }));
  // prom-client: the optional peer dependency of rxkube/metrics/prometheus.
  run('npm', ['install', join(work, result.filename), 'prom-client@^15', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--no-package-lock'], consumer);
  installed = join(consumer, 'node_modules', 'rxkube');
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('tests exactly the subpaths package.json exports', () => {
    const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const exported = Object.keys(manifest.exports)
      .filter((key) => key !== './package.json')
      .map((key) => (key === '.' ? 'rxkube' : `rxkube/${key.slice(2)}`));
    expect(exported.sort()).toEqual(Object.keys(SUBPATHS).sort());
  });

  it('ships the build, the sources its maps point to, the bin scripts, README, CHANGELOG and LICENSE, nothing else', () => {
    const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
    const bins = Object.values(manifest.bin ?? {}).map((path) => path.replace(/^\.\//, ''));
    const paths = packed.map((file) => file.path);
    expect(paths.filter((path) => !/^(dist\/(esm|cjs)\/|lib\/|scripts\/control-plane\/)/.test(path)).sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', ...bins, 'package.json'].sort());
    // The local control plane that rxkube/testing runs: its scripts and the Go modules that pin what it builds.
    expect(paths.filter((path) => path.startsWith('scripts/control-plane/')).sort()).toEqual(
      expect.arrayContaining(['scripts/control-plane/cli.mjs', 'scripts/control-plane/plane.mjs', 'scripts/control-plane/watchdog.mjs',
        ...['kube', 'etcd', 'kwok'].flatMap((m) => ['go.mod', 'go.sum', 'tools.go'].map((f) => `scripts/control-plane/gomod/${m}/${f}`))]),
    );
    expect(paths.filter((path) => path.startsWith('lib/') && !path.endsWith('.ts'))).toEqual([]);
    expect(paths).toContain('dist/esm/core/index.js');
    expect(paths).toContain('dist/cjs/core/index.js');
  });

  it('declares sideEffects false, node >= 20 and both formats with types for every subpath', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      sideEffects: unknown;
      engines: { node: string };
      exports: Record<string, ExportConditions | string>;
    };
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.engines.node).toBe('>=20');
    for (const [key, target] of Object.entries(manifest.exports)) {
      if (key === './package.json') continue;
      const { import: esm, require: cjs } = target as ExportConditions;
      // `types` must come first in each condition block for TypeScript to pick it.
      expect([Object.keys(esm)[0], Object.keys(cjs)[0]]).toEqual(['types', 'types']);
      for (const file of [esm.types, esm.default, cjs.types, cjs.default]) {
        expect(existsSync(join(installed, file)) ? file : `missing ${file}`).toBe(file);
      }
      expect(esm.default).toMatch(/^\.\/dist\/esm\//);
      expect(cjs.default).toMatch(/^\.\/dist\/cjs\//);
    }
    expect(JSON.parse(readFileSync(join(installed, 'dist/esm/package.json'), 'utf8'))).toEqual({ type: 'module', sideEffects: false });
    expect(JSON.parse(readFileSync(join(installed, 'dist/cjs/package.json'), 'utf8'))).toEqual({ type: 'commonjs', sideEffects: false });
  });

  it('tells the npm page where the project lives, and ships the license it declares', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      license: string;
      repository: { type: string; url: string };
      homepage: string;
      bugs: { url: string };
      keywords: string[];
    };
    expect(manifest.repository).toEqual({ type: 'git', url: expect.stringMatching(/^git\+https:\/\/.+\.git$/) as string });
    const web = manifest.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
    expect(manifest.homepage.startsWith(web)).toBe(true);
    expect(manifest.bugs.url).toBe(`${web}/issues`);
    expect(manifest.keywords).toEqual(expect.arrayContaining(['kubernetes', 'rxjs', 'controller']));
    expect(manifest.license).toBe('Apache-2.0');
    const license = readFileSync(join(installed, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    // The CHANGELOG has a section for the version being packed.
    const { version } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string };
    const headings = readFileSync(join(installed, 'CHANGELOG.md'), 'utf8').split('\n').filter((line) => line.startsWith('## '));
    expect(headings.some((line) => line.split(/\s+/)[1] === version)).toBe(true);
  });

  it('resolves every source map entry to a file inside the package', () => {
    const maps = packed.map((file) => file.path).filter((path) => path.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const broken: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(installed, map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const target = resolve(dirname(join(installed, map)), source);
        if (relative(installed, target).startsWith('..') || !existsSync(target)) broken.push(`${map} -> ${source}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('loads every subpath with require()', () => {
    const loaded = node<Loaded>([], describeLoad('require(path)'));
    for (const [path, known] of Object.entries(SUBPATHS)) {
      expect([path, known, loaded[path]?.known]).toEqual([path, known, 'function']);
    }
  });

  it('loads every subpath with import(), with the same exports as require()', () => {
    const imported = node<Loaded>(['--input-type=module'], describeLoad('await import(path)'));
    const required = node<Loaded>([], describeLoad('require(path)'));
    for (const [path, known] of Object.entries(SUBPATHS)) {
      expect([path, known, imported[path]?.known]).toEqual([path, known, 'function']);
      expect(imported[path]?.names).toEqual(required[path]?.names);
    }
  });

  it('loads the ES build for import() and the CommonJS build for require()', () => {
    const resolved = node<{ esm: string; cjs: string }>(
      ['--input-type=module'],
      `import { createRequire } from 'node:module';
       const require = createRequire(process.cwd() + '/');
       console.log(JSON.stringify({ esm: import.meta.resolve('rxkube/core'), cjs: require.resolve('rxkube/core') }));`,
    );
    expect(resolved.esm).toMatch(/\/node_modules\/rxkube\/dist\/esm\/core\/index\.js$/);
    expect(resolved.cjs).toMatch(/\/node_modules\/rxkube\/dist\/cjs\/core\/index\.js$/);
  });

  it('re-exports the layers from the facade as the same bindings, without the Node-only config', () => {
    const check = (load: (path: string) => string) => `
      const facade = ${load('rxkube')};
      const layers = [${['core', 'client', 'runtime', 'derive'].map((l) => load(`rxkube/${l}`)).join(', ')}];
      const config = ${load('rxkube/config')};
      const mismatched = layers.flatMap((m) => Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule' && facade[k] !== m[k]));
      const leaked = Object.keys(config).filter((k) => k !== 'default' && k !== '__esModule' && k in facade && !layers.some((m) => m[k] === config[k]));
      console.log(JSON.stringify({ mismatched, leaked }));`;
    expect(node([], check((p) => `require('${p}')`))).toEqual({ mismatched: [], leaked: [] });
    expect(node(['--input-type=module'], check((p) => `(await import('${p}'))`))).toEqual({ mismatched: [], leaked: [] });
  });

  it('installs a working command for every bin entry', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
    for (const name of Object.keys(manifest.bin ?? {})) {
      const child = spawnSync(join(consumer, 'node_modules', '.bin', name), ['--help'], { cwd: consumer, encoding: 'utf8' });
      expect([name, child.status, child.stderr]).toEqual([name, 0, '']);
      expect(child.stdout).toMatch(new RegExp(`^usage: ${name} `));
    }
  });

  it('type-checks a consumer in CommonJS and in ES module mode with moduleResolution nodenext', () => {
    const imports = Object.entries(SUBPATHS)
      .map(([path, known], i) => `import { ${known} as k${i} } from '${path}';`)
      .join('\n');
    const uses = Object.keys(SUBPATHS)
      .map((_, i) => `k${i}`)
      .join(', ');
    const body = [
      imports,
      `export const all: readonly unknown[] = [${uses}];`,
      `// @ts-expect-error the facade leaves out the Node-only config`,
      `import { ${SUBPATHS['rxkube/config']} as notInFacade } from 'rxkube';`,
      `export { notInFacade };`,
      `// @ts-expect-error a name no subpath exports: proves the declarations are read, not 'any'`,
      `import { NoSuchExport } from 'rxkube/core';`,
      `export { NoSuchExport };`,
      '',
    ].join('\n');
    writeFileSync(join(consumer, 'check.cts'), body);
    writeFileSync(join(consumer, 'check.mts'), body);
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(REPO, 'node_modules', '@types')],
        },
        files: ['check.cts', 'check.mts'],
      }),
    );
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const listed = run(process.execPath, [tsc, '-p', 'tsconfig.json', '--listFiles'], consumer).split('\n');
    expect(listed).toContainEqual(expect.stringMatching(/node_modules\/rxkube\/dist\/cjs\/core\/index\.d\.ts$/));
    expect(listed).toContainEqual(expect.stringMatching(/node_modules\/rxkube\/dist\/esm\/core\/index\.d\.ts$/));
  });
});
