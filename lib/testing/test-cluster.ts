/**
 * A real Kubernetes control plane for a user's own tests: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and kwok fake nodes on loopback, built from source into the user's cache on first use.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api } from '../client/api.js';
import { Client } from '../client/client.js';
import { isNotFound } from '../client/errors.js';
import { configFromKubeconfig } from '../config/from-kubeconfig.js';
import { Namespace, Node } from '../core/builtins.js';
import { criLogLine } from './cri-log-line.js';
import { TEST_CLUSTER_ENV, type PlaneInfo } from './global-setup.js';
import { runPlaneCommand } from './plane-command.js';
import { TestClusterError } from './test-cluster-error.js';

/**
 * Options of {@link startTestCluster}.
 *
 * ## Example
 * ```ts
 * const options: TestClusterOptions = { mode: 'private', nodes: 3, apiserverArgs: ['--watch-cache=false'] };
 * ```
 */
export interface TestClusterOptions {
  /** Fake nodes managed by kwok (default: `RXKUBE_CP_NODES` or 2). A running plane with another number is not reused. */
  nodes?: number;
  /**
   * Extra kube-apiserver flags, e.g. `['--feature-gates=ShardedListAndWatch=true']`. A cluster with extra flags is
   * always a private one (its own run folder, stopped by `stop()`).
   */
  apiserverArgs?: readonly string[];
  /**
   * kube-apiserver feature gates, e.g. `{ ShardedListAndWatch: true }` (KEP-5866 shard selectors, alpha in 1.36) or
   * `{ WatchList: false }`: passed as one `--feature-gates=Name=true,...` flag after `apiserverArgs`. Like
   * `apiserverArgs`, it makes the cluster a private one.
   */
  featureGates?: Readonly<Record<string, boolean>>;
  /**
   * `'shared'` (default without `apiserverArgs`): reuse the plane Jest global setup or `npm run cluster:up` started,
   * or start the shared one (`~/.cache/rxkube/run`, or `RXKUBE_CP_RUN_DIR`) holding a lease on it.
   * `'private'`: a plane of its own in a temporary folder, stopped and removed by `stop()`.
   *
   * With `RXKUBE_TEST_KUBECONFIG` set (and no plane handed over by Jest global setup), `'shared'` means that
   * cluster, used as is: nothing is built, started or stopped; `stop()` only deletes the namespaces made by
   * `namespace()`, and what only the local plane has (`appendPodLog`, `restartApiServer`) fails with
   * `unsupported`.
   */
  mode?: 'shared' | 'private';
  /** Progress lines (building, starting); default: written to stderr. */
  log?: (line: string) => void;
}

/**
 * Options of {@link TestCluster.kubectl}.
 *
 * ## Example
 * ```ts
 * await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(configMap), context: 'rxkube-token' });
 * ```
 */
export interface TestKubectlOptions {
  /** Written to kubectl's stdin (e.g. a manifest for `apply -f -`). */
  input?: string;
  /** Kubeconfig context: `rxkube-admin` (default), `rxkube-token` (bearer token, admin) or `rxkube-nobody` (no RBAC). */
  context?: string;
  /** Kill kubectl after this long; default 60 s. */
  timeoutMs?: number;
}

/**
 * A running test cluster; see {@link startTestCluster}.
 *
 * ## Example
 * ```ts
 * const cluster: TestCluster = await startTestCluster();
 * const ns = await cluster.namespace('orders');
 * await cluster.kubectl(['exec', 'web', '-n', ns, '--', 'echo', 'hi']); // runs `echo hi` on this machine
 * cluster.appendPodLog('ready');                                         // `kubectl logs -f web` shows it
 * await cluster.stop();
 * ```
 */
export interface TestCluster {
  /** Path of its kubeconfig (contexts `rxkube-admin` (current), `rxkube-token`, `rxkube-nobody`). */
  readonly kubeconfig: string;
  /** URL of kube-apiserver. */
  readonly server: string;
  /** A ready client with the admin credentials. */
  readonly client: Client;
  /** Number of fake (kwok) nodes; pods are scheduled onto them and become Running and Ready. */
  readonly nodes: number;
  /** Path of the kubectl built with the plane (same version as the server). */
  readonly kubectlPath: string;
  /**
   * The file every pod's logs are read from (CRI lines); {@link TestCluster.appendPodLog} appends to it. A
   * namespaced `Logs` object (`kwok.x-k8s.io/v1alpha1`, named like the pod) can point one pod at another file.
   */
  readonly podLogs: string;
  /** Working folder of `kubectl exec` into any pod: the command runs on this machine, as this user ('' on an external cluster). */
  readonly execDir: string;
  /**
   * The local port that port-forward to any port of any pod reaches; a namespaced `PortForward` object
   * (`kwok.x-k8s.io/v1alpha1`, named like the pod) can name another target for one pod.
   */
  readonly podForwardPort: number;
  /** Run folder of the plane (logs in `logs/`); '' on an external cluster (`RXKUBE_TEST_KUBECONFIG`). */
  readonly runDir: string;
  /** Runs the matching kubectl against the cluster; resolves with stdout, rejects with a `kubectlFailed` error. */
  kubectl(args: readonly string[], options?: TestKubectlOptions): Promise<string>;
  /** Creates a fresh namespace (`<prefix>-<random>`); `stop()` deletes it. */
  namespace(prefix?: string): Promise<string>;
  /** Appends one line to {@link TestCluster.podLogs}, in the CRI format kwok serves. */
  appendPodLog(text: string, stream?: 'stdout' | 'stderr'): void;
  /** Restarts kube-apiserver (same port, flags and etcd data) and resolves once it is ready again. */
  restartApiServer(): Promise<void>;
  /** Deletes the namespaces made by `namespace()` and releases the plane (stops it when this call started it privately or was the last user). */
  stop(): Promise<void>;
}

const defaultLog = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/**
 * Starts a test cluster, or reuses the one running for this test run, and resolves once kube-apiserver answers,
 * the controllers and scheduler run and every fake node is Ready. The first use builds the binaries with Go into
 * `~/.cache/rxkube` (progress on stderr; about 15 minutes on 2 cores, seconds afterwards); a missing Go toolchain
 * or openssl fails at once with a one-line {@link TestClusterError} (`missingTool`) that says what to install. A
 * component that fails to start fails it with `startFailed`, its name, and the last lines of its log in
 * `details`; nothing is left running. Should the test process die without `stop()`, the plane's watchdog stops a
 * plane it started within seconds.
 *
 * ## Example
 * ```ts
 * import { startTestCluster, type TestCluster } from 'rxkube/testing';
 * import { Api, Pod } from 'rxkube';
 *
 * let cluster: TestCluster;
 * beforeAll(async () => { cluster = await startTestCluster({ nodes: 2 }); }, 900_000);
 * afterAll(() => cluster.stop());
 *
 * it('runs a pod', async () => {
 *   const ns = await cluster.namespace('demo');
 *   await cluster.kubectl(['run', 'web', '-n', ns, '--image=nginx']);
 *   const pods = Api.namespaced(cluster.client, Pod, ns);
 *   // ... await awaitCondition(pods, 'web', isPodRunning)
 * });
 * ```
 */
export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const log = options.log ?? defaultLog;
  const apiserverArgs = [...(options.apiserverArgs ?? []), ...featureGateArgs(options.featureGates)];
  const mode = options.mode ?? (apiserverArgs.length ? 'private' : 'shared');
  if (mode === 'shared' && apiserverArgs.length) {
    throw new TestClusterError('startFailed', 'apiserverArgs and featureGates need a private cluster (mode: "private"); the shared one runs with the default flags');
  }
  const handedOver = process.env[TEST_CLUSTER_ENV];
  if (mode === 'shared' && handedOver) {
    const info = JSON.parse(handedOver) as PlaneInfo;
    if (options.nodes === undefined || options.nodes === info.nodes) {
      // Started by Jest global setup, which holds the lease and stops it.
      return testCluster(info, { env: { ...process.env, RXKUBE_CP_RUN_DIR: info.runDir }, release: async () => {} });
    }
  }
  const external = process.env.RXKUBE_TEST_KUBECONFIG;
  if (mode === 'shared' && !handedOver && external) return externalCluster(external, process.env.RXKUBE_TEST_KUBECTL ?? 'kubectl');
  let scratch: string | undefined;
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (mode === 'private') {
    scratch = mkdtempSync(join(tmpdir(), 'rxkube-test-cluster-'));
    env.RXKUBE_CP_RUN_DIR = join(scratch, 'run');
    env.RXKUBE_CP_APISERVER_EXTRA_ARGS = apiserverArgs.join(' ');
  }
  const removeScratch = async (): Promise<void> => {
    if (!scratch) return;
    await runPlaneCommand(['down'], { env }).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    await runPlaneCommand(['build'], { env, log, reason: 'buildFailed' });
    const nodes = options.nodes === undefined ? [] : ['--nodes', String(options.nodes)];
    const { stdout } = await runPlaneCommand(['up', '--json', '--lease', String(process.pid), ...nodes], { env, log, reason: 'startFailed' });
    const info = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as PlaneInfo;
    env.RXKUBE_CP_RUN_DIR = info.runDir;
    const release = async (): Promise<void> => {
      if (scratch) return removeScratch();
      await runPlaneCommand(['release', String(process.pid)], { env });
    };
    return testCluster(info, { env, release });
  } catch (err) {
    await removeScratch();
    throw err;
  }
}

/**
 * The kube-apiserver flag for `gates` (none for none): `{ ShardedListAndWatch: true }` →
 * `['--feature-gates=ShardedListAndWatch=true']`. A name that is not a feature gate name is a `startFailed` error.
 *
 * ## Example
 * ```ts
 * featureGateArgs({ ShardedListAndWatch: true, WatchList: false }); // ['--feature-gates=ShardedListAndWatch=true,WatchList=false']
 * ```
 */
export function featureGateArgs(gates: Readonly<Record<string, boolean>> | undefined): string[] {
  const entries = Object.entries(gates ?? {});
  if (entries.length === 0) return [];
  for (const [name, value] of entries) {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name) || typeof value !== 'boolean') {
      throw new TestClusterError('startFailed', `featureGates: ${JSON.stringify(name)} = ${JSON.stringify(value)} is not a feature gate name with a boolean`);
    }
  }
  return [`--feature-gates=${entries.map(([name, value]) => `${name}=${value}`).join(',')}`];
}

/** A cluster the user runs (`RXKUBE_TEST_KUBECONFIG`): used as is, never started or stopped. */
async function externalCluster(kubeconfig: string, kubectl: string): Promise<TestCluster> {
  if (!existsSync(kubeconfig)) {
    throw new TestClusterError('startFailed', `RXKUBE_TEST_KUBECONFIG points to a missing file: ${kubeconfig}`);
  }
  const config = configFromKubeconfig({ path: kubeconfig });
  const nodes = await Api.cluster(new Client(config), Node)
    .list()
    .then((list) => list.items.length)
    .catch(() => 0);
  const localOnly = (what: string) => (): never => {
    throw new TestClusterError('unsupported', `${what} needs the local plane; this is the cluster of RXKUBE_TEST_KUBECONFIG (${kubeconfig})`);
  };
  const cluster = testCluster(
    { kubeconfig, server: config.server, kubectl, nodes, podLogs: '', execDir: '', podForwardPort: 0, runDir: '' },
    { env: process.env, release: async () => {} },
  );
  return {
    ...cluster,
    appendPodLog: localOnly('appendPodLog'),
    restartApiServer: async () => localOnly('restartApiServer')(),
  };
}

function testCluster(info: PlaneInfo, how: { env: NodeJS.ProcessEnv; release: () => Promise<void> }): TestCluster {
  const client = new Client(configFromKubeconfig({ path: info.kubeconfig }));
  const namespaces = Api.cluster(client, Namespace);
  const made: string[] = [];
  let stopped = false;
  const kubectl = (args: readonly string[], opts: TestKubectlOptions = {}): Promise<string> =>
    new Promise((resolve, reject) => {
      const context = opts.context ? [`--context=${opts.context}`] : [];
      const child = execFile(
        info.kubectl,
        [`--kubeconfig=${info.kubeconfig}`, ...context, ...args],
        { encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (!err) return resolve(stdout);
          const code = typeof err.code === 'number' || typeof err.code === 'string' ? err.code : (err.signal ?? 'unknown');
          const complaint = (stderr || err.message).trim();
          reject(new TestClusterError('kubectlFailed', `kubectl ${args.join(' ')} failed (${code}): ${complaint.split('\n')[0]}`, complaint));
        },
      );
      child.stdin?.end(opts.input ?? '');
    });
  return {
    kubeconfig: info.kubeconfig,
    server: info.server,
    client,
    nodes: info.nodes,
    kubectlPath: info.kubectl,
    podLogs: info.podLogs,
    execDir: info.execDir,
    podForwardPort: info.podForwardPort,
    runDir: info.runDir,
    kubectl,
    async namespace(prefix = 'test') {
      const slug = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'test';
      const name = `${slug}-${randomBytes(3).toString('hex')}`;
      await namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      made.push(name);
      return name;
    },
    appendPodLog(text, stream = 'stdout') {
      appendFileSync(info.podLogs, criLogLine(text, stream));
    },
    async restartApiServer() {
      await runPlaneCommand(['restart-apiserver'], { env: how.env });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const name of made.splice(0)) {
        await namespaces.delete(name).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
      }
      await how.release();
    },
  };
}
