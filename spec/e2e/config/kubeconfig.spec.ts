// Kubeconfig loading checked against kubectl itself: a file written by `kubectl config view --raw`
// loads as is and authenticates, and a multi-file KUBECONFIG with duplicate names resolves to
// exactly what `kubectl config view` shows for the same files.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { dump } from 'js-yaml';
import { configFromKubeconfig } from '../../../lib/config/from-kubeconfig.js';
import { Kubeconfig } from '../../../lib/config/kubeconfig.js';
import { kubeconfigPath, kubectlPath } from '../support/cluster.js';
import { listNamespaces, tempDir, testKubeconfig } from './support.js';

/** Runs the test cluster's kubectl with an explicit KUBECONFIG (not the support helper's --kubeconfig). */
function kubectlWith(kubeconfigEnv: string, args: string[]): string {
  return execFileSync(kubectlPath(), args, {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: kubeconfigEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

interface KubectlView {
  'current-context': string;
  clusters: { name: string; cluster: { server: string } }[] | null;
  users: { name: string; user: { token?: string; 'client-certificate-data'?: string } }[] | null;
  contexts: { name: string; context: { cluster: string; user?: string; namespace?: string } }[] | null;
}

/** Asserts that rxkube's merge of `files` equals kubectl's, entry by entry. */
function expectSameAsKubectl(files: string[]): Kubeconfig {
  const view = JSON.parse(kubectlWith(files.join(':'), ['config', 'view', '--raw', '-o', 'json'])) as KubectlView;
  const ours = Kubeconfig.load({ env: { KUBECONFIG: files.join(':') } });
  expect(ours.currentContext?.name).toBe(view['current-context']);
  expect([...ours.clusters.keys()].sort()).toEqual((view.clusters ?? []).map((c) => c.name).sort());
  expect([...ours.users.keys()].sort()).toEqual((view.users ?? []).map((u) => u.name).sort());
  expect([...ours.contexts.keys()].sort()).toEqual((view.contexts ?? []).map((c) => c.name).sort());
  for (const c of view.clusters ?? []) expect(ours.clusters.get(c.name)?.value.server).toBe(c.cluster.server);
  for (const u of view.users ?? []) {
    expect(ours.users.get(u.name)?.value.token).toBe(u.user.token);
    expect(ours.users.get(u.name)?.value.clientCertificateData).toBe(u.user['client-certificate-data']);
  }
  for (const c of view.contexts ?? []) {
    const value = ours.contexts.get(c.name)?.value;
    expect(value?.cluster).toBe(c.context.cluster);
    expect(value?.user ?? '').toBe(c.context.user ?? '');
    expect(value?.namespace ?? '').toBe(c.context.namespace ?? '');
  }
  return ours;
}

describe('kubeconfig (e2e)', () => {
  it('loads a kubeconfig written by `kubectl config view --raw` as is', async () => {
    const dir = tempDir();
    for (const [name, args] of [
      ['raw.yaml', ['config', 'view', '--raw']],
      ['flat.yaml', ['config', 'view', '--raw', '--minify', '--flatten', '--context', 'rxkube-token']],
    ] as const) {
      const file = path.join(dir, name);
      writeFileSync(file, kubectlWith(kubeconfigPath(), [...args]));
      expect(await listNamespaces(configFromKubeconfig({ path: file, env: {} }))).toMatchObject({ ok: true });
    }
    const raw = path.join(dir, 'raw.yaml');
    expect(await listNamespaces(configFromKubeconfig({ path: raw, context: 'rxkube-token', env: {} }))).toMatchObject({ ok: true });
    expect(await listNamespaces(configFromKubeconfig({ path: raw, context: 'rxkube-nobody', env: {} }))).toEqual({ ok: false, status: 403 });
  });

  it('merges a multi-file KUBECONFIG with duplicate names exactly like kubectl', async () => {
    const dir = tempDir();
    const real = testKubeconfig();
    const first = path.join(dir, 'first.yaml');
    writeFileSync(first, dump({ ...real, 'current-context': 'rxkube-token' }));
    // The second file redefines every name of the first with unusable values, and adds its own.
    const second = path.join(dir, 'second.yaml');
    writeFileSync(
      second,
      dump({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'rxkube', cluster: { server: 'https://127.0.0.1:1' } },
          { name: 'second-only', cluster: { server: 'https://second.invalid:6443' } },
        ],
        users: [
          { name: 'admin-token', user: { token: 'not-the-admin-token' } },
          { name: 'second-user', user: { token: 'second-token' } },
        ],
        contexts: [
          { name: 'rxkube-token', context: { cluster: 'second-only', user: 'second-user', namespace: 'shadowed' } },
          { name: 'second-ctx', context: { cluster: 'second-only', user: 'second-user' } },
        ],
        'current-context': 'second-ctx',
      }),
    );
    const missing = path.join(dir, 'missing.yaml');

    const merged = expectSameAsKubectl([first, missing, second]);
    expect(merged.contexts.get('second-ctx')?.file).toBe(second);
    // The first file's entries won, so its current context works.
    const config = configFromKubeconfig({ env: { KUBECONFIG: [first, missing, second].join(':') } });
    expect(await listNamespaces(config)).toMatchObject({ ok: true });

    // Reversed, the second file wins everything it defines.
    const reversed = expectSameAsKubectl([second, first]);
    expect(reversed.currentContext?.name).toBe('second-ctx');
    expect(reversed.clusters.get('rxkube')?.value.server).toBe('https://127.0.0.1:1');
  });
});
