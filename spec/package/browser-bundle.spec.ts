/**
 * Proves the browser-safe subpaths bundle for the browser: esbuild (`platform: 'browser'`) bundles each
 * one from dist/ through the package's `exports`, and the bundle must build with no Node built-in in
 * its inputs, axios's browser adapter instead of its Node one, and the ES build of rxkube only. The
 * Node-only `rxkube/config` is the control: the same bundling must fail on its Node built-ins.
 *
 * Nothing here assumes npm's `node_modules` layout: every bundled file is attributed to its package by the
 * nearest `package.json` with a name, and the whole suite runs twice, with rxkube installed as a symlink into
 * an app (npm link) and in pnpm's layout (`node_modules/.pnpm/<name>@<version>/node_modules/<name>`, every
 * package a symlink into that store, rxkube's dependencies its siblings there).
 */
import { build, type BuildResult, type Message, type Metafile } from 'esbuild';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO, ensureFreshDist } from './support/dist';

jest.setTimeout(120_000);

/** The subpaths docs/architecture.md calls browser-safe. */
const BROWSER_SAFE = ['rxkube', 'rxkube/core', 'rxkube/client', 'rxkube/runtime', 'rxkube/derive', 'rxkube/admission'];

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

let work: string;
/** Throw-away apps that depend on rxkube the way a user's would, by layout. */
const apps: Record<'symlink' | 'pnpm', string> = { symlink: '', pnpm: '' };

function version(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** node_modules/.pnpm/<name>@<version>/node_modules/<name>, linked from `app`'s node_modules. */
function pnpmApp(app: string): void {
  const store = join(app, 'node_modules', '.pnpm');
  const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const self = join(store, `rxkube@${version(REPO)}`, 'node_modules', 'rxkube');
  mkdirSync(self, { recursive: true });
  // A copy, not a link: resolving rxkube's imports from its real path must find the store, not this repository.
  cpSync(join(REPO, 'package.json'), join(self, 'package.json'));
  cpSync(join(REPO, 'dist'), join(self, 'dist'), { recursive: true });
  symlinkSync(relative(join(app, 'node_modules'), self), join(app, 'node_modules', 'rxkube'), 'dir');
  for (const name of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
    const source = join(REPO, 'node_modules', name);
    if (!existsSync(source)) continue; // an optional peer that is not installed
    const entry = join(store, `${name.replace('/', '+')}@${version(source)}`, 'node_modules', name);
    mkdirSync(dirname(entry), { recursive: true });
    symlinkSync(source, entry, 'dir');
    const sibling = join(dirname(self), name);
    mkdirSync(dirname(sibling), { recursive: true });
    symlinkSync(relative(dirname(sibling), entry), sibling, 'dir');
  }
}

beforeAll(() => {
  ensureFreshDist();
  work = mkdtempSync(join(tmpdir(), 'rxkube-browser-'));
  apps.symlink = join(work, 'symlink-app');
  mkdirSync(join(apps.symlink, 'node_modules'), { recursive: true });
  symlinkSync(REPO, join(apps.symlink, 'node_modules', 'rxkube'), 'dir');
  apps.pnpm = join(work, 'pnpm-app');
  mkdirSync(join(apps.pnpm, 'node_modules'), { recursive: true });
  pnpmApp(apps.pnpm);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A bundled file: the package it belongs to (nearest package.json with a name) and its path inside it. */
interface Input {
  pkg: string;
  file: string;
}

const owners = new Map<string, string | undefined>();

/** The root folder of the package holding `dir` (memoised). */
function packageRoot(dir: string): string | undefined {
  if (owners.has(dir)) return owners.get(dir);
  let root: string | undefined;
  const manifest = join(dir, 'package.json');
  if (existsSync(manifest) && typeof (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'string') root = dir;
  else if (dirname(dir) !== dir) root = packageRoot(dirname(dir));
  owners.set(dir, root);
  return root;
}

/** Attributes a metafile input (relative to the app) to its package; Node built-ins and stdin have none. */
function inputOf(app: string, input: string): Input {
  if (BUILTINS.has(input) || input.startsWith('node:') || input === '<stdin>' || input.endsWith('entry.js')) return { pkg: '', file: input };
  const path = resolve(app, input);
  const root = packageRoot(dirname(path));
  if (root === undefined) return { pkg: '', file: input };
  const { name } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string };
  return { pkg: name, file: relative(root, path).split('\\').join('/') };
}

type Bundled = { ok: true; metafile: Metafile; bytes: number } | { ok: false; errors: Message[] };

/** Bundles `source` (an ES module in `app`) for the browser, minified, in memory. */
async function bundle(app: string, source: string): Promise<Bundled> {
  try {
    const result: BuildResult<{ metafile: true; write: false }> = await build({
      stdin: { contents: source, resolveDir: app, loader: 'js', sourcefile: 'entry.js' },
      absWorkingDir: app,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    return { ok: true, metafile: result.metafile, bytes: result.outputFiles.reduce((n, f) => n + f.contents.length, 0) };
  } catch (error) {
    return { ok: false, errors: (error as { errors?: Message[] }).errors ?? [{ text: String(error) } as Message] };
  }
}

const show = (i: Input) => (i.pkg ? `${i.pkg}:${i.file}` : i.file);

/** Inputs that are Node built-ins or Node-only code, and imports esbuild left external. */
function nodeLeaks(inputs: readonly Input[], metafile: Metafile): string[] {
  const leaks = inputs.filter((i) => BUILTINS.has(i.file) || i.file.startsWith('node:') || (i.pkg === 'axios' && i.file === 'lib/adapters/http.js'));
  const externals = Object.values(metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
  return [...leaks.map(show), ...externals];
}

function failed(result: Bundled & { ok: false }, what: string): Error {
  return new Error(`esbuild failed for ${what}:\n${result.errors.map((e) => `${e.location?.file ?? ''}: ${e.text}`).join('\n')}`);
}

describe.each(['symlink', 'pnpm'] as const)('browser bundle (rxkube installed in the %s layout)', (layout) => {
  /** Every module esbuild read, by package. */
  const read = (metafile: Metafile) => Object.keys(metafile.inputs).map((input) => inputOf(apps[layout], input));

  it.each(BROWSER_SAFE)('bundles everything %s exports for the browser without Node built-ins', async (subpath) => {
    const result = await bundle(apps[layout], `export * from '${subpath}';`);
    if (!result.ok) throw failed(result, subpath);
    const inputs = read(result.metafile);
    expect(nodeLeaks(inputs, result.metafile)).toEqual([]);
    const own = inputs.filter((i) => i.pkg === 'rxkube');
    expect(own.length).toBeGreaterThan(0);
    expect(own.filter((i) => !i.file.startsWith('dist/esm/')).map(show)).toEqual([]);
    expect(inputs.filter((i) => i.pkg === '' && i.file !== '<stdin>' && !i.file.endsWith('entry.js')).map(show)).toEqual([]);
  });

  it('uses the browser platform of axios in rxkube/client, not its Node http adapter', async () => {
    const result = await bundle(apps[layout], `export * from 'rxkube/client';`);
    if (!result.ok) throw failed(result, 'rxkube/client');
    const axios = read(result.metafile)
      .filter((i) => i.pkg === 'axios')
      .map((i) => i.file);
    expect(axios).toContain('lib/platform/browser/index.js');
    expect(axios).toContain('lib/adapters/xhr.js');
    expect(axios.filter((file) => file.includes('/platform/node/') || file.endsWith('/adapters/http.js'))).toEqual([]);
  });

  it('drops the unused layers when one core export is imported through the facade (sideEffects: false)', async () => {
    const one = await bundle(apps[layout], `import { RequestBuilder } from 'rxkube'; console.log(RequestBuilder);`);
    const all = await bundle(apps[layout], `export * from 'rxkube';`);
    if (!one.ok) throw failed(one, 'RequestBuilder');
    if (!all.ok) throw failed(all, 'rxkube');
    // metafile.inputs lists every module esbuild read; the output's inputs say which kept any bytes.
    const kept = Object.values(one.metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs)
        .filter(([, use]) => use.bytesInOutput > 0)
        .map(([input]) => inputOf(apps[layout], input)),
    );
    expect(kept.map(show)).toContain('rxkube:dist/esm/core/request.js');
    expect(kept.filter((i) => ['axios', 'rxjs', 'ajv', 'js-yaml'].includes(i.pkg)).map(show)).toEqual([]);
    expect(kept.filter((i) => i.pkg === 'rxkube' && /^dist\/esm\/(client|runtime|derive)\//.test(i.file)).map(show)).toEqual([]);
    expect(one.bytes).toBeLessThan(all.bytes / 4);
  });

  it('fails for the Node-only rxkube/config, naming the Node built-ins it needs', async () => {
    const result = await bundle(apps[layout], `export * from 'rxkube/config';`);
    expect(result.ok).toBe(false);
    const unresolved = result.ok ? [] : result.errors.map((e) => /Could not resolve "([^"]+)"/.exec(e.text)?.[1]);
    expect(unresolved.length).toBeGreaterThan(0);
    expect(unresolved.filter((name) => name === undefined || !BUILTINS.has(name))).toEqual([]);
  });
});

describe('browser bundle layouts', () => {
  it('builds the pnpm layout with rxkube and its dependencies behind symlinks into node_modules/.pnpm', () => {
    const pnpm = join(apps.pnpm, 'node_modules');
    const real = (path: string) => relative(pnpm, realpathSync(path)).split('\\').join('/');
    expect(real(join(pnpm, 'rxkube'))).toMatch(/^\.pnpm\/rxkube@[^/]+\/node_modules\/rxkube$/);
    expect(realpathSync(join(dirname(realpathSync(join(pnpm, 'rxkube'))), 'axios'))).toBe(realpathSync(join(REPO, 'node_modules', 'axios')));
    expect(existsSync(join(pnpm, 'axios'))).toBe(false); // not hoisted: only rxkube's siblings see it
  });
});
