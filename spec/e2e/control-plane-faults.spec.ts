// Faults of the control-plane scripts: each failure exits non-zero with a one-line reason (plus the failing
// component's last log lines) and leaves no process behind. Every case uses its own run folder, so the shared
// plane used by other e2e tests is never touched.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planePaths, runPlaneCli, type PlaneCliResult } from './support/plane-cli.js';
import { processesMatching } from './support/processes.js';

/** The lines of stderr that state a failure, i.e. the reason lines (details are indented with '  | '). */
function reasonLines(res: PlaneCliResult, command: string): string[] {
  return res.stderr.split('\n').filter((l) => l.startsWith(`cluster:${command} failed:`));
}

describe('control-plane scripts', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'rxkube-cp-fault-'));
  });
  afterEach(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('fails cleanly when the API server port is taken, stopping the etcd it started', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const runDir = join(scratch, 'run');
    try {
      const res = await runPlaneCli(['up'], { ...process.env, RXKUBE_CP_RUN_DIR: runDir, RXKUBE_CP_APISERVER_PORT: String(port) });
      expect(res.code).toBe(1);
      expect(res.stdout).toBe('');
      const reasons = reasonLines(res, 'up');
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toMatch(/^cluster:up failed: kube-apiserver exited \(code \d+\) during start-up; log: /);
      // The last log lines of kube-apiserver follow, and they say why.
      expect(res.stderr).toMatch(/\| .*address already in use/);
      expect(res.stderr).toContain('starting etcd'); // etcd was running when kube-apiserver failed ...
      expect(processesMatching(runDir)).toEqual([]); // ... and was stopped again
    } finally {
      blocker.close();
    }
  });

  it('fails cleanly when a component exits during start-up', async () => {
    // A fake kube-apiserver that complains and exits, next to the real etcd.
    const binDir = join(scratch, 'bin');
    const runDir = join(scratch, 'run');
    const real = planePaths().bin;
    mkdirSync(binDir);
    symlinkSync(real.etcd, join(binDir, 'etcd'));
    symlinkSync(real.kubeControllerManager, join(binDir, 'kube-controller-manager'));
    writeFileSync(join(binDir, 'kube-apiserver'), '#!/bin/sh\necho "E0000 something broke: cannot start"\necho "fatal: giving up"\nexit 3\n');
    chmodSync(join(binDir, 'kube-apiserver'), 0o755);

    const res = await runPlaneCli(['up'], { ...process.env, RXKUBE_CP_RUN_DIR: runDir, RXKUBE_CP_BIN_DIR: binDir });
    expect(res.code).toBe(1);
    expect(reasonLines(res, 'up')).toEqual([expect.stringMatching(/^cluster:up failed: kube-apiserver exited \(code 3\) during start-up/)]);
    expect(res.stderr).toContain('  | E0000 something broke: cannot start\n  | fatal: giving up');
    expect(processesMatching(runDir)).toEqual([]);
  });

  it('fails with a one-line reason when a binary is missing, starting nothing', async () => {
    const runDir = join(scratch, 'run');
    const res = await runPlaneCli(['up'], { ...process.env, RXKUBE_CP_RUN_DIR: runDir, RXKUBE_CP_BIN_DIR: join(scratch, 'empty') });
    expect(res.code).toBe(1);
    expect(reasonLines(res, 'up')).toEqual([
      `cluster:up failed: control-plane binary missing: ${join(scratch, 'empty', 'etcd')}; run npm run cluster:build`,
    ]);
    expect(processesMatching(runDir)).toEqual([]);
  });

  it('fails the build with a one-line reason when Go is missing', async () => {
    // A PATH with nothing on it: `go` cannot be found wherever this machine has it installed.
    const emptyPath = join(scratch, 'empty-path');
    mkdirSync(emptyPath);
    const env = { ...process.env, PATH: emptyPath, RXKUBE_CP_BIN_DIR: join(scratch, 'bin') };
    const res = await runPlaneCli(['build'], env);
    expect(res.code).toBe(1);
    expect(reasonLines(res, 'build')).toEqual([expect.stringMatching(/^cluster:build failed: Go is not installed or not on PATH/)]);
  });
});
