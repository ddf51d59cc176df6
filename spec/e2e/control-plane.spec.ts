// Smoke test of the local control plane (scripts/control-plane) using kubectl only, no rxkube code: the API
// server stores and serves objects, the controller-manager runs (namespace deletion finishes, Deployments get
// ReplicaSets), and the server is the pinned Kubernetes version with the API groups rxkube relies on.
import { eventually, kubectl, useNamespace } from './support/cluster.js';

describe('control plane', () => {
  const ns = useNamespace('control-plane');

  it('creates, reads and deletes a ConfigMap', async () => {
    await kubectl(['create', 'configmap', 'smoke', '-n', ns, '--from-literal=greeting=hello']);
    const cm = JSON.parse(await kubectl(['get', 'configmap', 'smoke', '-n', ns, '-o', 'json']));
    expect(cm.data).toEqual({ greeting: 'hello' });
    expect(cm.metadata.namespace).toBe(ns);

    await kubectl(['delete', 'configmap', 'smoke', '-n', ns]);
    await expect(kubectl(['get', 'configmap', 'smoke', '-n', ns])).rejects.toThrow(/NotFound/);
  });

  it('finishes deleting a namespace (the controller-manager runs)', async () => {
    const doomed = `${ns}-doomed`;
    await kubectl(['create', 'namespace', doomed]);
    await kubectl(['create', 'configmap', 'inside', '-n', doomed]);
    await kubectl(['delete', 'namespace', doomed, '--wait=false']);
    await eventually(
      async () => {
        try {
          await kubectl(['get', 'namespace', doomed]);
          return false;
        } catch (err) {
          return /NotFound/.test(String(err));
        }
      },
      { timeoutMs: 90_000 },
    );
  });

  it('gives a Deployment a ReplicaSet', async () => {
    await kubectl(['create', 'deployment', 'web', '-n', ns, '--image=registry.invalid/web:1', '--replicas=2']);
    const rs = await eventually(async () => {
      const list = JSON.parse(await kubectl(['get', 'replicasets', '-n', ns, '-l', 'app=web', '-o', 'json']));
      return list.items.length > 0 ? list.items[0] : undefined;
    });
    expect(rs.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Deployment', name: 'web', controller: true }),
    ]);
    expect(rs.spec.replicas).toBe(2);
  });

  it('reports server version v1.36.3', async () => {
    const version = JSON.parse(await kubectl(['version', '-o', 'json']));
    expect(version.serverVersion.gitVersion).toBe('v1.36.3');
    expect(version.clientVersion.gitVersion).toBe('v1.36.3');
  });

  it('lists the core, apps, coordination.k8s.io and apiextensions.k8s.io APIs', async () => {
    const out = await kubectl(['api-resources', '-o', 'name']);
    const names = out.trim().split('\n');
    expect(names).toEqual(expect.arrayContaining(['configmaps', 'namespaces', 'deployments.apps', 'leases.coordination.k8s.io', 'customresourcedefinitions.apiextensions.k8s.io']));
  });

  it('authenticates the token users and denies the RBAC-less one', async () => {
    const whoami = JSON.parse(await kubectl(['auth', 'whoami', '-o', 'json'], { context: 'rxkube-token' }));
    expect(whoami.status.userInfo.username).toBe('admin-token');
    expect(whoami.status.userInfo.groups).toContain('system:masters');
    await expect(kubectl(['get', 'configmaps', '-n', ns], { context: 'rxkube-nobody' })).rejects.toThrow(/Forbidden/);
  });
});
