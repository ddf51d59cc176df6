// Life cycle of the control-plane scripts on a private plane (so the shared plane used by the other e2e tests is
// not disturbed): `up` again reuses the plane, `restart-apiserver` replaces only kube-apiserver and keeps etcd
// data, `down` stops exactly its processes and removes its data.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl } from './support/cluster.js';
import { runPlaneCli } from './support/plane-cli.js';
import { startPrivatePlane, type PrivatePlane } from './support/private-plane.js';
import { processesMatching } from './support/processes.js';

interface State {
  server: string;
  pids: Record<string, number>;
  watchdog: number;
}

describe('control-plane scripts', () => {
  let plane: PrivatePlane | undefined;
  const state = (): State => JSON.parse(readFileSync(join(plane?.runDir ?? '', 'state.json'), 'utf8')) as State;

  afterAll(async () => {
    await plane?.stop();
  });

  it('brings a plane up, reuses it, restarts only kube-apiserver and stops it again', async () => {
    plane = await startPrivatePlane();
    const { kubeconfig, runDir, env } = plane;
    expect(kubeconfig).toBe(join(runDir, 'kubeconfig'));
    const before = state();
    expect(Object.keys(before.pids).sort()).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager']);
    // Plus the watchdog that stops a plane started for lease holders once none lives (see the faults spec).
    expect(processesMatching(runDir).map((p) => p.pid).sort()).toEqual([...Object.values(before.pids), before.watchdog].sort());

    const again = await runPlaneCli(['up'], env);
    expect(again.code).toBe(0);
    expect(again.stdout.trim().split('\n').pop()).toBe(kubeconfig);
    expect(again.stderr).toContain('reusing the running control plane');
    expect(state().pids).toEqual(before.pids);

    await kubectl(['create', 'configmap', 'survivor', '-n', 'default', '--from-literal=k=v'], { kubeconfig });
    await plane.restartApiServer();
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
