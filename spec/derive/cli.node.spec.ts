import { load, loadAll } from 'js-yaml';
import { join } from 'node:path';
import { defineCustomResource, mergeCrdVersions } from '../../lib/derive/index.js';
import { type CliIo, runCli } from '../../lib/derive/cli.node.js';
import { Widget, WidgetV1alpha1 } from './fixtures/widget.js';

/** Captures what the command writes; modules are loaded by Jest's require (the CLI's own `import()` runs in e2e). */
function io(modules: Record<string, unknown> = {}): CliIo & { out: string; err: string; loaded: string[] } {
  const state = {
    out: '',
    err: '',
    loaded: [] as string[],
    stdout: (text: string) => void (state.out += text),
    stderr: (text: string) => void (state.err += text),
    cwd: __dirname,
    importModule: async (path: string) => {
      state.loaded.push(path);
      if (path in modules) return modules[path];
      return jest.requireActual<object>(path);
    },
  };
  return state;
}

describe('runCli', () => {
  it('prints the merged CRD of every definition a module exports', async () => {
    const run = io();
    expect(await runCli(['crd', './fixtures/widget.ts'], run)).toBe(0);
    expect(run.loaded).toEqual([join(__dirname, 'fixtures', 'widget.ts')]);
    expect(run.err).toBe('');
    expect(load(run.out)).toEqual(mergeCrdVersions(Widget, WidgetV1alpha1));
  });

  it('separates several CRDs with ---', async () => {
    const Gadget = defineCustomResource({
      group: 'derive.rxkube.test',
      version: 'v1',
      kind: 'Gadget',
      scope: 'Cluster',
      spec: { type: 'object' },
    });
    const run = io({ '/m/gadget.mjs': { Gadget } });
    expect(await runCli(['crd', './fixtures/widget.ts', '/m/gadget.mjs'], run)).toBe(0);
    expect(run.out).toContain('\n---\n');
    expect(loadAll(run.out)).toEqual([mergeCrdVersions(Widget, WidgetV1alpha1), Gadget.crd()]);
  });

  it('fails, naming the module, when it exports no definition', async () => {
    const run = io({ '/m/empty.js': { x: 1 } });
    expect(await runCli(['crd', '/m/empty.js'], run)).toBe(1);
    expect(run.err).toBe('rxkube: /m/empty.js exports no custom resource (made with defineCustomResource)\n');
    expect(run.out).toBe('');
  });

  it('fails, naming the module, when it cannot be loaded', async () => {
    const run = io();
    expect(await runCli(['crd', './fixtures/missing.js'], run)).toBe(1);
    expect(run.err).toMatch(/^rxkube: cannot load \.\/fixtures\/missing\.js: /);
  });

  it('reports versions that cannot be merged', async () => {
    const other = defineCustomResource({
      group: 'derive.rxkube.test',
      version: 'v2',
      kind: 'Widget',
      scope: 'Namespaced',
      spec: { type: 'object' },
    });
    const run = io({ '/m/v2.js': { other } });
    expect(await runCli(['crd', './fixtures/widget.ts', '/m/v2.js'], run)).toBe(1);
    expect(run.err).toContain('CRD widgets.derive.rxkube.test');
  });

  it('prints usage for help and for a wrong command line', async () => {
    const help = io();
    expect(await runCli(['--help'], help)).toBe(0);
    expect(help.out).toMatch(/^usage: rxkube crd <module>/);
    const none = io();
    expect(await runCli(['crd'], none)).toBe(2);
    expect(none.err).toMatch(/^usage: /);
    const wrong = io();
    expect(await runCli(['apply', 'x'], wrong)).toBe(2);
    expect(wrong.err).toMatch(/^rxkube: unknown command apply\n/);
  });
});
