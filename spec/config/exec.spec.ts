import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { VirtualTimeScheduler } from 'rxjs';
import { ConfigError } from '../../lib/config/config-error';
import { ExecAuth, type ExecClusterInfo } from '../../lib/config/exec';
import type { ExecConfig } from '../../lib/config/kubeconfig';

const plugin = path.resolve(__dirname, '../fixtures/config/exec-plugin.mjs');
const V1 = 'client.authentication.k8s.io/v1';

/** A fresh temp dir per test: the count file in `env` also makes each plugin configuration unique. */
function setup(env: Record<string, string> = {}, overrides: Partial<ExecConfig> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'rxkube-exec-'));
  const countFile = path.join(dir, 'runs');
  const exec: ExecConfig = {
    apiVersion: V1,
    command: plugin,
    args: [],
    env: Object.entries({ PLUGIN_COUNT_FILE: countFile, PLUGIN_TOKEN: 'exec-token-1', ...env }).map(([name, value]) => ({ name, value })),
    provideClusterInfo: false,
    interactiveMode: 'Never',
    ...overrides,
  };
  const runs = () => (existsSync(countFile) ? readFileSync(countFile, 'utf8').trim().split('\n').length : 0);
  return { dir, exec, runs };
}

/** Moves a virtual clock forward by `ms`. */
function advance(clock: VirtualTimeScheduler, ms: number): void {
  clock.schedule(() => undefined, ms);
  clock.flush();
}

async function rejection(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a rejection');
}

describe('ExecAuth', () => {
  it('runs the plugin and sends its token', async () => {
    const { exec, runs } = setup();
    const auth = new ExecAuth(exec);
    expect(await auth.headers()).toEqual({ Authorization: 'Bearer exec-token-1' });
    expect(runs()).toBe(1);
  });

  it('caches per plugin configuration, not per instance or user', async () => {
    const { exec, runs } = setup();
    await new ExecAuth(exec).headers();
    await new ExecAuth({ ...exec }).headers(); // another user entry with the same plugin configuration
    expect(runs()).toBe(1);
    // The same command with other args is another configuration.
    await new ExecAuth({ ...exec, args: ['--other'] }).headers();
    expect(runs()).toBe(2);
  });

  it('shares one run between concurrent callers', async () => {
    const { exec, runs } = setup({ PLUGIN_DELAY_MS: '300' });
    const auth = new ExecAuth(exec);
    const other = new ExecAuth(exec);
    const all = await Promise.all([auth.headers(), auth.headers(), other.headers(), auth.credential()]);
    expect(all.slice(0, 3)).toEqual(Array(3).fill({ Authorization: 'Bearer exec-token-1' }));
    expect(runs()).toBe(1);
  });

  it('runs again once after invalidate()', async () => {
    const { exec, runs } = setup({ PLUGIN_DELAY_MS: '100' });
    const auth = new ExecAuth(exec);
    await auth.headers();
    auth.invalidate();
    const first = auth.headers();
    auth.invalidate(); // a burst of 401s while the new run is in progress: still one run
    await Promise.all([first, auth.headers()]);
    expect(runs()).toBe(2);
    await auth.headers();
    expect(runs()).toBe(2);
  });

  it('refreshes 60 s before expirationTimestamp, on the given clock', async () => {
    const clock = new VirtualTimeScheduler(); // now() starts at 0, i.e. 1970-01-01T00:00:00Z
    const { exec, runs } = setup({ PLUGIN_EXPIRATION: '1970-01-01T00:05:00Z' });
    const auth = new ExecAuth(exec, { scheduler: clock });
    expect((await auth.credential()).expiresAt).toBe(300_000);
    advance(clock, 239_999);
    await auth.headers();
    expect(runs()).toBe(1);
    advance(clock, 1);
    await auth.headers();
    expect(runs()).toBe(2);
  });

  it('passes KUBERNETES_EXEC_INFO with the cluster when provideClusterInfo is set', async () => {
    const { dir, exec } = setup();
    const infoFile = path.join(dir, 'info.json');
    const cluster: ExecClusterInfo = {
      server: 'https://c.example:6443',
      'certificate-authority-data': Buffer.from('PEM').toString('base64'),
      'tls-server-name': 'api',
      config: { region: 'eu' },
    };
    const withInfo = { ...exec, provideClusterInfo: true, env: [...exec.env, { name: 'PLUGIN_INFO_FILE', value: infoFile }] };
    await new ExecAuth(withInfo, { cluster }).headers();
    expect(JSON.parse(readFileSync(infoFile, 'utf8'))).toEqual({
      apiVersion: V1,
      kind: 'ExecCredential',
      spec: { interactive: false, cluster },
    });

    const without = { ...withInfo, provideClusterInfo: false, args: ['no-cluster'] };
    await new ExecAuth(without, { cluster }).headers();
    expect(JSON.parse(readFileSync(infoFile, 'utf8')).spec).toEqual({ interactive: false });
  });

  it('speaks v1beta1 too', async () => {
    const { exec } = setup({}, { apiVersion: 'client.authentication.k8s.io/v1beta1' });
    delete (exec as { interactiveMode?: string }).interactiveMode;
    expect(await new ExecAuth(exec).headers()).toEqual({ Authorization: 'Bearer exec-token-1' });
  });

  it('returns client certificates', async () => {
    const certs = path.resolve(__dirname, '../fixtures/config/certs');
    const { exec } = setup({
      PLUGIN_TOKEN: '',
      PLUGIN_CERT_FILE: path.join(certs, 'client.pem'),
      PLUGIN_KEY_FILE: path.join(certs, 'client-key.pem'),
    });
    const auth = new ExecAuth(exec);
    const credential = await auth.credential();
    expect(credential.clientCertificateData).toBe(readFileSync(path.join(certs, 'client.pem'), 'utf8'));
    expect(credential.clientKeyData).toContain('PRIVATE KEY');
    expect(await auth.headers()).toEqual({});
  });

  it('reports a failing plugin with its exit code, the tail of its stderr and the install hint', async () => {
    const { exec } = setup({ PLUGIN_EXIT_CODE: '3', PLUGIN_STDERR_LINES: '400' }, { installHint: 'Install it with: brew install thing' });
    const e = await rejection(new ExecAuth(exec).headers());
    expect(e.reason).toBe('execFailed');
    expect(e.message).toMatch(new RegExp(`^exec plugin "${plugin}": exited with code 3; stderr: `));
    expect(e.message).toContain('plugin error line 400\nInstall it with: brew install thing');
    expect(e.message).toContain('stderr: plugin error line 391\n'); // only the last 10 lines
    expect(e.message).not.toContain('line 390');
    expect(e.context).toMatchObject({ exitCode: 3, command: plugin });
  });

  it('reports a missing program with the install hint, and retries on the next call', async () => {
    const { exec } = setup({}, { command: '/nonexistent/kubectl-login', installHint: 'See https://example.com/install' });
    const auth = new ExecAuth(exec);
    const e = await rejection(auth.headers());
    expect(e.message).toBe('exec plugin "/nonexistent/kubectl-login": cannot run: ENOENT\nSee https://example.com/install');
    await rejection(auth.headers()); // not cached as a success
  });

  it('rejects unusable output without quoting it', async () => {
    const wrongVersion = setup({ PLUGIN_API_VERSION: 'client.authentication.k8s.io/v1beta1' });
    const e = await rejection(new ExecAuth(wrongVersion.exec).headers());
    expect(e.message).toContain('printed apiVersion "client.authentication.k8s.io/v1beta1", expected client.authentication.k8s.io/v1');
    expect(e.message).not.toContain('exec-token-1');

    const empty = setup({ PLUGIN_TOKEN: '' });
    expect((await rejection(new ExecAuth(empty.exec).headers())).message).toContain('status has neither token nor clientCertificateData');
  });

  it('kills a plugin that hangs past timeoutMs and fails with execTimeout naming the plugin, then runs it again on the next call', async () => {
    const { exec } = setup({ PLUGIN_DELAY_MS: '30000' });
    const started = Date.now();
    const e = await rejection(new ExecAuth(exec, { timeoutMs: 1500, origin: 'kubeconfig /k: users[0].user.exec' }).headers());
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1490);
    expect(took).toBeLessThan(15_000); // far below the plugin's 30 s
    expect(e.reason).toBe('execTimeout');
    expect(e.message).toBe(`kubeconfig /k: users[0].user.exec: exec plugin "${plugin}": did not finish within 1500 ms (timeoutMs); it was killed`);
    expect(e.context).toMatchObject({ command: plugin, timeoutMs: 1500 });
    // The shared slot is free again: the next call starts a new run instead of awaiting the dead one.
    expect((await rejection(new ExecAuth(exec, { timeoutMs: 500 }).headers())).reason).toBe('execTimeout');
  });

  it('gives interactive plugins a longer default timeout than non-interactive ones (virtual clock)', async () => {
    const clock = new VirtualTimeScheduler();
    // Moves the clock by `ms`, running only what is due by then.
    const step = (ms: number): void => {
      clock.maxFrames = clock.frame + ms;
      advance(clock, ms);
    };
    const never = setup({ PLUGIN_DELAY_MS: '30000' });
    const hung = new ExecAuth(never.exec, { scheduler: clock }).headers();
    const outcome = hung.then(() => 'resolved', (e: ConfigError) => e.reason);
    await new Promise((r) => setTimeout(r, 200)); // the plugin has started
    step( 59_999);
    expect(await Promise.race([outcome, new Promise((r) => setTimeout(() => r('pending'), 50))])).toBe('pending');
    step( 1);
    expect(await outcome).toBe('execTimeout');

    const maybe = setup({ PLUGIN_DELAY_MS: '30000' }, { interactiveMode: 'IfAvailable' });
    const out2 = new ExecAuth(maybe.exec, { scheduler: clock }).headers().then(() => 'resolved', (e: ConfigError) => e.reason);
    await new Promise((r) => setTimeout(r, 200));
    step( 60_000);
    expect(await Promise.race([out2, new Promise((r) => setTimeout(() => r('pending'), 50))])).toBe('pending');
    step( 240_000);
    expect(await out2).toBe('execTimeout');
  });

  it('refuses interactiveMode Always: there is no terminal', async () => {
    const { exec, runs } = setup({}, { interactiveMode: 'Always' });
    const e = await rejection(new ExecAuth(exec).headers());
    expect(e.message).toContain('interactiveMode is Always but rxkube runs plugins without a terminal');
    expect(runs()).toBe(0);
  });

  it('never shows the credential in util.inspect or JSON.stringify', async () => {
    const { exec } = setup({ PLUGIN_TOKEN: 'very-secret-exec-token' });
    const auth = new ExecAuth(exec);
    await auth.headers();
    for (const text of [inspect(auth, { depth: 10 }), JSON.stringify(auth)]) {
      expect(text).toContain('exec:exec-plugin.mjs');
      expect(text).not.toContain('very-secret-exec-token');
    }
  });
});
