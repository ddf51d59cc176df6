// startTestCluster() with RXKUBE_TEST_KUBECONFIG (a cluster the user runs, e.g. kind): that cluster is used as
// is — nothing built, started or stopped — and what only the local plane has fails with `unsupported`.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTestClusterError, startTestCluster } from '../../lib/testing/index.js';

describe('startTestCluster with RXKUBE_TEST_KUBECONFIG', () => {
  let server: Server;
  let dir: string;
  const seen: string[] = [];
  const saved = { ...process.env };
  beforeAll(async () => {
    // A scripted API server: two nodes, namespaces created and deleted.
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.method === 'GET' && req.url?.startsWith('/api/v1/nodes')) {
          res.end(JSON.stringify({ kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }] }));
        } else if (req.method === 'POST' && req.url === '/api/v1/namespaces') {
          res.statusCode = 201;
          res.end(body);
        } else if (req.method === 'DELETE') {
          res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Success' }));
        } else {
          res.statusCode = 404;
          res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dir = mkdtempSync(join(tmpdir(), 'rxkube-external-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'kind', cluster: { server: url } }],
        users: [{ name: 'me', user: {} }],
        contexts: [{ name: 'kind', context: { cluster: 'kind', user: 'me' } }],
        'current-context': 'kind',
      }),
    );
    delete process.env.RXKUBE_TEST_CLUSTER;
    process.env.RXKUBE_TEST_KUBECONFIG = kubeconfig;
    process.env.RXKUBE_TEST_KUBECTL = '/opt/kubectl';
    // Were a plane started, it would be here.
    process.env.RXKUBE_CP_RUN_DIR = join(dir, 'run');
  });
  afterAll(async () => {
    process.env = saved;
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses that cluster as is, cleans up only its namespaces, and refuses what only the local plane has', async () => {
    const cluster = await startTestCluster({ log: () => {} });
    expect(cluster.kubeconfig).toBe(process.env.RXKUBE_TEST_KUBECONFIG);
    expect(cluster.server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cluster.kubectlPath).toBe('/opt/kubectl');
    expect(cluster.nodes).toBe(2);
    expect(cluster.runDir).toBe('');
    const ns = await cluster.namespace('demo');
    expect(ns).toMatch(/^demo-[0-9a-f]{6}$/);

    const restart = await cluster.restartApiServer().catch((e: unknown) => e);
    expect(isTestClusterError(restart) && restart.reason).toBe('unsupported');
    let append: unknown;
    try {
      cluster.appendPodLog('x');
    } catch (e) {
      append = e;
    }
    expect(isTestClusterError(append) && append.reason).toBe('unsupported');

    await cluster.stop();
    expect(seen).toEqual(['GET /api/v1/nodes', 'POST /api/v1/namespaces', `DELETE /api/v1/namespaces/${ns}`]);
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });

  it('names a kubeconfig that does not exist', async () => {
    process.env.RXKUBE_TEST_KUBECONFIG = join(dir, 'missing');
    const e = await startTestCluster({ log: () => {} }).catch((err: unknown) => err);
    expect(isTestClusterError(e) && e.reason).toBe('startFailed');
    expect((e as Error).message).toContain(join(dir, 'missing'));
  });
});
