// Helpers for e2e tests against the real API server that rxkube/testing's Jest global setup made available: run the matching
// kubectl, get the kubeconfig path, give each test file its own namespace, restart kube-apiserver.
// Support code only: tests of rxkube itself should talk to the cluster through rxkube.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { runPlaneCli } from './plane-cli.js';

/**
 * Path of the kubeconfig of the test cluster (context `rxkube-admin` is current; `rxkube-token` uses a bearer
 * token of an admin, `rxkube-nobody` a user without any RBAC binding).
 *
 * ## Example
 * ```ts
 * const config = await loadKubeconfig(kubeconfigPath());
 * ```
 */
export function kubeconfigPath(): string {
  const path = process.env.RXKUBE_TEST_KUBECONFIG;
  if (!path) {
    throw new Error('RXKUBE_TEST_KUBECONFIG is not set; run e2e tests with `npx jest --selectProjects e2e`');
  }
  return path;
}

/**
 * Path of the kubectl that matches the test cluster's version (built with the control plane).
 *
 * ## Example
 * ```ts
 * execFileSync(kubectlPath(), ['version', '--client']);
 * ```
 */
export function kubectlPath(): string {
  return process.env.RXKUBE_TEST_KUBECTL || 'kubectl';
}

/** Options of {@link kubectl}. */
export interface KubectlOptions {
  /** Written to kubectl's stdin (e.g. a manifest for `apply -f -`). */
  input?: string;
  /** Kubeconfig context; default: the current one (`rxkube-admin`). */
  context?: string;
  /** Kill kubectl after this long; default 60 s. */
  timeoutMs?: number;
  /** Another kubeconfig file; default: {@link kubeconfigPath}. */
  kubeconfig?: string;
}

/** kubectl exited non-zero; `stderr` holds its complaint. */
export class KubectlError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number | string | null,
    readonly stderr: string,
  ) {
    super(`kubectl ${args.join(' ')} failed (${code}): ${stderr.trim()}`);
    this.name = 'KubectlError';
  }
}

function fullArgs(args: readonly string[], options: KubectlOptions): string[] {
  const context = options.context ? [`--context=${options.context}`] : [];
  return [`--kubeconfig=${options.kubeconfig ?? kubeconfigPath()}`, ...context, ...args];
}

/**
 * Runs kubectl against the test cluster and resolves with its stdout; rejects with a {@link KubectlError}
 * carrying stderr when it fails. Asynchronous, so watches in the same test keep receiving events meanwhile.
 *
 * ## Example
 * ```ts
 * await kubectl(['apply', '-n', ns, '-f', '-'], { input: JSON.stringify(configMap) });
 * const cm = JSON.parse(await kubectl(['get', 'configmap', 'a', '-n', ns, '-o', 'json']));
 * ```
 */
export function kubectl(args: readonly string[], options: KubectlOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      kubectlPath(),
      fullArgs(args, options),
      { encoding: 'utf8', timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new KubectlError(args, typeof err.code === 'number' || typeof err.code === 'string' ? err.code : err.signal ?? null, stderr || err.message));
        } else {
          resolve(stdout);
        }
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/**
 * Synchronous twin of {@link kubectl}, for places that cannot await (it blocks the event loop while it runs).
 *
 * ## Example
 * ```ts
 * const names = kubectlSync(['get', 'ns', '-o', 'name']).split('\n');
 * ```
 */
export function kubectlSync(args: readonly string[], options: KubectlOptions = {}): string {
  try {
    return execFileSync(kubectlPath(), fullArgs(args, options), {
      encoding: 'utf8',
      input: options.input ?? '',
      timeout: options.timeoutMs ?? 60_000,
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as { status?: number | null; stderr?: string; message: string };
    throw new KubectlError(args, e.status ?? null, e.stderr || e.message);
  }
}

/**
 * Gives the calling test file its own namespace: returns a unique name (`<prefix>-<random>`) at once, creates
 * the namespace in `beforeAll` and deletes it in `afterAll` (without waiting for finalization). Call it at the top
 * level of a `describe` block or the file.
 *
 * ## Example
 * ```ts
 * describe('watcher', () => {
 *   const ns = useNamespace('watcher');
 *   it('sees a created ConfigMap', async () => {
 *     await kubectl(['create', 'configmap', 'a', '-n', ns]);
 *   });
 * });
 * ```
 */
export function useNamespace(prefix = 'e2e'): string {
  const slug = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'e2e';
  const name = `${slug}-${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    await kubectl(['create', 'namespace', name]);
  });
  afterAll(async () => {
    await kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']);
  });
  return name;
}

/**
 * True when the test cluster is the local control plane, so {@link restartApiServer} is available.
 *
 * ## Example
 * ```ts
 * const itRestart = canRestartApiServer() ? it : it.skip;
 * ```
 */
export function canRestartApiServer(): boolean {
  return Boolean(process.env.RXKUBE_TEST_PLANE_RUN_DIR);
}

/**
 * Compacts a local plane's etcd (the shared one, or a private one's `runDir`) up to its current revision through
 * etcd's JSON gateway on loopback. With the watch cache off (a private plane started with `--watch-cache=false`),
 * a watch from an older resourceVersion then gets 410 Gone, as on a long-running cluster; a fresh plane has
 * compacted nothing yet (kube-apiserver compacts every 5 minutes) and its watch cache still covers old versions.
 *
 * ## Example
 * ```ts
 * await compactEtcd();
 * // api.watch({ resourceVersion: '1' }) now fails with 410 Gone
 * ```
 */
export async function compactEtcd(runDir = process.env.RXKUBE_TEST_PLANE_RUN_DIR): Promise<number> {
  if (!runDir) throw new Error('compactEtcd() needs the local control plane (RXKUBE_TEST_PLANE_RUN_DIR unset)');
  const state = JSON.parse(readFileSync(`${runDir}/state.json`, 'utf8')) as { ports: { etcd: number } };
  const base = `http://127.0.0.1:${state.ports.etcd}/v3/kv`;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}/${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`etcd ${path}: HTTP ${res.status}: ${await res.text()}`);
    return (await res.json()) as { header: { revision: string } };
  };
  const revision = Number((await post('range', { key: 'AA==' })).header.revision);
  await post('compaction', { revision, physical: true });
  return revision;
}

/**
 * Kills kube-apiserver and starts it again (same port, flags and etcd data); resolves when it is ready again.
 * Only for the local control plane ({@link canRestartApiServer}). This restarts the SHARED plane, so test files
 * running at the same time (and other Jest runs on the machine) see a few seconds of refused connections; prefer
 * `startPrivatePlane()` from `./private-plane.js` for tests built around a restart.
 *
 * ## Example
 * ```ts
 * await restartApiServer();
 * // a watch opened before should now resume from its last resourceVersion
 * ```
 */
export async function restartApiServer(): Promise<void> {
  const runDir = process.env.RXKUBE_TEST_PLANE_RUN_DIR;
  if (!runDir) throw new Error('restartApiServer() needs the local control plane (RXKUBE_TEST_PLANE_RUN_DIR unset)');
  const res = await runPlaneCli(['restart-apiserver'], { ...process.env, RXKUBE_CP_RUN_DIR: runDir });
  if (res.code !== 0) throw new Error(`restart-apiserver failed: ${res.stderr.trim()}`);
}

/**
 * Polls `probe` until it returns a value other than undefined/false (or stops throwing), then resolves with it.
 * Rejects with the last error once `timeoutMs` has passed.
 *
 * ## Example
 * ```ts
 * await eventually(async () => (await kubectl(['get', 'rs', '-n', ns, '-o', 'name'])).trim() || undefined);
 * ```
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 60_000, intervalMs = 250 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = new Error(`condition not met after ${timeoutMs} ms`);
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
