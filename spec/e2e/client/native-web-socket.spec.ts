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
// opened it; a page of another origin is cancelled, whatever its token, unless it goes through a front that asks for
// no client certificate (a TLS-terminating proxy with a certificate of its own, as an ingress would be).
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
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

/** base64 of the SHA-256 of a certificate's public key (DER SubjectPublicKeyInfo): Chromium's pin format. */
const keyPin = (cert: X509Certificate): string => createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');

/**
 * A TLS front for `server` that asks no client certificate, like an ingress: its own throw-away certificate for
 * 127.0.0.1 (openssl), each connection piped to the API server over TLS checked against `ca`.
 */
async function tlsFront(server: string, ca: string): Promise<{ url: string; pin: string; close(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'rxkube-front-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=front', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'pipe' });
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    const { hostname, port } = new URL(server);
    const front = tls.createServer({ cert, key }, (inbound) => {
      const upstream = tls.connect({ host: hostname, port: Number(port), ca });
      inbound.pipe(upstream).pipe(inbound);
      const end = () => {
        inbound.destroy();
        upstream.destroy();
      };
      inbound.on('error', end);
      upstream.on('error', end);
    });
    front.listen(0, '127.0.0.1');
    await once(front, 'listening');
    return { url: `https://127.0.0.1:${(front.address() as AddressInfo).port}`, pin: keyPin(new X509Certificate(cert)), close: () => front.close() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** base64 of the SHA-256 of the server certificate's public key, after checking the certificate against `ca`. */
function serverKeyPin(server: string, ca: string): Promise<string> {
  const { hostname, port } = new URL(server);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), ca, servername: hostname === '127.0.0.1' ? undefined : hostname }, () => {
      const pin = keyPin(socket.getPeerX509Certificate()!);
      socket.end();
      resolve(pin);
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

  let front: Awaited<ReturnType<typeof tlsFront>>;
  let app: Server;
  let other: Page;
  const otherConsole: string[] = [];

  const exec = (call: Omit<ExecCall, 'server' | 'namespace' | 'pod'> & { server?: string }, on: Page = page): Promise<ExecOutcome> =>
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
    front = await tlsFront(cluster.server, ca);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--ignore-certificate-errors-spki-list=${pin},${front.pin}`],
    });
    const script = await bundle();
    page = await browser.newPage();
    // A top-level visit: the browser answers the certificate request (with none) and remembers it for this origin.
    const version = await page.goto(`${cluster.server}/version`);
    expect(version?.status()).toBe(200);
    await page.addScriptTag({ content: script });

    // Another app's page: localhost → 127.0.0.1 stays within the local network, so Chromium's Local Network Access
    // checks let it reach the API server and the front.
    app = createServer((_req, res) => res.setHeader('content-type', 'text/html').end('<!doctype html><title>app</title>'));
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    other = await browser.newPage();
    other.on('console', (m) => otherConsole.push(m.text()));
    await other.goto(`http://localhost:${(app.address() as AddressInfo).port}/`);
    await other.addScriptTag({ content: script });
  });

  afterAll(async () => {
    await browser?.close();
    app?.close();
    front?.close();
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
    // a command that asks at once can see 0 0 (seen under load): the shell asks after a line of input, as a user would,
    // and again for up to a second while it is still 0 0. kwok also loses a TTY's output written just before the
    // process exits (kubectl exec -t too: "got typed" missing in 4 of 12 runs by hand), hence the sleep at the end.
    const script = 'read line; for i in 1 2 3 4 5; do s=$(stty size); [ "$s" != "0 0" ] && break; sleep 0.2; done; echo "$s"; echo "got $line"; sleep 1';
    const tty = await exec({ token: tokens.admin, command: ['sh', '-c', script], stdin: 'typed\r', tty: { width: 91, height: 17 } });
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
    const outcome = await exec({ token: tokens.admin, command: ['echo', 'hi'] }, other);
    expect(outcome).toMatchObject({ error: { name: 'PodStreamError', reason: 'connectionLost' } });
    // The page cannot tell why; Chromium's console can: cancelled, not refused by the server nor blocked by the
    // Local Network Access checks (which say ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS).
    expect(otherConsole.join('\n')).toMatch(/WebSocket opening handshake was canceled/);
  });

  it('from a page of another origin through a front that asks for no client certificate, the token works (and decides)', async () => {
    await expect(exec({ server: front.url, token: tokens.admin, command: ['echo', 'through the front'] }, other)).resolves.toEqual({
      ok: { protocol: 'v5.channel.k8s.io', stdout: 'through the front\n', stderr: '', exitCode: 0 },
    });
    await expect(exec({ server: front.url, token: tokens.nobody, command: ['true'] }, other)).resolves.toMatchObject({ error: { reason: 'connectionLost' } });
  });
});
