// The terminal samples, run as a user runs them (`npm run sample -- samples/<name>.ts`) against the test cluster:
// the pod watcher redraws its table when a pod appears and stops on Ctrl+C (SIGINT); crd-define prints a CRD the
// API server accepts; the configmapgen controller reconciles a generator and stops gracefully on SIGTERM; three
// sharded replicas of it share twelve generators, each reconciled by one replica.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { eventually, kubeconfigPath, kubectl, useNamespace } from '../support/cluster';

const root = join(__dirname, '../../..');

/** Starts a sample; `output()` is everything it printed so far, `exit` resolves with its exit code. */
function startSample(file: string, args: string[] = []) {
  const child: ChildProcess = spawn(process.execPath, [join(root, 'scripts/run-sample.mjs'), join(root, file), ...args], {
    env: { ...process.env, KUBECONFIG: kubeconfigPath() },
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exit };
}

describe('terminal samples', () => {
  const ns = useNamespace('samples');

  it('pod-watcher shows a new pod in its table and stops on SIGINT', async () => {
    const sample = startSample('samples/pod-watcher.ts', [ns]);
    try {
      await eventually(() => sample.output().includes(`0 pods in namespace ${ns}`), { timeoutMs: 20_000 });
      // No scheduler serves this name, so the pod stays Pending (the plane's kwok nodes would otherwise run it).
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'watched' }, spec: { schedulerName: 'rxkube-unscheduled', containers: [{ name: 'c', image: 'registry.invalid/c:1' }] } };
      await kubectl(['create', '-n', ns, '-f', '-'], { input: JSON.stringify(pod) });
      await eventually(() => /watched\s+0\/1\s+Pending/.test(sample.output()) && sample.output().includes(`1 pods in namespace ${ns}`), { timeoutMs: 5_000 });
    } finally {
      sample.child.kill('SIGINT');
    }
    await expect(sample.exit).resolves.toBe(0);
    expect(sample.output()).toContain('stopped.');
  });

  it('crd-define prints a CRD that the API server accepts', async () => {
    const sample = startSample('samples/crd-define.ts');
    await expect(sample.exit).resolves.toBe(0);
    const yaml = sample.output().split('\n').filter((l) => !l.startsWith('# ')).join('\n');
    expect(yaml).toContain('name: configmapgenerators.samples.rxkube.dev');
    await expect(kubectl(['apply', '--dry-run=server', '-f', '-'], { input: yaml })).resolves.toContain('configmapgenerators.samples.rxkube.dev');
    // The client-side check of an invalid example names the fields, as JSON pointers.
    expect(sample.output()).toContain('# invalid example: /spec/copies must be <= 5');
  });

  it('configmapgen-controller reconciles a generator and stops gracefully on SIGTERM', async () => {
    const install = startSample('samples/crd-define.ts', ['--apply']);
    await expect(install.exit).resolves.toBe(0);
    const sample = startSample('samples/configmapgen-controller.ts', [ns]);
    try {
      const gen = { apiVersion: 'samples.rxkube.dev/v1', kind: 'ConfigMapGenerator', metadata: { name: 'terminal' }, spec: { content: 'from a test' } };
      await kubectl(['apply', '-n', ns, '-f', '-'], { input: JSON.stringify(gen) });
      await eventually(async () => (await kubectl(['get', 'configmap', 'terminal-gen', '-n', ns, '-o', 'jsonpath={.data.content}']).catch(() => '')) === 'from a test', { timeoutMs: 20_000 });
      // The operator writes the ConfigMap first, then the status and an Event, then prints: wait for the line.
      await eventually(() => sample.output().includes(`reconcile ${ns}/terminal: terminal-gen holds "from a test" x1`), { timeoutMs: 10_000 });
      // Deleting the generator runs the finalizer's cleanup before it goes.
      await kubectl(['delete', 'configmapgenerators.samples.rxkube.dev', 'terminal', '-n', ns, '--timeout=30s']);
      expect(sample.output()).toContain(`cleanup   ${ns}/terminal`);
    } finally {
      sample.child.kill('SIGTERM');
    }
    await expect(sample.exit).resolves.toBe(0);
    expect(sample.output()).toContain('stopped: watches closed, running reconciles finished');
  });

  it('configmapgen-sharded runs three replicas that share the generators, each generator reconciled by one', async () => {
    const install = startSample('samples/crd-define.ts', ['--apply']);
    await expect(install.exit).resolves.toBe(0);
    const shardNs = `${ns}-sharded`;
    await kubectl(['create', 'namespace', shardNs]);
    const sample = startSample('samples/configmapgen-sharded.ts', [shardNs]);
    try {
      // Wait until the three replicas agree: each owns its target and sees three members.
      const settled = (): boolean => {
        const last = new Map<string, string>();
        for (const m of sample.output().matchAll(/\[(replica-\d)\] shard: (\d+)\/64 buckets \(target (\d+)\), (\d+) members/g)) last.set(m[1]!, `${m[2]} ${m[3]} ${m[4]}`);
        return last.size === 3 && [...last.values()].every((v) => /^(\d+) \1 3$/.test(v));
      };
      await eventually(settled, { timeoutMs: 30_000 });
      const names = Array.from({ length: 12 }, (_, i) => `gen-${i}`);
      const list = { apiVersion: 'v1', kind: 'List', items: names.map((name) => ({ apiVersion: 'samples.rxkube.dev/v1', kind: 'ConfigMapGenerator', metadata: { name }, spec: { content: name } })) };
      await kubectl(['apply', '-n', shardNs, '-f', '-'], { input: JSON.stringify(list) });
      const reconciledBy = (): Map<string, string[]> => {
        const by = new Map<string, string[]>();
        for (const m of sample.output().matchAll(/\[(replica-\d)\] reconcile [^/]+\/(gen-\d+):/g)) by.set(m[2]!, [...(by.get(m[2]!) ?? []), m[1]!]);
        return by;
      };
      await eventually(() => reconciledBy().size === 12, { timeoutMs: 30_000 });
      const by = reconciledBy();
      for (const name of names) expect(by.get(name)).toHaveLength(1); // one replica, once
      expect(new Set([...by.values()].flat()).size).toBeGreaterThan(1);
      const cms = await kubectl(['get', 'configmaps', '-n', shardNs, '-o', 'name']);
      for (const name of names) expect(cms).toContain(`configmap/${name}-gen`);
    } finally {
      sample.child.kill('SIGTERM');
    }
    await expect(sample.exit).resolves.toBe(0);
    expect(sample.output()).toContain('stopped: every replica drained and left its shard');
    await kubectl(['delete', 'namespace', shardNs, '--wait=false']);
  });
});
