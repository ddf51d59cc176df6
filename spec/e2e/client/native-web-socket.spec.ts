// nativeWebSocketConnector in a real browser: rxkube's client bundled into a page of headless Chromium, talking to
// kube-apiserver directly with a bearer token (no kubectl proxy). A browser's WebSocket cannot send headers, so the
// token travels as the `base64url.bearer.authorization.k8s.io.` subprotocol. Chromium trusts the plane's serving
// certificate by its public key (`--ignore-certificate-errors-spki-list`), pinned after Node verified it against
// the plane's CA from the kubeconfig.
//
// kube-apiserver asks every TLS client for a certificate (it has a client CA). Chromium cancels a WebSocket whose
// handshake asks for one unless the browser already chose (here: none) for that server in the same network
// partition, which a top-level visit does; a WebSocket may not show the certificate picker (netlog:
// SSL_CLIENT_CERT_REQUESTED, then CANCELLED). So the page here is on the API server's own origin, after the browser
// opened it; a page of another origin is cancelled (the last test), whatever its token.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Api } from '../../../lib/client/api.js';
import { Kubeconfig } from '../../../lib/config/kubeconfig.js';
import { Pod } from '../../../lib/core/builtins.js';
import { awaitCondition } from '../../../lib/runtime/wait/await-condition.js';
import { isPodRunning } from '../../../lib/runtime/wait/conditions.js';
import { startTestCluster, type TestCluster } from '../../../lib/testing/index.js';
import type { ExecCall, ExecOutcome } from './browser-fixtures/native-exec.js';

const CHROMIUM = process.env.RXKUBE_CHROMIUM ?? '/usr/bin/chromium';
const root = join(__dirname, '../../..');

/** base64 of the SHA-256 of the server certificate's public key, after checking the certificate against `ca`. */
function serverKeyPin(server: string, ca: string): Promise<string> {
  const { hostname, port } = new URL(server);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), ca, servername: hostname === '127.0.0.1' ? undefined : hostname }, () => {
      const spki = socket.getPeerX509Certificate()!.publicKey.export({ type: 'spki', format: 'der' });
      socket.end();
      resolve(createHash('sha256').update(spki).digest('base64'));
    });
    socket.on('error', reject);
  });
}

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [join(__dirname, 'browser-fixtures/native-exec.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'warning',
    alias: { 'rxkube/core': join(root, 'lib/core/index.ts'), 'rxkube/client': join(root, 'lib/client/index.ts') },
  });
  return result.outputFiles[0]!.text;
}

describe('nativeWebSocketConnector in Chromium, straight to kube-apiserver with a bearer token (e2e)', () => {
  let cluster: TestCluster;
  let ns: string;
  let browser: Browser;
  let page: Page;
  let tokens: { admin: string; nobody: string };

  let script: string;

  const exec = (call: Omit<ExecCall, 'server' | 'namespace' | 'pod'>, on: Page = page): Promise<ExecOutcome> =>
    on.evaluate((c) => (window as unknown as { rxkubeExec(c: ExecCall): Promise<ExecOutcome> }).rxkubeExec(c), { server: cluster.server, namespace: ns, pod: 'shell', ...call });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
    cluster = await startTestCluster();
    ns = await cluster.namespace('native-ws');
    const pods = Api.namespaced(cluster.client, Pod, ns);
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'shell' }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }], terminationGracePeriodSeconds: 0 } });
    await awaitCondition(pods, 'shell', isPodRunning(), { timeout: 60_000 });

    const kubeconfig = Kubeconfig.readFile(cluster.kubeconfig);
    const token = (user: string) => kubeconfig.users.get(user)!.value.token!;
    tokens = { admin: token('admin-token'), nobody: token('nobody') };
    const ca = Buffer.from(kubeconfig.clusters.get('rxkube')!.value.certificateAuthorityData!, 'base64').toString();
    const pin = await serverKeyPin(cluster.server, ca);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--ignore-certificate-errors-spki-list=${pin}`],
    });
    page = await browser.newPage();
    // A top-level visit: the browser answers the certificate request (with none) and remembers it for this origin.
    const version = await page.goto(`${cluster.server}/version`);
    expect(version?.status()).toBe(200);
    script = await bundle();
    await page.addScriptTag({ content: script });
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it('runs a command with the admin token: v5.channel.k8s.io, stdout and stderr apart, exit code 0', async () => {
    await expect(exec({ token: tokens.admin, command: ['sh', '-c', 'echo out; echo err >&2'] })).resolves.toEqual({
      ok: { protocol: 'v5.channel.k8s.io', stdout: 'out\n', stderr: 'err\n', exitCode: 0 },
    });
  });

  it('sends stdin and sizes the TTY', async () => {
    const piped = await exec({ token: tokens.admin, command: ['head', '-c', '11'], stdin: 'round trip\n' });
    expect(piped).toEqual({ ok: { protocol: 'v5.channel.k8s.io', stdout: 'round trip\n', stderr: '', exitCode: 0 } });
    // The size goes as a resize message right after the upgrade; kwok applies it to the pty on a goroutine of its own, so
    // a command that asked at once could see 0 0 (seen under load): asked after a line of input, as a user would. And
    // kwok loses a TTY's output written just before the process exits (kubectl exec -t too: "got typed" missing in 4 of
    // 12 runs by hand), hence the sleep at the end.
    const tty = await exec({ token: tokens.admin, command: ['sh', '-c', 'read line; stty size; echo "got $line"; sleep 1'], stdin: 'typed\r', tty: { width: 91, height: 17 } });
    expect(tty).toMatchObject({ ok: { exitCode: 0 } });
    const lines = 'ok' in tty ? tty.ok.stdout.split('\r\n') : [];
    expect(lines).toContain('17 91');
    expect(lines).toContain('got typed');
  });

  it('a token without RBAC (rxkube-nobody) is refused, which a browser sees only as connectionLost; the token is in no message', async () => {
    const outcome = await exec({ token: tokens.nobody, command: ['true'] });
    expect(outcome).toMatchObject({ error: { name: 'PodStreamError', reason: 'connectionLost' } });
    expect(JSON.stringify(outcome)).not.toContain(tokens.nobody);
  });

  it('impersonation headers cannot be sent from a browser: PodStreamError unsupported, naming the header', async () => {
    const outcome = await exec({ token: tokens.admin, command: ['true'], impersonate: 'someone' });
    expect(outcome).toMatchObject({ error: { name: 'PodStreamError', reason: 'unsupported' } });
    expect('error' in outcome && outcome.error.message).toMatch(/Impersonate-User/);
    expect(JSON.stringify(outcome)).not.toContain(tokens.admin);
  });

  it('from a page of another origin the upgrade is cancelled (the server asks for a client certificate): connectionLost', async () => {
    const app = createServer((_req, res) => res.setHeader('content-type', 'text/html').end('<!doctype html><title>app</title>'));
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    const other = await browser.newPage();
    const messages: string[] = [];
    other.on('console', (m) => messages.push(m.text()));
    try {
      // localhost → 127.0.0.1 stays within the local network, so Chromium's Local Network Access checks allow it.
      await other.goto(`http://localhost:${(app.address() as AddressInfo).port}/`);
      await other.addScriptTag({ content: script });
      const outcome = await exec({ token: tokens.admin, command: ['echo', 'hi'] }, other);
      expect(outcome).toMatchObject({ error: { name: 'PodStreamError', reason: 'connectionLost' } });
      // The page cannot tell why; Chromium's console can: cancelled, not refused by the server nor blocked by the
      // Local Network Access checks (which say ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS).
      expect(messages.join('\n')).toMatch(/WebSocket opening handshake was canceled/);
    } finally {
      await other.close();
      app.close();
    }
  });
});
