// Faults of the control-plane scripts: each failure exits non-zero with a one-line reason (plus the failing
// component's last log lines) and leaves no process behind. Every case uses its own run folder, so the shared
// plane used by other e2e tests is never touched.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

    // No nodes: kube-scheduler and kwok are neither needed nor started.
    const res = await runPlaneCli(['up'], { ...process.env, RXKUBE_CP_RUN_DIR: runDir, RXKUBE_CP_BIN_DIR: binDir, RXKUBE_CP_NODES: '0' });
    expect(res.code).toBe(1);
    expect(reasonLines(res, 'up')).toEqual([expect.stringMatching(/^cluster:up failed: kube-apiserver exited \(code 3\) during start-up/)]);
    expect(res.stderr).toContain('  | E0000 something broke: cannot start\n  | fatal: giving up');
    expect(processesMatching(runDir)).toEqual([]);
  });

  it('fails cleanly, naming kwok, when the kubelet port is taken, stopping everything it started', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const runDir = join(scratch, 'run');
    try {
      const res = await runPlaneCli(['up', '--nodes', '1'], { ...process.env, RXKUBE_CP_RUN_DIR: runDir, RXKUBE_CP_KWOK_PORT: String(port) });
      expect(res.code).toBe(1);
      expect(reasonLines(res, 'up')).toEqual([expect.stringMatching(/^cluster:up failed: kwok exited \(code \d+\) during start-up; log: /)]);
      expect(res.stderr).toMatch(/\| .*address already in use/);
      expect(processesMatching(runDir)).toEqual([]); // etcd, kube-apiserver, controller-manager and scheduler too
    } finally {
      blocker.close();
    }
  });

  it('fails cleanly when the nodes never become Ready', async () => {
    // A kwok that runs but never plays the kubelet; its command line holds the run folder, as the real one's does.
    const binDir = join(scratch, 'bin');
    const runDir = join(scratch, 'run');
    const real = planePaths().bin;
    mkdirSync(binDir);
    for (const name of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok-assets']) {
      symlinkSync(join(dirname(real.etcd), name), join(binDir, name));
    }
    writeFileSync(join(binDir, 'kwok'), '#!/bin/sh\necho "pretending to be kwok"\nwhile true; do sleep 1; done\n');
    chmodSync(join(binDir, 'kwok'), 0o755);

    const env = { ...process.env, RXKUBE_CP_RUN_DIR: runDir, RXKUBE_CP_BIN_DIR: binDir, RXKUBE_CP_NODES_READY_TIMEOUT_S: '4' };
    const res = await runPlaneCli(['up', '--nodes', '2'], env);
    expect(res.code).toBe(1);
    expect(reasonLines(res, 'up')).toEqual([expect.stringMatching(/^cluster:up failed: kwok: 0 of 2 node\(s\) Ready, kubelet endpoint not answering after 4 s; log: /)]);
    expect(res.stderr).toContain('  | pretending to be kwok');
    expect(processesMatching(runDir)).toEqual([]);
  });

  it('stops a plane whose only lease holder died without releasing it (watchdog)', async () => {
    const runDir = join(scratch, 'run');
    const env = { ...process.env, RXKUBE_CP_RUN_DIR: runDir };
    // A stand-in for a test process that crashes: it holds the lease, then is killed.
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
    try {
      const res = await runPlaneCli(['up', '--nodes', '0', '--lease', String(holder.pid)], env);
      expect(res.code).toBe(0);
      expect(processesMatching(runDir).length).toBe(4); // etcd, kube-apiserver, kube-controller-manager, watchdog
    } finally {
      holder.kill('SIGKILL');
    }
    const started = Date.now();
    while (processesMatching(runDir).length > 0 && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 250));
    expect(processesMatching(runDir)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(30_000);
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
