/**
 * Proves the browser-safe subpaths bundle for the browser: esbuild (`platform: 'browser'`) bundles each
 * one from dist/ through the package's `exports`, and the bundle must build with no Node built-in in
 * its inputs, axios's browser adapter instead of its Node one, and the ES build of rxkube only. The
 * Node-only `rxkube/config` is the control: the same bundling must fail on its Node built-ins.
 */
import { build, type BuildResult, type Message, type Metafile } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, ensureFreshDist } from './support/dist';

jest.setTimeout(120_000);

/** The subpaths docs/architecture.md calls browser-safe. */
const BROWSER_SAFE = ['rxkube', 'rxkube/core', 'rxkube/client', 'rxkube/runtime', 'rxkube/derive'];

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

let app: string;

beforeAll(() => {
  ensureFreshDist();
  // A throw-away app that depends on rxkube the way a user's would: node_modules/rxkube → this repository.
  app = mkdtempSync(join(tmpdir(), 'rxkube-browser-'));
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(REPO, join(app, 'node_modules', 'rxkube'), 'dir');
});

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

type Bundled = { ok: true; metafile: Metafile; bytes: number } | { ok: false; errors: Message[] };

/** Bundles `source` (an ES module in the throw-away app) for the browser, minified, in memory. */
async function bundle(source: string): Promise<Bundled> {
  try {
    const result: BuildResult<{ metafile: true; write: false }> = await build({
      stdin: { contents: source, resolveDir: app, loader: 'js', sourcefile: 'entry.js' },
      absWorkingDir: REPO, // metafile paths relative to the repository: dist/esm/..., node_modules/axios/...
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

/** Inputs that are Node built-ins or Node-only code, and imports esbuild left external. */
function nodeLeaks(metafile: Metafile): string[] {
  const inputs = Object.keys(metafile.inputs).filter(
    (input) => BUILTINS.has(input) || input.startsWith('node:') || /axios\/lib\/adapters\/http\.js$/.test(input),
  );
  const externals = Object.values(metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
  return [...inputs, ...externals];
}

describe('browser bundle', () => {
  it.each(BROWSER_SAFE)('bundles everything %s exports for the browser without Node built-ins', async (subpath) => {
    const result = await bundle(`export * from '${subpath}';`);
    if (!result.ok) throw new Error(`esbuild failed for ${subpath}:\n${result.errors.map((e) => `${e.location?.file ?? ''}: ${e.text}`).join('\n')}`);
    expect(nodeLeaks(result.metafile)).toEqual([]);
    const rxkubeInputs = Object.keys(result.metafile.inputs).filter((input) => !input.includes('node_modules/') && !input.endsWith('/entry.js'));
    expect(rxkubeInputs.length).toBeGreaterThan(0);
    expect(rxkubeInputs.filter((input) => !input.startsWith('dist/esm/'))).toEqual([]);
  });

  it('uses the browser platform of axios in rxkube/client, not its Node http adapter', async () => {
    const result = await bundle(`export * from 'rxkube/client';`);
    if (!result.ok) throw new Error(result.errors.map((e) => e.text).join('\n'));
    const axiosInputs = Object.keys(result.metafile.inputs).filter((input) => input.startsWith('node_modules/axios/'));
    expect(axiosInputs).toContain('node_modules/axios/lib/platform/browser/index.js');
    expect(axiosInputs).toContain('node_modules/axios/lib/adapters/xhr.js');
    expect(axiosInputs.filter((input) => input.includes('/platform/node/') || input.endsWith('/adapters/http.js'))).toEqual([]);
  });

  it('drops the unused layers when one core export is imported through the facade (sideEffects: false)', async () => {
    const one = await bundle(`import { RequestBuilder } from 'rxkube'; console.log(RequestBuilder);`);
    const all = await bundle(`export * from 'rxkube';`);
    if (!one.ok || !all.ok) throw new Error('esbuild failed');
    // metafile.inputs lists every module esbuild read; the output's inputs say which kept any bytes.
    const inputs = Object.values(one.metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs)
        .filter(([, use]) => use.bytesInOutput > 0)
        .map(([input]) => input),
    );
    expect(inputs).toContain('dist/esm/core/request.js');
    expect(inputs.filter((input) => /node_modules\/(axios|rxjs|ajv|js-yaml)\//.test(input))).toEqual([]);
    expect(inputs.filter((input) => /^dist\/esm\/(client|runtime|derive)\//.test(input))).toEqual([]);
    expect(one.bytes).toBeLessThan(all.bytes / 4);
  });

  it('fails for the Node-only rxkube/config, naming the Node built-ins it needs', async () => {
    const result = await bundle(`export * from 'rxkube/config';`);
    expect(result.ok).toBe(false);
    const unresolved = result.ok ? [] : result.errors.map((e) => /Could not resolve "([^"]+)"/.exec(e.text)?.[1]);
    expect(unresolved.length).toBeGreaterThan(0);
    expect(unresolved.filter((name) => name === undefined || !BUILTINS.has(name))).toEqual([]);
  });
});
