// Builds etcd, kube-apiserver, kube-controller-manager and kubectl from the committed consumer Go modules
// (scripts/control-plane/gomod/*) into the version-keyed cache folder, stamping the Kubernetes version so that
// `/version` reports it. Skips every binary whose `--version` already matches; a warm run takes seconds.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ControlPlaneError } from './errors.mjs';
import { withLock } from './lock.mjs';
import { paths as defaultPaths, versions } from './paths.mjs';

const kubeCommands = /** @type {const} */ ({
  kubeApiserver: 'kube-apiserver',
  kubeControllerManager: 'kube-controller-manager',
  kubectl: 'kubectl',
});

/**
 * The version a built binary reports, or undefined when it is missing or does not run.
 *
 * ## Example
 * ```js
 * binaryVersion('kubectl', '/path/kubectl'); // 'v1.36.3'
 * ```
 * @param {'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kubectl'} name
 * @param {string} file
 */
export function binaryVersion(name, file) {
  if (!existsSync(file)) return undefined;
  const args = name === 'kubectl' ? ['version', '--client'] : ['--version'];
  const out = spawnSync(file, args, { encoding: 'utf8', timeout: 30_000 });
  const text = `${out.stdout ?? ''}${out.stderr ?? ''}`;
  const match =
    name === 'etcd'
      ? /etcd Version: (\S+)/.exec(text)
      : name === 'kubectl'
        ? /Client Version: (\S+)/.exec(text)
        : /Kubernetes (\S+)/.exec(text);
  if (!match?.[1]) return undefined;
  return name === 'etcd' ? `v${match[1]}` : match[1];
}

/**
 * The binaries that are missing from `paths.binDir` or report another version than the pinned one.
 *
 * ## Example
 * ```js
 * staleBinaries(); // [] when the cache is warm; ['etcd', 'kube-apiserver', ...] before the first build
 * ```
 * @param {ReturnType<typeof import('./paths.mjs').resolvePaths>} [paths]
 * @returns {string[]}
 */
export function staleBinaries(paths = defaultPaths) {
  const list = [];
  if (binaryVersion('etcd', paths.bin.etcd) !== versions.etcd) list.push('etcd');
  for (const [key, name] of Object.entries(kubeCommands)) {
    if (binaryVersion(name, paths.bin[/** @type {keyof typeof kubeCommands} */ (key)]) !== versions.kubernetes) {
      list.push(name);
    }
  }
  return list;
}

/**
 * Builds whatever is missing or stale. Progress goes to `log`, one line at a time.
 *
 * ## Example
 * ```js
 * const { binDir, built } = await build({ log: (l) => console.error(l) });
 * ```
 * @param {{ log?: (line: string) => void, paths?: ReturnType<typeof import('./paths.mjs').resolvePaths> }} [options]
 * @returns {Promise<{ binDir: string, built: string[], seconds: number }>}
 */
export async function build(options = {}) {
  const { log = () => {}, paths = defaultPaths } = options;
  const started = Date.now();
  const stale = () => staleBinaries(paths);
  if (stale().length === 0) {
    log(`control plane binaries up to date in ${paths.binDir}`);
    return { binDir: paths.binDir, built: [], seconds: (Date.now() - started) / 1000 };
  }
  mkdirSync(paths.binDir, { recursive: true });
  return withLock(
    `${paths.binDir}.lock`,
    async () => {
      const todo = stale(); // another process may have built them while we waited
      if (todo.length > 0) {
        checkGo();
        const tmp = join(paths.binDir, `.tmp-${process.pid}`);
        rmSync(tmp, { recursive: true, force: true });
        mkdirSync(tmp, { recursive: true });
        try {
          if (todo.includes('etcd')) {
            log(`building etcd ${versions.etcd} (cold: about 1.5 min on 2 cores)`);
            await go(['build', '-trimpath', '-ldflags', '-s -w', '-o', join(tmp, 'etcd'), 'go.etcd.io/etcd/server/v3'], paths.etcdModDir, log, 'etcd');
          }
          const kube = todo.filter((n) => n !== 'etcd');
          if (kube.length > 0) {
            log(`building ${kube.join(', ')} ${versions.kubernetes} (cold: about 9 min on 2 cores)`);
            const pkgs = kube.map((n) => `k8s.io/kubernetes/cmd/${n}`);
            const args = ['build', '-trimpath', '-tags=selinux,notest,grpcnotrace', '-ldflags', kubeLdflags(), '-o', `${tmp}/`, ...pkgs];
            await go(args, paths.kubeModDir, log, kube.join(', '));
          }
          for (const name of todo) {
            renameSync(join(tmp, name), join(paths.binDir, name));
          }
        } finally {
          rmSync(tmp, { recursive: true, force: true });
        }
        const left = stale();
        if (left.length > 0) {
          throw new ControlPlaneError(`built binaries report the wrong version: ${left.join(', ')} in ${paths.binDir}`);
        }
      }
      const seconds = (Date.now() - started) / 1000;
      log(`control plane binaries ready in ${paths.binDir} (${seconds.toFixed(1)} s)`);
      return { binDir: paths.binDir, built: todo, seconds };
    },
    { log, what: 'build lock' },
  );
}

/** The -ldflags that strip symbols and stamp the Kubernetes version into component-base and client-go. */
function kubeLdflags() {
  const v = versions.kubernetes;
  const [major, minor] = v.slice(1).split('.');
  const stamp = (pkg) =>
    [`-X ${pkg}.gitVersion=${v}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`, `-X ${pkg}.gitTreeState=clean`];
  return ['-s', '-w', ...stamp('k8s.io/component-base/version'), ...stamp('k8s.io/client-go/pkg/version')].join(' ');
}

function goEnv() {
  return { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly' };
}

/**
 * Why Go cannot build the pinned Kubernetes (missing, or older than 1.26), as one line; undefined when it can.
 *
 * ## Example
 * ```js
 * goProblem(); // undefined, or 'Go is not installed or not on PATH (spawnSync go ENOENT); ...'
 * ```
 * @returns {string | undefined}
 */
export function goProblem() {
  const out = spawnSync('go', ['version'], { encoding: 'utf8', env: goEnv() });
  if (out.error) {
    return `Go is not installed or not on PATH (${out.error.message}); the control plane is built with Go >= 1.26`;
  }
  const match = /go(\d+)\.(\d+)/.exec(out.stdout ?? '');
  if (!match || Number(match[1]) < 1 || (Number(match[1]) === 1 && Number(match[2]) < 26)) {
    return `Go >= 1.26 is needed to build Kubernetes ${versions.kubernetes}, found: ${(out.stdout ?? '').trim()}`;
  }
  return undefined;
}

/** Fails with a one-line reason when Go is missing or too old for the pinned Kubernetes. */
function checkGo() {
  const problem = goProblem();
  if (problem !== undefined) throw new ControlPlaneError(problem);
}

/**
 * Runs one `go` command in `cwd`, logging a heartbeat every 30 s and failing with the tail of its output.
 * @param {string[]} args
 * @param {string} cwd
 * @param {(line: string) => void} log
 * @param {string} what
 */
function go(args, cwd, log, what) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('go', args, { cwd, env: goEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setInterval(() => log(`  still building ${what} (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
    child.once('error', (err) => {
      clearInterval(timer);
      reject(new ControlPlaneError(`could not run go (${err.message})`));
    });
    child.once('exit', (code) => {
      clearInterval(timer);
      if (code === 0) {
        log(`  built ${what} in ${Math.round((Date.now() - started) / 1000)} s`);
        resolve(undefined);
      } else {
        const details = output.trimEnd().split('\n').slice(-20).join('\n');
        reject(new ControlPlaneError(`go build of ${what} failed with exit code ${code}`, { details }));
      }
    });
  });
}
