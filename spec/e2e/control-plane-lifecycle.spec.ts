// Life cycle of the control-plane scripts on a private run folder (so the shared plane used by the other e2e
// tests is not disturbed): `up` twice reuses the plane, `restart-apiserver` replaces only kube-apiserver and keeps
// etcd data, `down` stops exactly its processes and removes its data.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectl } from './support/cluster.js';
import { runPlaneCli } from './support/plane-cli.js';
import { processesMatching } from './support/processes.js';

interface State {
  server: string;
  pids: Record<string, number>;
}

describe('control-plane scripts', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'rxkube-cp-life-'));
  const runDir = join(scratch, 'run');
  const env = { ...process.env, RXKUBE_CP_RUN_DIR: runDir };
  const state = (): State => JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')) as State;

  afterAll(async () => {
    await runPlaneCli(['down'], env);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('brings a plane up, reuses it, restarts only kube-apiserver and stops it again', async () => {
    const first = await runPlaneCli(['up'], env);
    expect(first.code).toBe(0);
    const kubeconfig = first.stdout.trim().split('\n').pop() ?? '';
    expect(kubeconfig).toBe(join(runDir, 'kubeconfig'));
    const before = state();
    expect(Object.keys(before.pids).sort()).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager']);
    expect(processesMatching(runDir).map((p) => p.pid).sort()).toEqual(Object.values(before.pids).sort());

    const second = await runPlaneCli(['up'], env);
    expect(second.code).toBe(0);
    expect(second.stdout.trim().split('\n').pop()).toBe(kubeconfig);
    expect(second.stderr).toContain('reusing the running control plane');
    expect(state().pids).toEqual(before.pids);

    await kubectl(['create', 'configmap', 'survivor', '-n', 'default', '--from-literal=k=v'], { kubeconfig });
    const restarted = await runPlaneCli(['restart-apiserver'], env);
    expect(restarted.code).toBe(0);
    const after = state();
    expect(after.server).toBe(before.server);
    expect(after.pids['etcd']).toBe(before.pids['etcd']);
    expect(after.pids['kube-controller-manager']).toBe(before.pids['kube-controller-manager']);
    expect(after.pids['kube-apiserver']).not.toBe(before.pids['kube-apiserver']);
    const cm = JSON.parse(await kubectl(['get', 'configmap', 'survivor', '-n', 'default', '-o', 'json'], { kubeconfig }));
    expect(cm.data).toEqual({ k: 'v' });

    const down = await runPlaneCli(['down'], env);
    expect(down.code).toBe(0);
    expect(processesMatching(runDir)).toEqual([]);
    expect(existsSync(runDir) ? readdirSync(runDir) : []).toEqual([]);
  });
});
