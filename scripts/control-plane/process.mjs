// Starting, recognising and stopping the control-plane processes. Each component runs detached (its own process
// group) with stdout+stderr in a log file, so it outlives the `cluster:up` command that started it.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * True when `pid` is a live process (a zombie counts as dead). With `marker`, the process command line must also
 * contain that string, so a recycled pid is never mistaken for one of ours.
 *
 * ## Example
 * ```js
 * isAlive(1234, '/root/.cache/rxkube/run'); // false once the plane is down
 * ```
 * @param {number} pid
 * @param {string} [marker]
 */
export function isAlive(pid, marker) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM' && marker === undefined;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    if (marker !== undefined) {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(marker);
    }
  } catch {
    // The process vanished between kill(0) and reading /proc, or there is no /proc (not Linux: trust kill(0)).
    return !existsSync('/proc/self');
  }
  return true;
}

/**
 * Starts `bin args` detached with its output appended to `logFile`. The returned `exited` promise resolves with
 * the exit code (or signal name) if the process ends while this Node process is still around.
 *
 * ## Example
 * ```js
 * const { pid, exited } = startProcess('/bin/etcd', ['--data-dir', dir], '/tmp/etcd.log');
 * ```
 * @param {string} bin
 * @param {string[]} args
 * @param {string} logFile
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {{ pid: number, exited: Promise<string> }}
 */
export function startProcess(bin, args, logFile, env = process.env) {
  const fd = openSync(logFile, 'a');
  let child;
  try {
    child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd], env });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise((resolve) => {
    child.once('error', (err) => resolve(`failed to start (${err.message})`));
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`));
  });
  child.unref();
  if (child.pid === undefined) {
    return { pid: -1, exited };
  }
  return { pid: child.pid, exited };
}

/**
 * Stops one process we started: SIGTERM, then SIGKILL after `graceMs`. Does nothing when `pid` is not alive or
 * its command line lacks `marker`.
 *
 * ## Example
 * ```js
 * await stopProcess(state.pids.etcd, runDir);
 * ```
 * @param {number} pid
 * @param {string} marker
 * @param {number} [graceMs]
 */
export async function stopProcess(pid, marker, graceMs = 10_000) {
  if (!isAlive(pid, marker)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
}

/**
 * The last `lines` lines of a log file ('' when it does not exist).
 *
 * ## Example
 * ```js
 * console.error(tail('/root/.cache/rxkube/run/logs/kube-apiserver.log', 20));
 * ```
 * @param {string} file
 * @param {number} [lines]
 */
export function tail(file, lines = 20) {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
