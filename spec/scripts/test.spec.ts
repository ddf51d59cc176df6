/**
 * `npm test` (scripts/test.mjs) without Go and without a cluster: one line that says what to do, exit code 1, and
 * Jest never starts; with RXKUBE_TEST_KUBECONFIG, or with only the unit project selected, Jest runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'test.mjs');

let scratch: string;
let noGo: NodeJS.ProcessEnv;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rxkube-test-script-'));
  mkdirSync(join(scratch, 'empty'));
  // No `go` on PATH, no built control plane, no cluster given.
  noGo = { ...process.env, PATH: join(scratch, 'empty'), RXKUBE_CP_BIN_DIR: join(scratch, 'bin') };
  delete noGo.RXKUBE_TEST_KUBECONFIG;
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function npmTest(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
}

describe('npm test (scripts/test.mjs)', () => {
  it('without Go or a cluster prints one line naming Go, RXKUBE_TEST_KUBECONFIG and npm run test:unit, and starts nothing', () => {
    const res = npmTest(['--listTests'], noGo);
    expect(res.status).toBe(1);
    expect(res.stdout).toBe('');
    const lines = res.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^npm test: .*Go is not installed or not on PATH/);
    expect(lines[0]).toContain('https://go.dev/doc/install');
    expect(lines[0]).toContain('RXKUBE_TEST_KUBECONFIG');
    expect(lines[0]).toContain('npm run test:unit');
  });

  it('runs Jest when RXKUBE_TEST_KUBECONFIG names a cluster', () => {
    const res = npmTest(['--listTests'], { ...noGo, PATH: process.env.PATH, RXKUBE_TEST_KUBECONFIG: join(scratch, 'kubeconfig') });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(join('spec', 'e2e', 'core', 'builtins.spec.ts'));
  });

  it('runs Jest without Go when only the unit project is selected', () => {
    const res = npmTest(['--selectProjects', 'unit', '--listTests'], { ...noGo, PATH: `${join(scratch, 'empty')}:${process.execPath.replace(/\/[^/]+$/, '')}` });
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(join('spec', 'core', 'request.spec.ts'));
    expect(res.stdout).not.toContain(join('spec', 'e2e'));
  });
});
