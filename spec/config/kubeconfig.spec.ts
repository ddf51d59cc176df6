import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { ConfigError } from '../../lib/config/config-error';
import { Kubeconfig } from '../../lib/config/kubeconfig';

const fixtures = path.resolve(__dirname, '../fixtures/config');
const fixture = (name: string) => path.join(fixtures, name);

function thrown(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('Kubeconfig', () => {
  describe('defaultPaths', () => {
    it('splits KUBECONFIG on ":" and drops empty entries and repeats', () => {
      expect(Kubeconfig.defaultPaths({ KUBECONFIG: '/a::/b:/a:' }, 'linux')).toEqual(['/a', '/b']);
    });

    it('splits KUBECONFIG on ";" on Windows', () => {
      const paths = Kubeconfig.defaultPaths({ KUBECONFIG: 'one.yaml;two.yaml' }, 'win32');
      expect(paths.map((p) => path.basename(p))).toEqual(['one.yaml', 'two.yaml']);
    });

    it('falls back to ~/.kube/config', () => {
      expect(Kubeconfig.defaultPaths({ HOME: '/home/me' }, 'linux')).toEqual(['/home/me/.kube/config']);
    });
  });

  describe('parse', () => {
    it('reads every cluster and user field, resolving relative paths against the file', () => {
      const kc = Kubeconfig.readFile(fixture('full.yaml'));
      expect(kc.currentContext).toEqual({ name: 'files', file: fixture('full.yaml') });
      expect(kc.clusters.get('files')?.value).toEqual({
        server: 'https://files.example:6443/',
        certificateAuthority: fixture('certs/ca.pem'),
        tlsServerName: 'api.internal',
        proxyUrl: 'http://proxy.example:3128',
        disableCompression: true,
      });
      expect(kc.users.get('cert-user')?.value).toEqual({
        clientCertificate: fixture('certs/client.pem'),
        clientKey: fixture('certs/client-key.pem'),
        impersonate: 'jane',
        impersonateGroups: ['devs', 'ops'],
        impersonateUid: '1234',
        impersonateUserExtra: { scopes: ['view', 'edit'] },
      });
      expect(kc.users.get('token-file-user')?.value.tokenFile).toBe(fixture('tokens/token.txt'));
      expect(kc.contexts.get('anonymous')?.value).toEqual({ cluster: 'data' });
      expect(kc.users.get('basic-user')).toMatchObject({ index: 2, file: fixture('full.yaml') });
    });

    it('treats an empty file as an empty kubeconfig', () => {
      const kc = Kubeconfig.parse('  \n', '/tmp/empty.yaml');
      expect([kc.clusters.size, kc.users.size, kc.contexts.size, kc.currentContext]).toEqual([0, 0, 0, undefined]);
    });

    it('accepts the null lists and empty current-context kubectl writes for an empty config', () => {
      const kc = Kubeconfig.parse('apiVersion: v1\nclusters: null\ncontexts: null\ncurrent-context: ""\nkind: Config\npreferences: {}\nusers: null\n', '/k');
      expect([kc.clusters.size, kc.users.size, kc.contexts.size, kc.currentContext]).toEqual([0, 0, 0, undefined]);
    });

    it('accepts kubectl YAML 1.1 boolean spellings', () => {
      const kc = Kubeconfig.parse('clusters:\n- name: c\n  cluster: {server: "https://x", insecure-skip-tls-verify: "yes"}\n', '/k');
      expect(kc.clusters.get('c')?.value.insecureSkipTlsVerify).toBe(true);
    });

    it('reports malformed YAML with its line, without quoting the source', () => {
      const e = thrown(() => Kubeconfig.readFile(fixture('malformed.yaml')));
      expect(e.reason).toBe('invalidKubeconfig');
      expect(e.message).toMatch(/^kubeconfig .*malformed\.yaml: malformed YAML at line 8, column 1: /);
      expect(e.context).toMatchObject({ file: fixture('malformed.yaml') });
      expect(e.message).not.toContain('super-secret-token-value');
      expect(inspect(e)).not.toContain('super-secret-token-value');
    });

    it('rejects a name listed twice in one file, as kubectl does', () => {
      const e = thrown(() => Kubeconfig.readFile(fixture('duplicate-in-file.yaml')));
      expect(e.message).toBe(`kubeconfig ${fixture('duplicate-in-file.yaml')}: users[1].name: duplicate name "dup" in users`);
    });

    it('names the field of a value with the wrong type', () => {
      const e = thrown(() => Kubeconfig.parse('clusters:\n- name: c\n  cluster:\n    server: [1]\n', '/k/x.yaml'));
      expect(e.message).toBe('kubeconfig /k/x.yaml: clusters[0].cluster.server: expected a string, got a list');
      const e2 = thrown(() => Kubeconfig.parse('users:\n- user: {}\n', '/k/x.yaml'));
      expect(e2.message).toBe('kubeconfig /k/x.yaml: users[0].name: missing name');
    });

    it('validates exec plugin settings', () => {
      const exec = (body: string) => `users:\n- name: u\n  user:\n    exec:\n${body}`;
      const v1NoMode = exec('      apiVersion: client.authentication.k8s.io/v1\n      command: x\n');
      expect(thrown(() => Kubeconfig.parse(v1NoMode, '/k')).message).toBe(
        'kubeconfig /k: users[0].user.exec.interactiveMode: required for client.authentication.k8s.io/v1',
      );
      const alpha = exec('      apiVersion: client.authentication.k8s.io/v1alpha1\n      command: x\n');
      expect(thrown(() => Kubeconfig.parse(alpha, '/k')).message).toContain('users[0].user.exec.apiVersion: unsupported');
      const ok = exec(
        '      apiVersion: client.authentication.k8s.io/v1beta1\n      command: bin/plugin\n      args: [a]\n' +
          '      env: [{name: A, value: b}]\n      installHint: get it\n      provideClusterInfo: true\n',
      );
      expect(Kubeconfig.parse(ok, '/k/dir/config').users.get('u')?.value.exec).toEqual({
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: '/k/dir/bin/plugin',
        args: ['a'],
        env: [{ name: 'A', value: 'b' }],
        installHint: 'get it',
        provideClusterInfo: true,
      });
    });

    it('never shows credentials in util.inspect or JSON.stringify', () => {
      const kc = Kubeconfig.readFile(fixture('full.yaml'));
      for (const text of [inspect(kc, { depth: 10 }), JSON.stringify(kc)]) {
        expect(text).toContain('basic-user');
        expect(text).not.toContain('s3cr3t-pass');
        expect(text).not.toContain('static-token-xyz');
      }
    });
  });

  describe('load', () => {
    it('merges files like kubectl: the first file to define a name wins, no error on duplicates', () => {
      const kc = Kubeconfig.load({ paths: [fixture('merge-a.yaml'), fixture('merge-b.yaml'), fixture('merge-c.yaml')] });
      expect(kc.currentContext).toEqual({ name: 'shared-ctx', file: fixture('merge-a.yaml') });
      expect(kc.clusters.get('shared')?.value.server).toBe('https://a.example:6443');
      expect(kc.clusters.get('shared')?.file).toBe(fixture('merge-a.yaml'));
      expect(kc.users.get('shared')?.value.token).toBe('token-from-a');
      expect(kc.contexts.get('shared-ctx')?.value.namespace).toBe('from-a');
      expect([...kc.clusters.keys()].sort()).toEqual(['only-a', 'only-b', 'only-c', 'shared']);
      expect([...kc.contexts.keys()].sort()).toEqual(['b-ctx', 'c-ctx', 'shared-ctx']);
    });

    it('takes current-context from the first file that sets it', () => {
      const kc = Kubeconfig.load({ paths: [fixture('merge-c.yaml'), fixture('merge-b.yaml'), fixture('merge-a.yaml')] });
      expect(kc.currentContext).toEqual({ name: 'b-ctx', file: fixture('merge-b.yaml') });
      expect(kc.clusters.get('shared')?.value.server).toBe('https://b.example:6443');
    });

    it('reads KUBECONFIG from the environment and skips files that do not exist', () => {
      const env = { KUBECONFIG: [fixture('nope.yaml'), fixture('merge-b.yaml'), fixture('merge-a.yaml')].join(':') };
      const kc = Kubeconfig.load({ env });
      expect(kc.files).toEqual([fixture('merge-b.yaml'), fixture('merge-a.yaml')]);
      expect(kc.users.get('shared')?.value.token).toBe('token-from-b');
    });

    it('gives an empty kubeconfig when no file exists', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'rxkube-kc-'));
      expect(Kubeconfig.load({ env: { HOME: dir } }).files).toEqual([]);
    });

    it('names the file of a parse error among several', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'rxkube-kc-'));
      const bad = path.join(dir, 'bad.yaml');
      writeFileSync(bad, 'contexts: {oops: 1}\n');
      const e = thrown(() => Kubeconfig.load({ paths: [fixture('merge-a.yaml'), bad] }));
      expect(e.message).toBe(`kubeconfig ${bad}: contexts: expected a list, got a mapping`);
    });
  });
});
