import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { VirtualTimeScheduler } from 'rxjs';
import { ConfigError } from '../../lib/config/config-error';
import { inClusterConfig } from '../../lib/config/in-cluster';
import { TokenFileAuth } from '../../lib/config/token-file';

function serviceAccount(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rxkube-sa-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

const CA = '-----BEGIN CERTIFICATE-----\nY2x1c3Rlci1jYQ==\n-----END CERTIFICATE-----\n';

describe('inClusterConfig', () => {
  it('builds the config from the service environment and the service account files', async () => {
    const dir = serviceAccount({ token: 'sa-token-1\n', 'ca.crt': CA, namespace: 'team-b\n' });
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    const config = inClusterConfig({ env, serviceAccountDir: dir });
    expect(config.server).toBe('https://10.96.0.1:443');
    expect(config.namespace).toBe('team-b');
    expect(config.tls).toEqual({ ca: CA });
    expect(config.auth).toBeInstanceOf(TokenFileAuth);
    expect(await config.auth?.headers()).toEqual({ Authorization: 'Bearer sa-token-1' });
    expect(config.transport?.httpsAgent).toBeDefined();
    expect(inspect(config, { depth: 10 })).not.toContain('sa-token-1');
  });

  it('brackets an IPv6 service host', () => {
    const dir = serviceAccount({ token: 't', 'ca.crt': CA });
    const config = inClusterConfig({ env: { KUBERNETES_SERVICE_HOST: 'fd00:10:96::1', KUBERNETES_SERVICE_PORT: '6443' }, serviceAccountDir: dir });
    expect(config.server).toBe('https://[fd00:10:96::1]:6443');
    expect(new URL(config.server).hostname).toBe('[fd00:10:96::1]');
    expect(config.namespace).toBe('default'); // no namespace file
  });

  it('re-reads the rotated token every 60 s', async () => {
    const dir = serviceAccount({ token: 'old', 'ca.crt': CA });
    const clock = new VirtualTimeScheduler();
    const config = inClusterConfig({ env: { KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '1' }, serviceAccountDir: dir, scheduler: clock });
    expect(await config.auth?.headers()).toEqual({ Authorization: 'Bearer old' });
    writeFileSync(path.join(dir, 'token'), 'new');
    clock.schedule(() => undefined, 60_000);
    clock.flush();
    expect(await config.auth?.headers()).toEqual({ Authorization: 'Bearer new' });
  });

  it('respects HTTPS_PROXY and NO_PROXY', () => {
    const dir = serviceAccount({ token: 't', 'ca.crt': CA });
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', HTTPS_PROXY: 'http://egress:3128' };
    expect(inClusterConfig({ env, serviceAccountDir: dir }).proxyUrl).toBe('http://egress:3128');
    expect(inClusterConfig({ env: { ...env, NO_PROXY: '10.96.0.0/12' }, serviceAccountDir: dir }).proxyUrl).toBeUndefined();
  });

  it('fails with notInCluster outside a pod, and names a missing file', () => {
    expect(() => inClusterConfig({ env: {} })).toThrow(
      new ConfigError('notInCluster', 'in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set'),
    );
    const dir = serviceAccount({ token: 't' });
    const env = { KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '1' };
    expect(() => inClusterConfig({ env, serviceAccountDir: dir })).toThrow(`in-cluster config: cannot read ${path.join(dir, 'ca.crt')}: ENOENT`);
  });
});
