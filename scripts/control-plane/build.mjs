// Builds etcd, kube-apiserver, kube-controller-manager, kubectl, kube-scheduler and kwok from the committed consumer
// Go modules (scripts/control-plane/gomod/*) into the version-keyed cache folder, stamping the Kubernetes version so
// that `/version` reports it. Skips every binary whose `--version` already matches; a warm run takes seconds. A cold
// build prints an estimate first, a heartbeat every 30 s and the time each binary took.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ControlPlaneError } from './errors.mjs';
import { withLock } from './lock.mjs';
import { paths as defaultPaths, versions } from './paths.mjs';

/**
 * @typedef {object} BinarySpec
 * @property {'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kubectl' | 'kube-scheduler' | 'kwok'} name
 * @property {keyof ReturnType<typeof import('./paths.mjs').resolvePaths>['bin']} key
 * @property {'etcdModDir' | 'kubeModDir' | 'kwokModDir'} module consumer module it is built in
 * @property {string} pkg Go package of its main
 * @property {() => string} version the pinned version it must report
 * @property {number} coldSeconds measured cold build time on 2 cores, in build order (later Kubernetes commands
 *   reuse the packages compiled for earlier ones)
 */

/** Build order and what each binary is built from. @type {readonly BinarySpec[]} */
const binaries = [
  { name: 'etcd', key: 'etcd', module: 'etcdModDir', pkg: 'go.etcd.io/etcd/server/v3', version: () => versions.etcd, coldSeconds: 90 },
  { name: 'kube-apiserver', key: 'kubeApiserver', module: 'kubeModDir', pkg: 'k8s.io/kubernetes/cmd/kube-apiserver', version: () => versions.kubernetes, coldSeconds: 330 },
  { name: 'kube-controller-manager', key: 'kubeControllerManager', module: 'kubeModDir', pkg: 'k8s.io/kubernetes/cmd/kube-controller-manager', version: () => versions.kubernetes, coldSeconds: 120 },
  { name: 'kubectl', key: 'kubectl', module: 'kubeModDir', pkg: 'k8s.io/kubernetes/cmd/kubectl', version: () => versions.kubernetes, coldSeconds: 60 },
  { name: 'kube-scheduler', key: 'kubeScheduler', module: 'kubeModDir', pkg: 'k8s.io/kubernetes/cmd/kube-scheduler', version: () => versions.kubernetes, coldSeconds: 60 },
  { name: 'kwok', key: 'kwok', module: 'kwokModDir', pkg: 'sigs.k8s.io/kwok/cmd/kwok', version: () => versions.kwok, coldSeconds: 150 },
];

/**
 * The version a built binary reports, or undefined when it is missing or does not run.
 *
 * ## Example
 * ```js
 * binaryVersion('kubectl', '/path/kubectl'); // 'v1.36.3'
 * binaryVersion('kwok', '/path/kwok'); // 'v0.8.0'
 * ```
 * @param {BinarySpec['name']} name
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
        : name === 'kwok'
          ? /kwok version (v\S+)/.exec(text)
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
  return binaries
    .filter((b) => binaryVersion(b.name, paths.bin[b.key]) !== b.version() || (b.name === 'kwok' && !kwokAssetsPresent(paths)))
    .map((b) => b.name);
}

/**
 * kwok's stage and CRD files that the plane passes to kwok and the API server, copied next to the binary from
 * kwok's own module (so they match its version and need no Go module cache at run time).
 */
export const kwokAssets = Object.freeze({
  stages: ['node/fast/node-initialize.yaml', 'node/heartbeat/node-heartbeat.yaml', 'pod/fast/pod-ready.yaml', 'pod/fast/pod-complete.yaml', 'pod/fast/pod-delete.yaml'],
  crds: ['kwok.x-k8s.io_logs.yaml', 'kwok.x-k8s.io_portforwards.yaml'],
});

/** @param {ReturnType<typeof import('./paths.mjs').resolvePaths>} paths */
function kwokAssetsPresent(paths) {
  return [...kwokAssets.stages.map((f) => join(paths.kwokAssetsDir, 'stages', f.replaceAll('/', '-'))), ...kwokAssets.crds.map((f) => join(paths.kwokAssetsDir, 'crds', f))].every((f) => existsSync(f));
}

/** Copies {@link kwokAssets} from kwok's module folder (as `go list -m` finds it) into `paths.kwokAssetsDir`. */
function copyKwokAssets(paths) {
  const out = spawnSync('go', ['list', '-m', '-f', '{{.Dir}}', 'sigs.k8s.io/kwok'], { cwd: paths.kwokModDir, encoding: 'utf8', env: goEnv() });
  const dir = (out.stdout ?? '').trim();
  if (out.status !== 0 || !dir) {
    throw new ControlPlaneError('could not find the kwok module folder with go list -m', { details: (out.stderr ?? '').trim() });
  }
  for (const sub of ['stages', 'crds']) mkdirSync(join(paths.kwokAssetsDir, sub), { recursive: true });
  for (const f of kwokAssets.stages) copyFileSync(join(dir, 'kustomize', 'stage', f), join(paths.kwokAssetsDir, 'stages', f.replaceAll('/', '-')));
  for (const f of kwokAssets.crds) copyFileSync(join(dir, 'kustomize', 'crd', 'bases', f), join(paths.kwokAssetsDir, 'crds', f));
}

/**
 * A one-line, honest estimate of how long building `names` takes from cold on 2 cores.
 *
 * ## Example
 * ```js
 * buildEstimate(['kube-scheduler', 'kwok']); // 'about 4 min on 2 cores (less when Go's build cache is warm)'
 * ```
 * @param {readonly string[]} names
 */
export function buildEstimate(names) {
  const seconds = binaries.filter((b) => names.includes(b.name)).reduce((sum, b) => sum + b.coldSeconds, 0);
  const span = seconds < 90 ? `${Math.max(10, Math.round(seconds / 10) * 10)} s` : `${Math.round(seconds / 60)} min`;
  return `about ${span} on 2 cores (less when Go's build cache is warm, more on a busy machine)`;
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
          log(`building ${todo.join(', ')}; cold, that takes ${buildEstimate(todo)}`);
          for (const spec of binaries.filter((b) => todo.includes(b.name))) {
            if (spec.name === 'kwok' && binaryVersion('kwok', paths.bin.kwok) === versions.kwok) {
              copyKwokAssets(paths); // only its stage/CRD files were missing
              continue;
            }
            log(`building ${spec.name} ${spec.version()}`);
            const kube = spec.module === 'kubeModDir';
            const args = kube
              ? ['build', '-trimpath', '-tags=selinux,notest,grpcnotrace', '-ldflags', kubeLdflags(), '-o', join(tmp, spec.name), spec.pkg]
              : ['build', '-trimpath', '-ldflags', '-s -w', '-o', join(tmp, spec.name), spec.pkg];
            await go(args, paths[spec.module], log, spec.name);
            // Moved in at once: an interrupted cold build keeps what it finished.
            renameSync(join(tmp, spec.name), paths.bin[spec.key]);
            if (spec.name === 'kwok') copyKwokAssets(paths);
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
