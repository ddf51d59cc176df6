// A control plane of a test's own, in a temporary run folder: for tests that disturb the API server (restarting
// it, filling etcd) and must not upset the shared plane that other test files, and other Jest runs, are using.
// A thin wrapper over `startTestCluster({ mode: 'private' })` from rxkube/testing (one implementation). Without
// `nodes` it has none (no scheduler, no kwok), which starts in about 5-10 s.
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
