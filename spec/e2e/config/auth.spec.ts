// rxkube/config against the real kube-apiserver: every way of authenticating a kubeconfig user is
// proven by a real HTTPS request (listing namespaces needs an authorised identity; the RBAC-less
// user gets 403, a wrong token 401), through rxkube's own Client and the shared agents.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { VirtualTimeScheduler } from 'rxjs';
import { configFromKubeconfig } from '../../../lib/config/from-kubeconfig.js';
import { ExecAuth } from '../../../lib/config/exec.js';
import { kubeconfigPath, kubectlPath } from '../support/cluster.js';
import { ConfigError } from '../../../lib/config/config-error.js';
import { startSocks5Server } from '../../config/support/socks5-server.js';
import { adminCertFiles, execPlugin, listNamespaces, tempDir, testUser, tokenCsv, writeKubeconfig } from './support.js';

const runs = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').length : 0);
const env = {}; // no proxies from the machine's environment

describe('config auth (e2e)', () => {
  it('authenticates with the client certificate of the current context', async () => {
    const config = configFromKubeconfig({ path: kubeconfigPath(), env });
    expect(config.tls?.cert).toContain('BEGIN CERTIFICATE');
    expect(await listNamespaces(config)).toMatchObject({ ok: true });
  });

  it('authenticates with a bearer token, and an RBAC-less token gets 403', async () => {
    expect(await listNamespaces(configFromKubeconfig({ path: kubeconfigPath(), context: 'rxkube-token', env }))).toMatchObject({ ok: true });
    expect(await listNamespaces(configFromKubeconfig({ path: kubeconfigPath(), context: 'rxkube-nobody', env }))).toEqual({ ok: false, status: 403 });
  });

  it('shares one keep-alive agent between configs of the same cluster and credentials', async () => {
    const a = configFromKubeconfig({ path: kubeconfigPath(), context: 'rxkube-token', env });
    const b = configFromKubeconfig({ path: kubeconfigPath(), context: 'rxkube-nobody', env });
    expect(a.transport?.httpsAgent).toBe(b.transport?.httpsAgent);
    const agent = a.transport?.httpsAgent as http.Agent;
    await listNamespaces(a);
    await listNamespaces(b);
    // Both requests went over the same pooled connection.
    const pooled = Object.values(agent.freeSockets).reduce((n, list) => n + (list?.length ?? 0), 0);
    expect(pooled).toBe(1);
  });

  it('impersonates the user named by `as` (the RBAC-less user gets 403)', async () => {
    const dir = tempDir();
    const admin = testUser('admin');
    const file = writeKubeconfig(dir, { ...admin, as: 'nobody' });
    expect(await listNamespaces(configFromKubeconfig({ path: file, env }))).toEqual({ ok: false, status: 403 });
  });

  it('authenticates with an exec plugin that prints the admin token from the cluster token file', async () => {
    const csv = tokenCsv();
    if (csv === undefined) throw new Error('the control plane token file was not found next to the kubeconfig');
    const dir = tempDir();
    const count = path.join(dir, 'runs');
    const info = path.join(dir, 'info.json');
    const file = writeKubeconfig(dir, {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: execPlugin,
        interactiveMode: 'IfAvailable',
        provideClusterInfo: true,
        env: [
          { name: 'PLUGIN_TOKEN_FROM_CSV', value: csv },
          { name: 'PLUGIN_TOKEN_USER', value: 'admin-token' },
          { name: 'PLUGIN_COUNT_FILE', value: count },
          { name: 'PLUGIN_INFO_FILE', value: info },
        ],
      },
    });
    const config = configFromKubeconfig({ path: file, env });
    expect(await listNamespaces(config)).toMatchObject({ ok: true });
    expect(await listNamespaces(configFromKubeconfig({ path: file, env }))).toMatchObject({ ok: true });
    expect(runs(count)).toBe(1); // cached across configs and requests
    const spec = JSON.parse(readFileSync(info, 'utf8')).spec;
    expect(spec.cluster.server).toBe(config.server);
    expect(Buffer.from(spec.cluster['certificate-authority-data'], 'base64').toString()).toBe(config.tls?.ca);
  });

  it('re-runs the exec plugin once after a 401', async () => {
    const dir = tempDir();
    const count = path.join(dir, 'runs');
    const tokenFile = path.join(dir, 'token');
    writeFileSync(tokenFile, 'not-a-valid-token');
    const file = writeKubeconfig(dir, {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: execPlugin,
        env: [
          { name: 'PLUGIN_TOKEN_FILE', value: tokenFile },
          { name: 'PLUGIN_COUNT_FILE', value: count },
        ],
      },
    });
    const config = configFromKubeconfig({ path: file, env });
    expect(await listNamespaces(config)).toEqual({ ok: false, status: 401 });
    expect(runs(count)).toBe(2); // the first run, then exactly one re-run after the 401

    writeFileSync(tokenFile, String(testUser('admin-token')['token']));
    expect(await listNamespaces(config)).toMatchObject({ ok: true }); // cached bad token → 401 → re-run → good
    expect(runs(count)).toBe(3);
    expect(await listNamespaces(config)).toMatchObject({ ok: true });
    expect(runs(count)).toBe(3);
  });

  it('authenticates with a client certificate printed by an exec plugin', async () => {
    const certs = adminCertFiles();
    if (certs === undefined) throw new Error('the control plane admin certificate was not found next to the kubeconfig');
    const dir = tempDir();
    const file = writeKubeconfig(dir, {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: execPlugin,
        interactiveMode: 'Never',
        env: [
          { name: 'PLUGIN_CERT_FILE', value: certs.cert },
          { name: 'PLUGIN_KEY_FILE', value: certs.key },
          { name: 'PLUGIN_COUNT_FILE', value: path.join(dir, 'runs') },
        ],
      },
    });
    const config = configFromKubeconfig({ path: file, env });
    expect(config.auth).toBeInstanceOf(ExecAuth);
    expect(config.tls?.cert).toBeUndefined();
    expect(await listNamespaces(config)).toMatchObject({ ok: true });
  });

  it('retires pooled connections when an exec plugin hands out a new client certificate', async () => {
    const certs = adminCertFiles();
    if (certs === undefined) throw new Error('the control plane admin certificate was not found next to the kubeconfig');
    const dir = tempDir();
    const pki = path.dirname(certs.cert);
    // A second valid client certificate, for a user without RBAC bindings, signed by the cluster CA.
    const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', 'nobody.key', '-subj', '/CN=cert-nobody', '-out', 'nobody.csr']);
    openssl(['x509', '-req', '-in', 'nobody.csr', '-CA', path.join(pki, 'ca.crt'), '-CAkey', path.join(pki, 'ca.key'),
      '-CAserial', path.join(dir, 'serial'), '-CAcreateserial', '-days', '1', '-out', 'nobody.crt']);
    const current = { cert: path.join(dir, 'current.crt'), key: path.join(dir, 'current.key') };
    copyFileSync(certs.cert, current.cert);
    copyFileSync(certs.key, current.key);

    const clock = new VirtualTimeScheduler(); // now() = 0 = 1970-01-01T00:00:00Z
    writeFileSync(path.join(dir, 'expiration'), '1970-01-01T00:05:00Z');
    const file = writeKubeconfig(dir, {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: execPlugin,
        interactiveMode: 'Never',
        env: [
          { name: 'PLUGIN_CERT_FILE', value: current.cert },
          { name: 'PLUGIN_KEY_FILE', value: current.key },
          { name: 'PLUGIN_EXPIRATION_FILE', value: path.join(dir, 'expiration') },
          { name: 'PLUGIN_COUNT_FILE', value: path.join(dir, 'runs') },
        ],
      },
    });
    const config = configFromKubeconfig({ path: file, env, scheduler: clock });
    expect(await listNamespaces(config)).toMatchObject({ ok: true }); // admin certificate
    expect(await listNamespaces(config)).toMatchObject({ ok: true });

    copyFileSync(path.join(dir, 'nobody.crt'), current.cert);
    copyFileSync(path.join(dir, 'nobody.key'), current.key);
    writeFileSync(path.join(dir, 'expiration'), '1970-01-01T01:00:00Z');
    clock.schedule(() => undefined, 240_000); // 60 s before expiry: the plugin runs again
    clock.flush();
    // The pooled admin connection must not be reused: the request goes out with the new certificate.
    expect(await listNamespaces(config)).toEqual({ ok: false, status: 403 });
    expect(runs(path.join(dir, 'runs'))).toBe(2);
  });

  it('picks up a rotated tokenFile after 60 s without a restart', async () => {
    const dir = tempDir();
    const tokenFile = path.join(dir, 'token');
    const adminToken = String(testUser('admin-token')['token']);
    const nobodyToken = String(testUser('nobody')['token']);
    writeFileSync(tokenFile, adminToken);
    const clock = new VirtualTimeScheduler();
    const config = configFromKubeconfig({ path: writeKubeconfig(dir, { tokenFile }), env, scheduler: clock });
    const advance = (ms: number) => {
      clock.schedule(() => undefined, ms);
      clock.flush();
    };

    expect(await listNamespaces(config)).toMatchObject({ ok: true });
    writeFileSync(tokenFile, nobodyToken); // rotate to another valid token (of a user without RBAC)
    advance(59_000);
    expect(await listNamespaces(config)).toMatchObject({ ok: true }); // still the cached admin token
    advance(1_000);
    expect(await listNamespaces(config)).toEqual({ ok: false, status: 403 }); // re-read: now `nobody`
    writeFileSync(tokenFile, adminToken);
    advance(60_000);
    expect(await listNamespaces(config)).toMatchObject({ ok: true });
  });

  it('reaches the API server through an HTTP CONNECT proxy named by proxy-url', async () => {
    const tunnels: string[] = [];
    const sockets: net.Socket[] = [];
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      sockets.push(client);
      const [host, port] = (req.url ?? '').split(/:(?=\d+$)/);
      const upstream = net.connect(Number(port), host, () => {
        sockets.push(upstream);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = proxy.address() as net.AddressInfo;
      const dir = tempDir();
      const file = writeKubeconfig(dir, testUser('admin-token'), { 'proxy-url': `http://127.0.0.1:${port}` });
      const config = configFromKubeconfig({ path: file, env });
      expect(config.proxyUrl).toBe(`http://127.0.0.1:${port}`);
      expect(await listNamespaces(config)).toMatchObject({ ok: true });
      expect(tunnels).toEqual([new URL(config.server).host]);
    } finally {
      for (const socket of sockets) socket.destroy(); // tunnels are not HTTP connections: close() would wait for them
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('reaches the API server through a SOCKS5 proxy named by proxy-url (with user and password), as kubectl does', async () => {
    const socks = await startSocks5Server({ rx: 's3cret' });
    try {
      const dir = tempDir();
      const file = writeKubeconfig(dir, testUser('admin-token'), { 'proxy-url': `socks5://rx:s3cret@${socks.address}` });
      const config = configFromKubeconfig({ path: file, env });
      expect(await listNamespaces(config)).toMatchObject({ ok: true });
      expect(socks.connects).toEqual([{ target: new URL(config.server).host, user: 'rx' }]);
      // kubectl, an independent client, accepts the same kubeconfig through the same proxy.
      // (asynchronously: the SOCKS server runs in this process)
      const out = await promisify(execFile)(kubectlPath(), ['--kubeconfig', file, 'get', 'namespace', 'default', '-o', 'name'], { encoding: 'utf8', timeout: 60_000 });
      expect(out.stdout.trim()).toBe('namespace/default');
      expect(socks.connects.length).toBeGreaterThanOrEqual(2);
    } finally {
      await socks.close();
    }
  });

  it('names the file and clusters[i].cluster.proxy-url when the proxy scheme is unsupported', () => {
    const dir = tempDir();
    const file = writeKubeconfig(dir, testUser('admin-token'), { 'proxy-url': 'ftp://user:pw@127.0.0.1:21' });
    let e: unknown;
    try {
      configFromKubeconfig({ path: file, env });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).message.startsWith(`kubeconfig ${file}: clusters[0].cluster.proxy-url: scheme ftp: is not supported`)).toBe(true);
    expect((e as ConfigError).message).not.toContain('pw@');
  });
});
