import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { ConfigError } from '../../lib/config/config-error';
import { ExecAuth } from '../../lib/config/exec';
import { configFromKubeconfig } from '../../lib/config/from-kubeconfig';
import { Kubeconfig } from '../../lib/config/kubeconfig';
import { BasicAuth, StaticTokenAuth } from '../../lib/config/static-auth';
import { TokenFileAuth } from '../../lib/config/token-file';

const fixtures = path.resolve(__dirname, '../fixtures/config');
const fixture = (name: string) => path.join(fixtures, name);
const full = fixture('full.yaml');
const base64Of = (name: string) => readFileSync(fixture(name)).toString('base64');
const noEnv = {};

function thrown(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('configFromKubeconfig', () => {
  it('builds the current context: server, namespace, TLS from relative files, impersonation', () => {
    const config = configFromKubeconfig({ path: full, env: noEnv });
    expect(config.server).toBe('https://files.example:6443');
    expect(config.namespace).toBe('team-a');
    expect(config.tls).toEqual({
      ca: readFileSync(fixture('certs/ca.pem'), 'utf8'),
      cert: readFileSync(fixture('certs/client.pem'), 'utf8'),
      key: readFileSync(fixture('certs/client-key.pem'), 'utf8'),
      serverName: 'api.internal',
    });
    expect(config.impersonate).toEqual({ user: 'jane', groups: ['devs', 'ops'], uid: '1234', extra: { scopes: ['view', 'edit'] } });
    expect(config.proxyUrl).toBe('http://proxy.example:3128');
    expect(config.disableCompression).toBe(true);
    expect(config.auth).toBeUndefined();
  });

  it('decodes -data fields and sends the token', async () => {
    const config = configFromKubeconfig({ path: full, context: 'data', env: noEnv });
    expect(config.namespace).toBe('default');
    expect(config.tls?.ca).toBe(readFileSync(fixture('certs/ca.pem'), 'utf8'));
    expect(config.tls?.cert).toBe(readFileSync(fixture('certs/client.pem'), 'utf8'));
    expect(config.tls?.key).toBe(readFileSync(fixture('certs/client-key.pem'), 'utf8'));
    expect(config.auth).toBeInstanceOf(StaticTokenAuth);
    expect(await config.auth?.headers()).toEqual({ Authorization: 'Bearer static-token-xyz' });
  });

  it('uses tokenFile, basic auth, and skips the CA when TLS verification is off', async () => {
    const tokenFile = configFromKubeconfig({ path: full, context: 'token-file', env: noEnv });
    expect(tokenFile.auth).toBeInstanceOf(TokenFileAuth);
    expect(await tokenFile.auth?.headers()).toEqual({ Authorization: 'Bearer file-token-123' });

    const basic = configFromKubeconfig({ path: full, context: 'basic', env: noEnv });
    expect(basic.auth).toBeInstanceOf(BasicAuth);
    expect(await basic.auth?.headers()).toEqual({ Authorization: `Basic ${Buffer.from('admin:s3cr3t-pass').toString('base64')}` });
    expect(basic.tls).toEqual({ insecureSkipTLSVerify: true });
  });

  it('overrides the namespace on request', () => {
    expect(configFromKubeconfig({ path: full, namespace: 'other', env: noEnv }).namespace).toBe('other');
  });

  it('uses the context the merged files select', async () => {
    const config = configFromKubeconfig({
      env: { KUBECONFIG: `${fixture('merge-a.yaml')}:${fixture('merge-b.yaml')}` },
    });
    expect(config.server).toBe('https://a.example:6443');
    expect(config.namespace).toBe('from-a');
    expect(await config.auth?.headers()).toEqual({ Authorization: 'Bearer token-from-a' });
  });

  describe('errors name the file, the field and the entry', () => {
    const refs = fixture('missing-refs.yaml');

    it('a current-context that does not exist', () => {
      const e = thrown(() => configFromKubeconfig({ path: refs, env: noEnv }));
      expect(e.reason).toBe('missingEntry');
      expect(e.message).toBe(`kubeconfig ${refs}: current-context: no context named "nowhere"`);
      expect(e.context).toEqual({ file: refs, field: 'current-context', entry: 'nowhere' });
    });

    it('a context given by the caller that does not exist', () => {
      const e = thrown(() => configFromKubeconfig({ path: refs, context: 'ghost', env: noEnv }));
      expect(e.message).toBe(`kubeconfig ${refs}: context (option): no context named "ghost"`);
    });

    it('a context pointing at a missing cluster or user', () => {
      expect(thrown(() => configFromKubeconfig({ path: refs, context: 'to-missing-cluster', env: noEnv })).message).toBe(
        `kubeconfig ${refs}: contexts[0].context.cluster: no cluster named "ghost"`,
      );
      expect(thrown(() => configFromKubeconfig({ path: refs, context: 'to-missing-user', env: noEnv })).message).toBe(
        `kubeconfig ${refs}: contexts[1].context.user: no user named "ghost"`,
      );
    });

    it('a cluster without a server', () => {
      expect(thrown(() => configFromKubeconfig({ path: refs, context: 'to-no-server', env: noEnv })).message).toBe(
        `kubeconfig ${refs}: clusters[1].cluster.server: missing server`,
      );
    });

    it('an unreadable certificate file', () => {
      const file = fixture('unreadable-cert.yaml');
      const e = thrown(() => configFromKubeconfig({ path: file, env: noEnv }));
      expect(e.reason).toBe('unreadableFile');
      expect(e.message).toBe(
        `kubeconfig ${file}: users[0].user.client-certificate: cannot read ${fixture('certs/missing.pem')}: ENOENT`,
      );
    });

    it('no kubeconfig at all', () => {
      const e = thrown(() => configFromKubeconfig({ path: fixture('does-not-exist.yaml') }));
      expect(e.reason).toBe('noConfig');
      expect(e.message).toContain('does-not-exist.yaml');
    });

    it('two authentication methods, a legacy auth-provider, groups without a user', () => {
      const parse = (user: string) => {
        const text = `clusters: [{name: c, cluster: {server: "https://c"}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\nusers:\n- name: u\n  user: ${user}\n`;
        return () => configFromKubeconfig({ kubeconfig: Kubeconfig.parse(text, '/k/f.yaml'), env: noEnv });
      };
      expect(thrown(parse('{token: a, username: b, password: c}')).message).toBe(
        'kubeconfig /k/f.yaml: users[0].user: more than one authentication method (token, username/password); only one is allowed',
      );
      const legacy = thrown(parse('{auth-provider: {name: gcp}}'));
      expect(legacy.reason).toBe('unsupported');
      expect(legacy.message).toContain('users[0].user.auth-provider: legacy auth provider "gcp" is not supported');
      expect(thrown(parse('{as-groups: [g]}')).message).toContain('users[0].user.as: as-groups, as-uid or as-user-extra given without as');
      expect(thrown(parse('{client-certificate-data: "%%%"}')).message).toBe(
        'kubeconfig /k/f.yaml: users[0].user.client-certificate-data: not base64',
      );
    });
  });

  describe('certificates and keys, checked at load', () => {
    const load = (cluster: string, user: string) =>
      configFromKubeconfig({
        kubeconfig: Kubeconfig.parse(
          `clusters: [{name: c, cluster: {server: "https://c:6443"${cluster}}}]\nusers: [{name: u, user: {${user}}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
          '/k/t.yaml',
        ),
        env: noEnv,
      });
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const pair = `client-certificate-data: ${base64Of('certs/client.pem')}, client-key-data: ${base64Of('certs/client-key.pem')}`;

    it('accepts a real CA bundle, certificate and key', () => {
      const bundle = `${readFileSync(fixture('certs/ca.pem'), 'utf8')}${readFileSync(fixture('certs/client.pem'), 'utf8')}`;
      expect(load(`, certificate-authority-data: ${b64(bundle)}`, pair).tls?.ca).toBe(bundle);
    });

    it('names the field when the CA holds no certificate, or one that cannot be parsed', () => {
      expect(thrown(() => load(`, certificate-authority-data: ${b64('not a pem')}`, pair)).message).toBe(
        'kubeconfig /k/t.yaml: clusters[0].cluster.certificate-authority-data: no PEM certificate in it (-----BEGIN CERTIFICATE-----)',
      );
      const broken = `${readFileSync(fixture('certs/ca.pem'), 'utf8')}-----BEGIN CERTIFICATE-----\nZmFrZSBjYQ==\n-----END CERTIFICATE-----\n`;
      const e = thrown(() => load(`, certificate-authority-data: ${b64(broken)}`, pair));
      expect(e.reason).toBe('invalidKubeconfig');
      expect(e.message).toMatch(/^kubeconfig \/k\/t\.yaml: clusters\[0\]\.cluster\.certificate-authority-data: certificate 2 of 2 cannot be parsed: /);
      expect(e.context).toMatchObject({ file: '/k/t.yaml', field: 'clusters[0].cluster.certificate-authority-data', entry: 'c' });
    });

    it('names the file a bad certificate was read from', () => {
      const e = thrown(() => load(`, certificate-authority: ${fixture('certs/client-key.pem')}`, pair));
      expect(e.message).toBe(
        `kubeconfig /k/t.yaml: clusters[0].cluster.certificate-authority (${fixture('certs/client-key.pem')}): no PEM certificate in it (-----BEGIN CERTIFICATE-----)`,
      );
    });

    it('refuses a key that cannot be read without putting any of it in the message', () => {
      const secret = 'c2VjcmV0LWtleS1tYXRlcmlhbA';
      const key = `-----BEGIN PRIVATE KEY-----\n${secret}==\n-----END PRIVATE KEY-----\n`;
      const e = thrown(() => load('', `client-certificate-data: ${base64Of('certs/client.pem')}, client-key-data: ${b64(key)}`));
      expect(e.message).toBe(
        'kubeconfig /k/t.yaml: users[0].user.client-key-data: not a private key that can be read (PEM: PKCS#8, PKCS#1 or SEC1, not encrypted)',
      );
      expect(JSON.stringify(e.context)).not.toContain(secret);
    });

    it('refuses a certificate and a key that do not belong together', () => {
      const e = thrown(() => load('', `client-certificate-data: ${base64Of('certs/client.pem')}, client-key-data: ${base64Of('certs/other-key.pem')}`));
      expect(e.message).toBe("kubeconfig /k/t.yaml: users[0].user: client-certificate and client-key do not belong together (the key is not the certificate's)");
      expect(e.context).toMatchObject({ field: 'users[0].user', entry: 'u' });
    });
  });

  it('creates an ExecAuth with the cluster info for exec users', () => {
    const text = [
      `clusters: [{name: c, cluster: {server: "https://c:6443", certificate-authority-data: "${base64Of('certs/ca.pem')}", tls-server-name: api}}]`,
      'contexts: [{name: x, context: {cluster: c, user: u}}]',
      'current-context: x',
      'users:',
      '- name: u',
      '  user:',
      '    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./exec-plugin.mjs, interactiveMode: Never}',
    ].join('\n');
    const config = configFromKubeconfig({ kubeconfig: Kubeconfig.parse(text, fixture('virtual.yaml')), env: noEnv });
    expect(config.auth).toBeInstanceOf(ExecAuth);
    expect((config.auth as ExecAuth).exec.command).toBe(fixture('exec-plugin.mjs'));
    expect(config.auth?.kind).toBe('exec:exec-plugin.mjs');
  });

  describe('proxies', () => {
    const text = (proxy: string) =>
      `clusters: [{name: c, cluster: {server: "https://api.corp.example:6443"${proxy}}}]\ncontexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n`;
    const load = (proxy: string, env: NodeJS.ProcessEnv) => {
        return configFromKubeconfig({ kubeconfig: Kubeconfig.parse(text(proxy), '/k/p.yaml'), env });
    };

    it('takes proxy-url from the cluster before the environment', () => {
      expect(load(', proxy-url: "http://kc-proxy:1"', { HTTPS_PROXY: 'http://env-proxy:2' }).proxyUrl).toBe('http://kc-proxy:1');
    });

    it('falls back to HTTPS_PROXY unless NO_PROXY matches', () => {
      expect(load('', { HTTPS_PROXY: 'http://env-proxy:2' }).proxyUrl).toBe('http://env-proxy:2');
      expect(load('', { HTTPS_PROXY: 'http://env-proxy:2', NO_PROXY: '.corp.example' }).proxyUrl).toBeUndefined();
      expect(load('', { HTTP_PROXY: 'http://env-proxy:2' }).proxyUrl).toBeUndefined();
    });

    it('builds only the chosen context: a broken proxy or certificate elsewhere does not stop loading, and names its file and field once chosen', () => {
      const kubeconfig = Kubeconfig.parse(
        [
          'clusters:',
          '- {name: good, cluster: {server: "https://good.example:6443"}}',
          '- {name: bad-proxy, cluster: {server: "https://bad.example:6443", proxy-url: "gopher://old-proxy:70"}}',
          'users:',
          '- {name: me, user: {token: t}}',
          '- {name: bad-cert, user: {client-certificate: ./certs/missing.pem, client-key: ./certs/missing.pem}}',
          'contexts:',
          '- {name: good, context: {cluster: good, user: me}}',
          '- {name: via-bad-proxy, context: {cluster: bad-proxy, user: me}}',
          '- {name: with-bad-cert, context: {cluster: good, user: bad-cert}}',
          'current-context: good',
        ].join('\n'),
        fixture('mixed.yaml'),
      );
      const good = configFromKubeconfig({ kubeconfig, env: noEnv });
      expect(good.server).toBe('https://good.example:6443');
      expect(good.transport?.httpsAgent).toBeDefined();

      const proxy = thrown(() => configFromKubeconfig({ kubeconfig, context: 'via-bad-proxy', env: noEnv }));
      expect(proxy.reason).toBe('unsupported');
      expect(proxy.message).toBe(
        `kubeconfig ${fixture('mixed.yaml')}: clusters[1].cluster.proxy-url: scheme gopher: is not supported (use http, https, socks5 or socks5h)`,
      );
      expect(proxy.context).toEqual({ file: fixture('mixed.yaml'), field: 'clusters[1].cluster.proxy-url', entry: 'bad-proxy' });
      const cert = thrown(() => configFromKubeconfig({ kubeconfig, context: 'with-bad-cert', env: noEnv }));
      expect(cert.reason).toBe('unreadableFile');
      expect(cert.context).toMatchObject({ file: fixture('mixed.yaml'), field: 'users[1].user.client-certificate', entry: 'bad-cert' });
    });

    it('redacts the proxy password in inspect output', () => {
      const config = load(', proxy-url: "http://user:pw-secret@kc-proxy:1"', {});
      expect(inspect(config)).not.toContain('pw-secret');
    });
  });

  describe('transport', () => {
    it('shares one agent between configs for the same cluster and credentials', () => {
      const a = configFromKubeconfig({ path: full, env: noEnv });
      const b = configFromKubeconfig({ path: full, env: noEnv, namespace: 'elsewhere' });
      expect(a.transport?.httpsAgent).toBeDefined();
      expect(a.transport?.httpsAgent).toBe(b.transport?.httpsAgent);
      expect(a.transport?.httpAgent).toBe(b.transport?.httpAgent);
    });

    it('uses another agent for other credentials, and the same one for another token', () => {
      const files = configFromKubeconfig({ path: full, env: noEnv });
      const data = configFromKubeconfig({ path: full, context: 'data', env: noEnv });
      const tokenFile = configFromKubeconfig({ path: full, context: 'token-file', env: noEnv });
      const anonymous = configFromKubeconfig({ path: full, context: 'anonymous', env: noEnv });
      expect(files.transport?.httpsAgent).not.toBe(data.transport?.httpsAgent);
      expect(data.transport?.httpsAgent).not.toBe(tokenFile.transport?.httpsAgent); // client cert vs none
      expect(tokenFile.transport?.httpsAgent).toBe(anonymous.transport?.httpsAgent); // tokens are headers, not TLS
    });

    it('carries the TLS material with verification on', () => {
      const agent = configFromKubeconfig({ path: full, env: noEnv }).transport?.httpsAgent as import('node:https').Agent;
      expect(agent.options).toMatchObject({
        keepAlive: true,
        rejectUnauthorized: true,
        servername: 'api.internal',
        ca: readFileSync(fixture('certs/ca.pem'), 'utf8'),
      });
      const insecure = configFromKubeconfig({ path: full, context: 'basic', env: noEnv }).transport
        ?.httpsAgent as import('node:https').Agent;
      expect(insecure.options.rejectUnauthorized).toBe(false);
    });
  });

  it('never shows keys, tokens or passwords in util.inspect or JSON.stringify', () => {
    for (const context of ['files', 'data', 'basic', 'token-file']) {
      const config = configFromKubeconfig({ path: full, context, env: noEnv });
      const texts = [inspect(config, { depth: 20 }), JSON.stringify(config), inspect(config.transport, { depth: 20 })];
      for (const text of texts) {
        expect(text).toContain('server');
        for (const secret of ['data-key-secret', 'c2VjcmV0LWtleS1tYXRlcmlhbA', 'static-token-xyz', 's3cr3t-pass', 'file-token-123']) {
          expect(text).not.toContain(secret);
        }
      }
    }
  });
});
