// runPlaneCommand() against scripted stand-ins for scripts/control-plane/cli.mjs (RXKUBE_PACKAGE_DIR): progress
// lines reach the log as they come, and a failure becomes a TestClusterError with the one-line reason as message,
// the log tail as details, and `missingTool` when Go or openssl is missing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPlaneCommand } from '../../lib/testing/plane-command.js';
import { isTestClusterError, TestClusterError } from '../../lib/testing/test-cluster-error.js';

let pkg: string;
const env = () => ({ ...process.env, RXKUBE_PACKAGE_DIR: pkg });
function cli(script: string): void {
  writeFileSync(join(pkg, 'scripts', 'control-plane', 'cli.mjs'), script);
}

beforeEach(() => {
  pkg = mkdtempSync(join(tmpdir(), 'rxkube-cli-'));
  mkdirSync(join(pkg, 'scripts', 'control-plane'), { recursive: true });
});
afterEach(() => rmSync(pkg, { recursive: true, force: true }));

describe('runPlaneCommand', () => {
  it('passes progress lines to the log and resolves with stdout', async () => {
    cli(`process.stderr.write('[control-plane] step 1\\n[control-plane] step 2\\n'); process.stdout.write(JSON.stringify(process.argv.slice(2)) + '\\n');`);
    const lines: string[] = [];
    const { stdout } = await runPlaneCommand(['up', '--json'], { env: env(), log: (l) => lines.push(l) });
    expect(JSON.parse(stdout)).toEqual(['up', '--json']);
    expect(lines).toEqual(['[control-plane] step 1', '[control-plane] step 2']);
  });

  it('turns a failure into one line naming the component, with its log tail as details', async () => {
    cli(`process.stderr.write('[control-plane] starting kwok\\ncluster:up failed: kwok exited (code 1) during start-up; log: /x/kwok.log\\n  | E1 listen tcp 127.0.0.1:5: bind: address already in use\\n  | exit\\n'); process.exitCode = 1;`);
    const err = await runPlaneCommand(['up'], { env: env(), reason: 'startFailed' }).catch((e: unknown) => e);
    expect(isTestClusterError(err)).toBe(true);
    const e = err as TestClusterError;
    expect(e.reason).toBe('startFailed');
    expect(e.message).toBe('kwok exited (code 1) during start-up; log: /x/kwok.log');
    expect(e.details).toBe('E1 listen tcp 127.0.0.1:5: bind: address already in use\nexit');
  });

  it('says missingTool when Go or openssl is missing', async () => {
    cli(`process.stderr.write('cluster:build failed: Go is not installed or not on PATH (spawnSync go ENOENT); the control plane is built with Go >= 1.26\\n'); process.exitCode = 1;`);
    const err = (await runPlaneCommand(['build'], { env: env(), reason: 'buildFailed' }).catch((e: unknown) => e)) as TestClusterError;
    expect([err.reason, err.message]).toEqual(['missingTool', 'Go is not installed or not on PATH (spawnSync go ENOENT); the control plane is built with Go >= 1.26']);
  });

  it('names the missing command line when the package folder has none', async () => {
    const err = (await runPlaneCommand(['up'], { env: { ...process.env, RXKUBE_PACKAGE_DIR: join(pkg, 'nowhere') } }).catch((e: unknown) => e)) as TestClusterError;
    expect(err.reason).toBe('missingTool');
    expect(err.message).toBe(`the rxkube package in ${join(pkg, 'nowhere')} has no scripts/control-plane/cli.mjs`);
  });
});
