// Pods that run on the local plane (kube-scheduler + kwok fake nodes), driven through rxkube/testing's
// startTestCluster() (which reuses the plane Jest global setup started): nodes and pods carry kubelet-like status,
// workloads reach their replicas, Jobs complete, deleted pods go away, and kwok's kubelet endpoint serves logs,
// exec and port-forward through the real kube-apiserver; evictions respect PodDisruptionBudgets.
import { execFile, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import { Api } from '../../../lib/client/api.js';
import { isTooManyRequests } from '../../../lib/client/errors.js';
import { Deployment, Job, Node, Pod, PodDisruptionBudget, StatefulSet } from '../../../lib/core/builtins.js';
import { awaitCondition } from '../../../lib/runtime/wait/await-condition.js';
import { isDeploymentCompleted, isJobCompleted, isPodRunning } from '../../../lib/runtime/wait/conditions.js';
import { criLogLine, startTestCluster, type TestCluster } from '../../../lib/testing/index.js';
import { eventually } from '../support/cluster.js';

const container = { name: 'app', image: 'registry.invalid/app:1' };

function pod(name: string, labels: Record<string, string> = { app: name }): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [container], terminationGracePeriodSeconds: 0 } };
}

function deployment(name: string, replicas: number): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [container] } } },
  };
}

describe('pods on kwok nodes', () => {
  let cluster: TestCluster;
  let ns: string;
  let pods: Api<Pod, 'Namespaced'>;

  beforeAll(async () => {
    cluster = await startTestCluster();
    ns = await cluster.namespace('pods');
    pods = Api.namespaced(cluster.client, Pod, ns);
  });
  afterAll(() => cluster?.stop());

  it('has Ready nodes whose status looks like a kubelet’s', async () => {
    const nodes = (await Api.cluster(cluster.client, Node).list({ labelSelector: 'node.rxkube.dev/fake=kwok' })).items;
    expect(nodes).toHaveLength(cluster.nodes);
    expect(cluster.nodes).toBe(2);
    for (const node of nodes) {
      const conditions = Object.fromEntries((node.status?.conditions ?? []).map((c) => [c.type, c.status]));
      expect(conditions).toMatchObject({ Ready: 'True', MemoryPressure: 'False', DiskPressure: 'False', PIDPressure: 'False' });
      expect(node.status?.addresses).toEqual(expect.arrayContaining([{ type: 'InternalIP', address: '127.0.0.1' }]));
      expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBeGreaterThan(0);
      expect(node.status?.nodeInfo?.kubeletVersion).toMatch(/kwok/);
      expect(node.status?.allocatable?.['pods']).toBeDefined();
    }
  });

  it('schedules a pod that becomes Running and Ready with podIP, hostIP and container statuses', async () => {
    await pods.create(pod('web'));
    const running = await awaitCondition(pods, 'web', isPodRunning(), { timeout: 60_000 });
    const status = running?.status;
    expect(running?.spec?.nodeName).toMatch(/^rxkube-node-\d$/);
    expect(status?.hostIP).toBe('127.0.0.1');
    expect(status?.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(status?.startTime).toBeDefined();
    const conditions = Object.fromEntries((status?.conditions ?? []).map((c) => [c.type, c.status]));
    expect(conditions).toMatchObject({ PodScheduled: 'True', Initialized: 'True', ContainersReady: 'True', Ready: 'True' });
    // What kwok's pod-ready stage writes (a real kubelet also sets `started`, `imageID` and `containerID`).
    expect(status?.containerStatuses).toEqual([
      expect.objectContaining({ name: 'app', image: container.image, ready: true, restartCount: 0, state: { running: { startedAt: expect.any(String) } } }),
    ]);
  });

  it('brings a Deployment of 3 to availableReplicas 3', async () => {
    const deployments = Api.namespaced(cluster.client, Deployment, ns);
    await deployments.create(deployment('api', 3));
    const done = await awaitCondition(deployments, 'api', isDeploymentCompleted(), { timeout: 90_000 });
    expect(done?.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3 });
  });

  it('brings a StatefulSet to its replicas', async () => {
    const sets = Api.namespaced(cluster.client, StatefulSet, ns);
    await sets.create({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [container] } } },
    });
    await eventually(async () => (await sets.get('db')).status?.readyReplicas === 2, { timeoutMs: 90_000 });
  });

  it('completes a Job', async () => {
    const jobs = Api.namespaced(cluster.client, Job, ns);
    await jobs.create({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [container] } } },
    });
    const job = await awaitCondition(jobs, 'migrate', isJobCompleted(), { timeout: 90_000 });
    expect(job?.status?.succeeded).toBe(1);
  });

  it('removes a deleted pod', async () => {
    await pods.create(pod('doomed'));
    await awaitCondition(pods, 'doomed', isPodRunning(), { timeout: 60_000 });
    await pods.delete('doomed');
    await eventually(async () => (await pods.getOpt('doomed')) === undefined, { timeoutMs: 30_000 });
  });

  describe('through the kubelet endpoint', () => {
    beforeAll(async () => {
      await pods.create(pod('shell'));
      await awaitCondition(pods, 'shell', isPodRunning(), { timeout: 60_000 });
    });

    it('follows the pod log file with kubectl logs -f and with the rxkube client', async () => {
      const marker = `line-${Date.now()}`;
      appendFileSync(cluster.podLogs, criLogLine(`${marker} before`));
      const follow = spawn(cluster.kubectlPath, [`--kubeconfig=${cluster.kubeconfig}`, 'logs', '-f', 'shell', '-n', ns]);
      let out = '';
      follow.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const seen = firstValueFrom(
        pods.logStream('shell').pipe(
          filter((line) => line.startsWith(marker)),
          take(2),
          toArray(),
        ),
      );
      try {
        await eventually(() => out.includes(`${marker} before`), { timeoutMs: 20_000 });
        cluster.appendPodLog(`${marker} after`);
        await eventually(() => out.includes(`${marker} after`), { timeoutMs: 20_000 });
        await expect(seen).resolves.toEqual([`${marker} before`, `${marker} after`]);
        // Once, without following.
        expect((await pods.logs('shell')).split('\n')).toEqual(expect.arrayContaining([`${marker} before`, `${marker} after`]));
      } finally {
        follow.kill();
      }
    });

    it('attaches to the pod: kubectl attach shows lines appended to its log file', async () => {
      const marker = `attach-${Date.now()}`;
      const attach = spawn(cluster.kubectlPath, [`--kubeconfig=${cluster.kubeconfig}`, 'attach', 'shell', '-n', ns]);
      let out = '';
      attach.stdout.on('data', (d: Buffer) => (out += d.toString()));
      try {
        // Appended until seen: attach starts at the end of the file, so a line written before it connected is missed.
        await eventually(() => {
          cluster.appendPodLog(marker);
          return out.includes(marker);
        }, { timeoutMs: 20_000, intervalMs: 500 });
      } finally {
        attach.kill();
      }
    });

    it('runs kubectl exec locally: output and exit code 0; a failing command is an error (kwok: InternalError)', async () => {
      const exec = (args: string[]) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
          execFile(cluster.kubectlPath, [`--kubeconfig=${cluster.kubeconfig}`, 'exec', 'shell', '-n', ns, '--', ...args], { encoding: 'utf8' }, (err, stdout, stderr) =>
            resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
          );
        });
      await expect(exec(['echo', 'hi'])).resolves.toEqual({ code: 0, stdout: 'hi\n', stderr: '' });
      const cwd = await exec(['pwd']);
      expect(cwd.stdout.trim()).toBe(cluster.execDir);
      // A real kubelet answers a non-zero exit with a Status (reason NonZeroExitCode, the exit code as a cause) and
      // kubectl exits with that code; kwok reports an internal error and kubectl exits 1.
      const failed = await exec(['sh', '-c', 'exit 3']);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/exit status 3/);
    });

    it('reads one pod’s logs from its own file, named by a Logs object', async () => {
      await pods.create(pod('own-logs'));
      await awaitCondition(pods, 'own-logs', isPodRunning(), { timeout: 60_000 });
      const dir = mkdtempSync(join(tmpdir(), 'rxkube-logs-'));
      const file = join(dir, 'own.log');
      writeFileSync(file, criLogLine('only mine'));
      try {
        await cluster.kubectl(['apply', '-f', '-'], {
          input: JSON.stringify({ apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Logs', metadata: { name: 'own-logs', namespace: ns }, spec: { logs: [{ logsFile: file, follow: true }] } }),
        });
        await eventually(async () => (await pods.logs('own-logs')) === 'only mine\n', { timeoutMs: 20_000 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('port-forwards any pod port to the plane’s default target', async () => {
      const server = http.createServer((_req, res) => res.end('default target'));
      await new Promise<void>((resolve) => server.listen(cluster.podForwardPort, '127.0.0.1', resolve));
      const forward = spawn(cluster.kubectlPath, [`--kubeconfig=${cluster.kubeconfig}`, 'port-forward', '-n', ns, 'pod/shell', ':9999']);
      let out = '';
      forward.stdout.on('data', (d: Buffer) => (out += d.toString()));
      try {
        const local = await eventually(() => /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)?.[1], { timeoutMs: 20_000 });
        expect(await eventually(async () => (await fetch(`http://127.0.0.1:${local}/`)).text(), { timeoutMs: 20_000 })).toBe('default target');
      } finally {
        forward.kill();
        server.close();
      }
    });

    it('port-forwards to a local HTTP server named by a PortForward object', async () => {
      const server = http.createServer((_req, res) => res.end('hello from the pod'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const target = (server.address() as AddressInfo).port;
      const dir = mkdtempSync(join(tmpdir(), 'rxkube-pf-'));
      const manifest = join(dir, 'pf.json');
      writeFileSync(
        manifest,
        JSON.stringify({
          apiVersion: 'kwok.x-k8s.io/v1alpha1',
          kind: 'PortForward',
          metadata: { name: 'shell', namespace: ns },
          spec: { forwards: [{ ports: [8080], target: { address: '127.0.0.1', port: target } }] },
        }),
      );
      await cluster.kubectl(['apply', '-f', manifest]);
      const forward = spawn(cluster.kubectlPath, [`--kubeconfig=${cluster.kubeconfig}`, 'port-forward', '-n', ns, 'pod/shell', ':8080']);
      let out = '';
      forward.stdout.on('data', (d: Buffer) => (out += d.toString()));
      forward.stderr.on('data', (d: Buffer) => (out += d.toString()));
      try {
        const local = await eventually(() => /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)?.[1], { timeoutMs: 20_000 });
        const body = await eventually(async () => {
          const res = await fetch(`http://127.0.0.1:${local}/`);
          return res.ok ? res.text() : undefined;
        }, { timeoutMs: 20_000 });
        expect(body).toBe('hello from the pod');
      } finally {
        forward.kill();
        server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('refuses to evict a pod a PodDisruptionBudget covers (429) and evicts one it does not', async () => {
    const budgets = Api.namespaced(cluster.client, PodDisruptionBudget, ns);
    await budgets.create({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'guard' },
      spec: { minAvailable: 2, selector: { matchLabels: { tier: 'guarded' } } },
    });
    await pods.create(pod('guarded-0', { tier: 'guarded' }));
    await pods.create(pod('guarded-1', { tier: 'guarded' }));
    await pods.create(pod('free', { tier: 'free' }));
    for (const name of ['guarded-0', 'guarded-1', 'free']) await awaitCondition(pods, name, isPodRunning(), { timeout: 60_000 });
    await eventually(async () => (await budgets.get('guard')).status?.currentHealthy === 2, { timeoutMs: 30_000 });

    const refused = await pods.evict('guarded-0').catch((e: unknown) => e);
    expect(isTooManyRequests(refused)).toBe(true);
    await pods.evict('free');
    await eventually(async () => (await pods.getOpt('free')) === undefined, { timeoutMs: 30_000 });
    expect(await pods.getOpt('guarded-0')).toBeDefined();
  });
});
