// Drift check of lib/core/builtins.ts: regenerate it from the real API server's discovery into a temporary
// file with the committed generator and compare byte for byte. A new Kubernetes release, a changed
// kubernetes-types or an edited builtins.ts makes this fail; fix it by running
//   npm run gen:builtins
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('regenerating lib/core/builtins.ts from discovery gives the committed file', async () => {
    const out = join(dir, 'builtins.ts');
    await run(process.execPath, [join(ROOT, 'scripts/gen-builtins.mjs'), `--kubeconfig=${kubeconfigPath()}`, `--kubectl=${kubectlPath()}`, `--out=${out}`], {
      cwd: ROOT,
    });
    const generated = readFileSync(out, 'utf8');
    const committed = readFileSync(join(ROOT, 'lib/core/builtins.ts'), 'utf8');
    // Compare line by line first so a failure names the first differing line, not a 1400-line blob.
    const g = generated.split('\n');
    const c = committed.split('\n');
    const first = g.findIndex((line, i) => line !== c[i]);
    expect({ firstDifferentLine: first < 0 && g.length === c.length ? -1 : first + 1, generated: g[first], committed: c[first] }).toEqual({
      firstDifferentLine: -1,
      generated: undefined,
      committed: undefined,
    });
    expect(generated).toBe(committed);
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
