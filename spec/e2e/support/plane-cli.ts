// Runs the control-plane command line (scripts/control-plane/cli.mjs) from Jest code. Jest's CommonJS world
// cannot import the .mjs API directly, so the e2e support code drives it as a child process.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Absolute path of scripts/control-plane/cli.mjs. */
export const planeCli = join(__dirname, '..', '..', '..', 'scripts', 'control-plane', 'cli.mjs');

/** Folders used by the control-plane scripts, as printed by `cli.mjs paths`. */
export interface PlanePaths {
  binDir: string;
  runDir: string;
  kubeconfig: string;
  bin: { etcd: string; kubeApiserver: string; kubeControllerManager: string; kubectl: string };
}

/**
 * Runs `cli.mjs <args>` synchronously; progress (stderr) is shown to the user, stdout is returned.
 * Throws when the command fails (its one-line reason is already on stderr).
 *
 * ## Example
 * ```ts
 * const kubeconfig = runPlaneCliSync(['up']).trim().split('\n').pop();
 * ```
 */
export function runPlaneCliSync(args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(process.execPath, [planeCli, ...args], {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** Result of {@link runPlaneCli}. */
export interface PlaneCliResult {
  /** Exit code (null when killed by a signal). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `cli.mjs <args>` asynchronously and collects its output; never throws for a non-zero exit.
 *
 * ## Example
 * ```ts
 * const { code, stderr } = await runPlaneCli(['up'], { ...process.env, RXKUBE_CP_RUN_DIR: dir });
 * ```
 */
export function runPlaneCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 300_000): Promise<PlaneCliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [planeCli, ...args], { encoding: 'utf8', env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The folders of the control plane for `env`.
 *
 * ## Example
 * ```ts
 * const kubectl = planePaths().bin.kubectl;
 * ```
 */
export function planePaths(env: NodeJS.ProcessEnv = process.env): PlanePaths {
  return JSON.parse(runPlaneCliSync(['paths'], env)) as PlanePaths;
}
