// Shared helpers of the rxkube/config e2e tests: the test cluster's kubeconfig as data, temp
// kubeconfigs derived from it, and "who am I" probes through a real rxkube Client.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { dump, load } from 'js-yaml';
import type { Namespace } from '../../../lib/core/api/core/v1.js';
import { Api } from '../../../lib/client/api.js';
import { Client } from '../../../lib/client/client.js';
import type { ClientConfig } from '../../../lib/client/config.js';
import { isApiError } from '../../../lib/client/errors.js';
import { resourceType } from '../../../lib/core/resource.js';
import { kubeconfigPath } from '../support/cluster.js';

export const NamespaceType = resourceType<Namespace, 'Cluster'>({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  scope: 'Cluster',
});

/** The exec plugin fixture. */
export const execPlugin = path.resolve(__dirname, '../../fixtures/config/exec-plugin.mjs');

type Yaml = Record<string, unknown> & {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
  contexts: { name: string; context: Record<string, unknown> }[];
};

/** The test cluster's kubeconfig, parsed (a fresh copy each call). */
export function testKubeconfig(): Yaml {
  return load(readFileSync(kubeconfigPath(), 'utf8')) as Yaml;
}

/** The user entry `name` of the test kubeconfig. */
export function testUser(name: string): Record<string, unknown> {
  const user = testKubeconfig().users.find((u) => u.name === name);
  if (user === undefined) throw new Error(`test kubeconfig has no user ${name}`);
  return user.user;
}

/** A temp dir for one test. */
export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'rxkube-e2e-config-'));
}

/**
 * Writes a kubeconfig with the test cluster and one context `test` for `user` (plus extra cluster
 * fields) into `dir`, and returns its path.
 */
export function writeKubeconfig(dir: string, user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  const base = testKubeconfig();
  const rxkube = base.clusters.find((c) => c.name === 'rxkube') ?? base.clusters[0];
  if (rxkube === undefined) throw new Error('test kubeconfig has no cluster');
  const file = path.join(dir, 'kubeconfig');
  writeFileSync(
    file,
    dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { ...rxkube.cluster, ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'test', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'test',
    }),
  );
  return file;
}

/** The control plane's static token file (`token,user,uid,"groups"` lines), if it is next to the kubeconfig. */
export function tokenCsv(): string | undefined {
  const file = path.join(path.dirname(kubeconfigPath()), 'pki', 'tokens.csv');
  return existsSync(file) ? file : undefined;
}

/** The control plane's admin client certificate and key files, if they are next to the kubeconfig. */
export function adminCertFiles(): { cert: string; key: string } | undefined {
  const dir = path.join(path.dirname(kubeconfigPath()), 'pki');
  const cert = path.join(dir, 'admin.crt');
  const key = path.join(dir, 'admin.key');
  return existsSync(cert) && existsSync(key) ? { cert, key } : undefined;
}

/**
 * Lists namespaces (needs an authorised identity) and reports what happened: `ok` with the count, or
 * the HTTP status of the failure.
 */
export async function listNamespaces(config: ClientConfig): Promise<{ ok: true; count: number } | { ok: false; status: number }> {
  try {
    const list = await Api.all(new Client(config, { retry: false }), NamespaceType).list({ limit: 5 });
    return { ok: true, count: list.items.length };
  } catch (e) {
    if (isApiError(e)) return { ok: false, status: e.code };
    throw e;
  }
}
