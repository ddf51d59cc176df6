// The browser sample end to end: bundle samples/browser with esbuild, serve it with `kubectl proxy --www`
// (same origin as the API), open it in headless Debian Chromium through playwright-core, and check that a pod
// created with kubectl appears within 2 seconds and disappears when deleted. Saves a screenshot.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
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
});
