// A control plane of a test's own, in a temporary run folder: for tests that disturb the API server (restarting
// it, filling etcd) and must not upset the shared plane that other test files, and other Jest runs, are using.
// It reuses the built binaries; starting one takes about 5-10 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPlaneCli } from './plane-cli.js';

/** A running private control plane. */
export interface PrivatePlane {
  /** Its kubeconfig (contexts rxkube-admin, rxkube-token, rxkube-nobody, like the shared one). */
  readonly kubeconfig: string;
  /** Its run folder (state.json, logs/, pki/, etcd/). */
  readonly runDir: string;
  /** Environment that points the control-plane scripts at this plane (`RXKUBE_CP_RUN_DIR`). */
  readonly env: NodeJS.ProcessEnv;
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
export async function startPrivatePlane(options: { apiserverArgs?: readonly string[] } = {}): Promise<PrivatePlane> {
  const scratch = mkdtempSync(join(tmpdir(), 'rxkube-plane-'));
  const runDir = join(scratch, 'run');
  const env: NodeJS.ProcessEnv = { ...process.env, RXKUBE_CP_RUN_DIR: runDir, RXKUBE_CP_APISERVER_EXTRA_ARGS: (options.apiserverArgs ?? []).join(' ') };
  const cleanUp = async (): Promise<void> => {
    await runPlaneCli(['down'], env);
    rmSync(scratch, { recursive: true, force: true });
  };
  const res = await runPlaneCli(['up', '--lease', String(process.pid)], env);
  if (res.code !== 0) {
    await cleanUp();
    throw new Error(`private control plane did not start: ${res.stderr.trim()}`);
  }
  const kubeconfig = res.stdout.trim().split('\n').pop() ?? '';
  return {
    kubeconfig,
    runDir,
    env,
    async restartApiServer() {
      const restarted = await runPlaneCli(['restart-apiserver'], env);
      if (restarted.code !== 0) throw new Error(`restart-apiserver failed: ${restarted.stderr.trim()}`);
    },
    stop: cleanUp,
  };
}
