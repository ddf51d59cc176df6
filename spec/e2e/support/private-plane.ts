// A control plane of a test's own, in a temporary run folder: for tests that disturb the API server (restarting
// it, filling etcd) and must not upset the shared plane that other test files, and other Jest runs, are using.
// A thin wrapper over `startTestCluster({ mode: 'private' })` from rxkube/testing (one implementation). Without
// `nodes` it has none (no scheduler, no kwok), which starts in about 5-10 s.
import type { Subscription } from 'rxjs';
import { Api } from '../../../lib/client/api.js';
import { Client } from '../../../lib/client/client.js';
import { configFromKubeconfig } from '../../../lib/config/from-kubeconfig.js';
import { ConfigMap } from '../../../lib/core/builtins.js';
import { startTestCluster, type TestCluster } from '../../../lib/testing/index.js';

/** A running private control plane. */
export interface PrivatePlane {
  /** Its kubeconfig (contexts rxkube-admin, rxkube-token, rxkube-nobody, like the shared one). */
  readonly kubeconfig: string;
  /** Its run folder (state.json, logs/, pki/, etcd/). */
  readonly runDir: string;
  /** Environment that points the control-plane scripts at this plane (`RXKUBE_CP_RUN_DIR`). */
  readonly env: NodeJS.ProcessEnv;
  /** The test cluster behind it. */
  readonly cluster: TestCluster;
  /** Kills and restarts its kube-apiserver (same port and etcd data); resolves once it is ready again. */
  restartApiServer(): Promise<void>;
  /** Stops its processes and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts a private control plane. Always `stop()` it (e.g. in `afterAll`).
 *
 * ## Example
 * ```ts
 * let plane: PrivatePlane;
 * beforeAll(async () => { plane = await startPrivatePlane(); });
 * afterAll(() => plane.stop());
 * it('resumes the watch after a restart', async () => {
 *   await plane.restartApiServer();
 * });
 * ```
 */
export async function startPrivatePlane(
  options: { apiserverArgs?: readonly string[]; featureGates?: Readonly<Record<string, boolean>>; nodes?: number } = {},
): Promise<PrivatePlane> {
  const cluster = await startTestCluster({
    mode: 'private',
    nodes: options.nodes ?? 0,
    apiserverArgs: options.apiserverArgs ?? [],
    ...(options.featureGates ? { featureGates: options.featureGates } : {}),
    log: () => {},
  });
  return {
    kubeconfig: cluster.kubeconfig,
    runDir: cluster.runDir,
    env: { ...process.env, RXKUBE_CP_RUN_DIR: cluster.runDir },
    cluster,
    restartApiServer: () => cluster.restartApiServer(),
    stop: () => cluster.stop(),
  };
}

/** A private plane that lives as long as the enclosing `describe`, from {@link usePrivatePlane}. */
export interface SuitePlane {
  /** The running plane (throws before `beforeAll` has brought it up). */
  readonly plane: PrivatePlane;
  /** Subscriptions to end before the plane stops (watchers, reflectors of the suite's tests). */
  readonly subscriptions: Subscription[];
  /** A typed handle on the ConfigMaps of `namespace` through a client of the plane's admin kubeconfig. */
  configMaps(namespace?: string): Api<ConfigMap, 'Namespaced'>;
}

/**
 * Starts a private plane in `beforeAll` of the enclosing `describe` and, in `afterAll`, ends the subscriptions
 * registered on it and stops it — the set-up every file that restarts or reconfigures an API server repeats.
 *
 * ## Example
 * ```ts
 * describe('after a restart', () => {
 *   const suite = usePrivatePlane();
 *   it('resumes', async () => {
 *     suite.subscriptions.push(watcher(suite.configMaps()).subscribe());
 *     await suite.plane.restartApiServer();
 *   });
 * });
 * ```
 */
export function usePrivatePlane(options: Parameters<typeof startPrivatePlane>[0] = {}, startTimeoutMs = 120_000): SuitePlane {
  let plane: PrivatePlane | undefined;
  const subscriptions: Subscription[] = [];
  beforeAll(async () => {
    plane = await startPrivatePlane(options);
  }, startTimeoutMs);
  afterAll(async () => {
    for (const sub of subscriptions.splice(0)) sub.unsubscribe();
    await plane?.stop();
  }, 60_000);
  const running = (): PrivatePlane => {
    if (!plane) throw new Error('the private plane is not running (used outside a test, or beforeAll failed)');
    return plane;
  };
  return {
    get plane() {
      return running();
    },
    subscriptions,
    configMaps: (namespace = 'default') =>
      Api.namespaced(new Client(configFromKubeconfig({ path: running().kubeconfig })), ConfigMap, namespace),
  };
}
