// Drift check of the generated built-ins: regenerate lib/core/builtins.ts (from discovery) and lib/core/api/**
// (from the OpenAPI v3 documents) from the real API server into a temporary folder with the committed generator and
// compare file by file, byte for byte. A new Kubernetes release, a changed generator or an edited generated file
// makes this fail; fix it by running
//   npm run gen:builtins
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { BUILTIN_RESOURCE_TYPES, Pod } from '../../../lib/core/builtins.js';
import { kubeconfigPath, kubectl, kubectlPath } from '../support/cluster.js';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');

describe('builtins (e2e)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxkube-builtins-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every file under `dir`, relative to it. */
  function files(dir: string, under = dir): string[] {
    return readdirSync(under, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? files(dir, join(under, e.name)) : [relative(dir, join(under, e.name))]))
      .sort();
  }

  /** The first line where two texts differ (-1 if none), so a failure names it instead of printing 6,000 lines. */
  function firstDifference(generated: string, committed: string) {
    const g = generated.split('\n');
    const c = committed.split('\n');
    const first = g.findIndex((line, i) => line !== c[i]);
    if (first < 0 && g.length === c.length) return { firstDifferentLine: -1 };
    const at = first < 0 ? Math.min(g.length, c.length) : first;
    return { firstDifferentLine: at + 1, generated: g[at], committed: c[at] };
  }

  it('regenerating lib/core/builtins.ts and lib/core/api from the server gives the committed files', async () => {
    await run(process.execPath, [join(ROOT, 'scripts/gen-builtins.mjs'), `--kubeconfig=${kubeconfigPath()}`, `--kubectl=${kubectlPath()}`, `--out-dir=${dir}`], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    const committedApi = join(ROOT, 'lib', 'core', 'api');
    expect(files(join(dir, 'api'))).toEqual(files(committedApi));
    expect(files(join(dir, 'api')).length).toBeGreaterThan(20);
    for (const file of ['builtins.ts', ...files(committedApi).map((f) => join('api', f))]) {
      const generated = readFileSync(join(dir, file), 'utf8');
      const committed = readFileSync(join(ROOT, 'lib', 'core', file), 'utf8');
      expect({ file, ...firstDifference(generated, committed) }).toEqual({ file, firstDifferentLine: -1 });
    }
  });

  it('every descriptor is served by the server at its plural, scope and kind', async () => {
    // Discovery through kubectl's own client, independent of the generator's parsing.
    const lines = (await kubectl(['api-resources', '--no-headers', '-o', 'wide'])).split('\n').filter(Boolean);
    const served = new Set(
      lines.map((line) => {
        const cols = line.trim().split(/\s+/);
        // NAME [SHORTNAMES] APIVERSION NAMESPACED KIND VERBS [CATEGORIES]
        const nsIndex = cols.findIndex((c) => c === 'true' || c === 'false');
        return `${cols[0]}|${cols[nsIndex - 1]}|${cols[nsIndex]}|${cols[nsIndex + 1]}`;
      }),
    );
    const missing = BUILTIN_RESOURCE_TYPES.filter((r) => !served.has(`${r.plural}|${r.apiVersion}|${r.scope === 'Namespaced'}|${r.kind}`)).map(
      (r) => `${r.plural}.${r.apiVersion}`,
    );
    expect(missing).toEqual([]);
    expect(served.has(`pods|v1|true|${Pod.kind}`)).toBe(true);
  });
});
