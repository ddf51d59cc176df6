// A user gets the same rxkube/testing: packs rxkube with `npm pack`, installs the tarball (with its dependencies and
// its rxjs peer) in a fresh temporary project, copies the ConfigMapGenerator sample and its test
// (samples/testing/configmapgen.e2e.ts) there, and runs Jest in that project with
// `globalSetup: 'rxkube/testing/jest-global-setup'`. The installed package finds its own control-plane scripts,
// checks the (cached) binaries and reuses the plane this Jest run started, taking and releasing its own lease.
// Jest and ts-jest are this repository's (same versions a user would install; installing them again costs ~40 s),
// named by absolute path in the project's jest.config.js; everything rxkube is resolved from the project.
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, ensureFreshDist } from '../../package/support/dist';

const runDir = process.env.RXKUBE_TEST_PLANE_RUN_DIR;
const itLocal = runDir ? it : it.skip;

describe('rxkube/testing from a packed install', () => {
  let work: string | undefined;
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  itLocal('runs the ConfigMapGenerator sample test in a fresh project', async () => {
    ensureFreshDist();
    work = mkdtempSync(join(tmpdir(), 'rxkube-packed-testing-'));
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as [{ filename: string }];
    const app = join(work, 'app');
    mkdirSync(join(app, 'samples', 'testing'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'cmg-app', version: '1.0.0', private: true }));
    execFileSync('npm', ['install', join(work, packed!.filename), '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock'], {
      cwd: app,
      stdio: 'pipe',
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    for (const file of ['configmapgenerator.ts', 'configmapgen-controller.ts', 'crd-define.ts', join('testing', 'configmapgen.e2e.ts')]) {
      copyFileSync(join(REPO, 'samples', file), join(app, 'samples', file));
    }
    writeFileSync(
      join(app, 'jest.config.js'),
      `module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/samples/**/*.e2e.ts'],
  transform: { '^.+\\\\.ts$': [${JSON.stringify(join(REPO, 'node_modules', 'ts-jest'))}, { diagnostics: false, tsconfig: { module: 'commonjs', target: 'ES2022', esModuleInterop: true, isolatedModules: true } }] },
  globalSetup: 'rxkube/testing/jest-global-setup',
  globalTeardown: 'rxkube/testing/jest-global-teardown',
};
`,
    );
    // As a user's shell would have it: nothing of this Jest run's hand-over, only the plane's run folder.
    const env: NodeJS.ProcessEnv = { ...process.env, RXKUBE_CP_RUN_DIR: runDir };
    for (const name of Object.keys(env)) if (name.startsWith('RXKUBE_TEST_') || name === 'RXKUBE_PACKAGE_DIR') delete env[name];
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(process.execPath, [join(REPO, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--config', join(app, 'jest.config.js')], { cwd: app, env, encoding: 'utf8', timeout: 300_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number(err.code ?? 1) : 0, output: `${stdout}${stderr}` }),
      );
    });
    expect(result.output).toContain('control plane binaries up to date'); // the installed package's own build check
    expect(result.output).toContain('reusing the running control plane');
    expect(result.output).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(readFileSync(join(app, 'node_modules', 'rxkube', 'package.json'), 'utf8')).toContain('"./testing/jest-global-setup"');
    expect(result.code).toBe(0);
  }, 600_000);
});
