// The browser sample end to end: bundle samples/browser with esbuild, serve it with `kubectl proxy --www`
// (same origin as the API), open it in headless Debian Chromium through playwright-core, and check that a pod
// created with kubectl appears within 2 seconds and disappears when deleted; then select a running (kwok) pod: its
// log panel shows lines appended to the pod's log, and a command typed into its terminal (an exec WebSocket
// through the proxy) shows its output, the TTY sized like the terminal. Saves screenshots of both.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { criLogLine } from '../../../lib/testing/cri-log-line';
import type { PlaneInfo } from '../../../lib/testing/global-setup';
import { kubeconfigPath, kubectl, kubectlPath, useNamespace } from '../support/cluster';

const CHROMIUM = process.env.RXKUBE_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'artifacts');

function startProxy(www: string): Promise<{ proc: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(kubectlPath(), [
      `--kubeconfig=${kubeconfigPath()}`,
      'proxy',
      '--port=0',
      `--www=${www}`,
      '--www-prefix=/ui/',
      // The default also rejects exec, which the terminal needs; attach stays rejected. Serving exec is a privilege:
      // this proxy listens on 127.0.0.1 only (its default), for this test's lifetime (see samples/README.md).
      '--reject-paths=^/api/.*/pods/.*/attach',
    ]);
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Starting to serve on ([\d.]+):(\d+)/.exec(out);
      if (m) resolve({ proc, url: `http://${m[1]}:${m[2]}` });
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`kubectl proxy exited (${code}): ${out}`)));
  });
}

function pod(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { sample: 'browser' } },
    // No scheduler serves this name, so the pod stays Pending (the plane's kwok nodes would otherwise run it).
    spec: { schedulerName: 'rxkube-unscheduled', containers: [{ name: 'app', image: 'registry.invalid/app:1' }] },
  };
}

async function rowVisibleWithin(page: Page, key: string, ms: number): Promise<number> {
  const start = Date.now();
  await page.waitForSelector(`tr[data-pod="${key}"]`, { state: 'attached', timeout: ms });
  return Date.now() - start;
}

describe('samples/browser', () => {
  const ns = useNamespace('browser');
  let proxy: { proc: ChildProcess; url: string };
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
    const dist = mkdtempSync(join(tmpdir(), 'rxkube-browser-'));
    execFileSync(process.execPath, [join(__dirname, '../../../samples/browser/build.mjs'), dist], { stdio: 'pipe' });
    proxy = await startProxy(dist);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 900, height: 420 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto(`${proxy.url}/ui/`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('watching'), undefined, { timeout: 20000 });
  });

  afterAll(async () => {
    await browser?.close();
    proxy?.proc.kill();
  });

  it('shows a pod created with kubectl within 2 seconds and removes it when deleted', async () => {
    await kubectl(['create', '-n', ns, '-f', '-'], { input: JSON.stringify(pod('web-1')) });
    const appearedIn = await rowVisibleWithin(page, `${ns}/web-1`, 2000);
    expect(appearedIn).toBeLessThan(2000);
    await expect(page.textContent(`tr[data-pod="${ns}/web-1"]`)).resolves.toContain('Pending');

    await kubectl(['create', '-n', ns, '-f', '-'], { input: JSON.stringify(pod('web-2')) });
    await rowVisibleWithin(page, `${ns}/web-2`, 2000);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'browser-pods.png') });

    // Pods never bound to a node are removed at once (no kubelet has to confirm).
    await kubectl(['delete', 'pod', 'web-1', '-n', ns, '--wait=false']);
    await page.waitForSelector(`tr[data-pod="${ns}/web-1"]`, { state: 'detached', timeout: 2000 });
    await expect(page.$(`tr[data-pod="${ns}/web-2"]`)).resolves.not.toBeNull();
    expect(consoleErrors).toEqual([]);
  });

  describe('a selected pod', () => {
    const appendPodLog = (text: string) => appendFileSync((JSON.parse(process.env.RXKUBE_TEST_CLUSTER ?? '{}') as PlaneInfo).podLogs, criLogLine(text));
    const logText = () => page.textContent('#log').then((t) => t ?? '');
    // The terminal's lines as xterm.js's DOM renderer shows them.
    const terminalLines = () =>
      page.$$eval('#terminal .xterm-rows > div', (rows) => rows.map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()));
    const terminalSize = async () => {
      const [cols, rows] = ((await page.getAttribute('#terminal', 'data-size')) ?? '').split('x').map(Number);
      return { cols: cols!, rows: rows! };
    };
    async function type(command: string): Promise<void> {
      await page.click('#terminal');
      await page.keyboard.type(command);
      await page.keyboard.press('Enter');
    }

    beforeAll(async () => {
      // Scheduled onto a kwok node, so it runs: logs are kwok's pod log file, exec runs the command on this machine.
      await kubectl(['run', 'shell', '-n', ns, '--image=registry.invalid/shell:1', '--restart=Never']);
      await kubectl(['wait', '-n', ns, '--for=condition=Ready', 'pod/shell', '--timeout=60s']);
      await page.setViewportSize({ width: 1200, height: 820 });
      // The terminal's WebSocket waits at this gate, so the test can resize the page while it is connecting.
      await page.routeWebSocket(/\/pods\/shell\/exec\?/, async (ws) => {
        await connecting;
        ws.connectToServer();
      });
    });
    let letConnect!: () => void;
    const connecting = new Promise<void>((resolve) => (letConnect = resolve));

    it('follows its log: lines appended while it runs appear in the log panel', async () => {
      const marker = `browser-log-${Date.now()}`;
      appendPodLog(`${marker} before`);
      await page.click(`tr[data-pod="${ns}/shell"]`);
      await page.waitForSelector(`tr.selected[data-pod="${ns}/shell"]`);
      await page.waitForFunction((m) => document.getElementById('log')?.textContent?.includes(`${m} before`), marker, { timeout: 10_000 });
      for (const n of [1, 2, 3]) {
        appendPodLog(`${marker} live ${n}`);
        await page.waitForFunction(([m, i]) => document.getElementById('log')?.textContent?.includes(`${m} live ${i}`), [marker, n] as const, { timeout: 5_000 });
      }
      const lines = (await page.$$eval('#log > div', (divs) => divs.map((d) => d.textContent ?? ''))).filter((l) => l.startsWith(marker));
      expect(lines).toEqual([`${marker} before`, `${marker} live 1`, `${marker} live 2`, `${marker} live 3`]);
      expect(await logText()).not.toMatch(/\[log:/);
    });

    it('runs a command typed into its terminal and shows the output; the TTY has the terminal’s size, also after a resize', async () => {
      // Resized while connecting (the gate above): the TTY must get the size at the start of the session, not the one
      // the terminal had when the connection began (which it got, sometimes, under load, before the sample sent it).
      await page.waitForSelector('#terminal[data-state="connecting"]');
      const before = await terminalSize();
      await page.setViewportSize({ width: 1100, height: 820 });
      // The layout settles over a few frames (62 columns after 64, say): wait until the size holds for 300 ms.
      for (let last = before; ; ) {
        await page.waitForTimeout(300);
        const now = await terminalSize();
        if (now.cols !== before.cols && now.cols === last.cols) break;
        last = now;
      }
      letConnect();
      await page.waitForSelector('#terminal[data-state="open"]', { timeout: 15_000 });
      await type('echo hello-from-browser; stty size');
      // The echoed command line contains the text too: wait for the output line itself.
      await page.waitForFunction(() => [...document.querySelectorAll('#terminal .xterm-rows > div')].some((r) => r.textContent?.trim() === 'hello-from-browser'), undefined, { timeout: 10_000 });
      const size = await terminalSize();
      const lines = await terminalLines();
      const at = lines.indexOf('hello-from-browser');
      expect(lines[at - 1]).toMatch(/echo hello-from-browser; stty size$/);
      expect(lines[at + 1]).toBe(`${size.rows} ${size.cols}`);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'browser-pod-terminal.png') });

      // A narrower window: the fit addon shrinks the terminal, which sends the new size to the TTY.
      await page.setViewportSize({ width: 900, height: 700 });
      await page.waitForFunction((before) => document.getElementById('terminal')?.dataset.size !== before, `${size.cols}x${size.rows}`, { timeout: 5_000 });
      await type(`stty size | sed 's/^/now /'`);
      await page.waitForFunction(() => [...document.querySelectorAll('#terminal .xterm-rows > div')].some((r) => r.textContent?.startsWith('now ')), undefined, { timeout: 10_000 });
      const smaller = await terminalSize();
      expect(smaller.cols).toBeLessThan(size.cols);
      expect((await terminalLines()).filter((l) => l.startsWith('now '))).toEqual([`now ${smaller.rows} ${smaller.cols}`]);
      expect(consoleErrors).toEqual([]);
    });

    it('is as open to a page of another local origin: the exec WebSocket is not held to the same-origin rule (why samples/README.md warns)', async () => {
      // Another app on this machine, like any dev server on localhost: a different origin from the proxy's.
      const other: Server = createServer((_req, res) => res.setHeader('content-type', 'text/html').end('<!doctype html><title>another app</title>'));
      other.listen(0, '127.0.0.1');
      await once(other, 'listening');
      const page2 = await browser.newPage();
      try {
        await page2.goto(`http://localhost:${(other.address() as AddressInfo).port}/`);
        const exec = `${proxy.url.replace(/^http/, 'ws')}/api/v1/namespaces/${ns}/pods/shell/exec?command=echo&command=from-another-origin&stdout=true`;
        const got = await page2.evaluate(
          (url) =>
            new Promise<string>((resolve) => {
              const ws = new WebSocket(url, ['v5.channel.k8s.io']);
              ws.binaryType = 'arraybuffer';
              let out = '';
              ws.onmessage = (e) => {
                const bytes = new Uint8Array(e.data as ArrayBuffer);
                if (bytes[0] === 1) out += new TextDecoder().decode(bytes.subarray(1));
              };
              ws.onclose = () => resolve(`${window.location.origin} ran: ${out}`);
              ws.onerror = () => resolve('refused');
            }),
          exec,
        );
        expect(got).toMatch(/^http:\/\/localhost:\d+ ran: from-another-origin\n$/);
      } finally {
        await page2.close();
        other.close();
      }
    });
  });
});
