/**
 * Runs the control-plane command line that ships with the package (`scripts/control-plane/cli.mjs`) as a child
 * process: the plane's code is plain Node ES modules, shared by `npm run cluster:*`, the project's own tests and
 * `rxkube/testing`.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { controlPlaneCli } from './global-setup.js';
import { TestClusterError, type TestClusterErrorReason } from './test-cluster-error.js';

/** {@link controlPlaneCli} with its failure as a {@link TestClusterError}. */
function planeCliPath(env: NodeJS.ProcessEnv): string {
  try {
    return controlPlaneCli(env);
  } catch (cause) {
    throw new TestClusterError('missingTool', (cause as Error).message, '', { cause });
  }
}

/** Result of {@link runPlaneCommand}. */
export interface PlaneCommandResult {
  stdout: string;
}

/**
 * Runs `cli.mjs <args>`; progress lines (stderr) go to `log` as they come. On failure rejects with a
 * {@link TestClusterError} whose message is the command's one-line reason and whose details are the log lines it
 * printed after it (the failing component's log tail).
 *
 * ## Example
 * ```ts
 * const { stdout } = await runPlaneCommand(['up', '--json'], { log: (l) => process.stderr.write(`${l}\n`) });
 * ```
 */
export function runPlaneCommand(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void; reason?: TestClusterErrorReason } = {},
): Promise<PlaneCommandResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  return new Promise((resolve, reject) => {
    const cli = planeCliPath(env); // a throw here rejects the promise
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) log(line);
      stderr = (stderr + chunk.toString()).slice(-20_000);
    });
    child.once('error', (cause) => reject(new TestClusterError('commandFailed', `could not run node ${cli}: ${cause.message}`, '', { cause })));
    child.once('close', (code, signal) => {
      if (partial) log(partial);
      if (code === 0) return resolve({ stdout });
      const lines = stderr.trimEnd().split('\n');
      const at = lines.findIndex((l) => /^cluster:\S* failed: /.test(l));
      const message = at >= 0 ? lines[at]!.replace(/^cluster:\S* failed: /, '') : `control-plane command ${args[0]} exited (${signal ?? code})`;
      const details = (at >= 0 ? lines.slice(at + 1) : lines.slice(-15)).map((l) => l.replace(/^ {2}\| /, '')).join('\n');
      reject(new TestClusterError(reasonOf(message, options.reason ?? 'commandFailed'), message, details));
    });
  });
}

/** A missing Go toolchain or openssl is a `missingTool`, whatever the command. */
function reasonOf(message: string, fallback: TestClusterErrorReason): TestClusterErrorReason {
  return /Go is not installed|Go >= \d|openssl command is missing/.test(message) ? 'missingTool' : fallback;
}
