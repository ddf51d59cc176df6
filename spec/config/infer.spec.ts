import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Config } from '../../lib/config/config';
import { ConfigError } from '../../lib/config/config-error';
import { inferConfig } from '../../lib/config/infer';

const fixtures = path.resolve(__dirname, '../fixtures/config');

function serviceAccount(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rxkube-sa-'));
  writeFileSync(path.join(dir, 'token'), 't');
  writeFileSync(path.join(dir, 'ca.crt'), 'CA');
  return dir;
}

const inCluster = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };

describe('inferConfig', () => {
  it('prefers the kubeconfig', async () => {
    const env = { ...inCluster, KUBECONFIG: path.join(fixtures, 'merge-b.yaml') };
    const config = await inferConfig({ env, serviceAccountDir: serviceAccount() });
    expect(config.server).toBe('https://only-b.example');
  });

  it('falls back to in-cluster when there is no kubeconfig', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'rxkube-home-'));
    const config = await inferConfig({ env: { ...inCluster, HOME: home }, serviceAccountDir: serviceAccount() });
    expect(config.server).toBe('https://10.0.0.1:443');
  });

  it('names both failures when neither works', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'rxkube-home-'));
    const e = await inferConfig({ env: { HOME: home } }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).reason).toBe('noConfig');
    expect((e as ConfigError).message).toBe(
      `no usable configuration: no kubeconfig found (looked at ${home}/.kube/config); and in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set`,
    );
  });
});

describe('Config', () => {
  it('offers infer, fromKubeconfig, inCluster and the browser-safe fromUrl', async () => {
    const kc = await Config.fromKubeconfig({ path: path.join(fixtures, 'full.yaml'), context: 'data', env: {} });
    expect(kc.server).toBe('https://data.example:6443');
    const ic = await Config.inCluster({ env: inCluster, serviceAccountDir: serviceAccount() });
    expect(ic.server).toBe('https://10.0.0.1:443');
    const url = Config.fromUrl('http://127.0.0.1:8001/', { token: 'tok' });
    expect(url.server).toBe('http://127.0.0.1:8001');
    expect(await url.auth?.headers()).toEqual({ Authorization: 'Bearer tok' });
    await expect(Config.fromKubeconfig({ path: path.join(fixtures, 'missing-refs.yaml') })).rejects.toBeInstanceOf(ConfigError);
  });
});
