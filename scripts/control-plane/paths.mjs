// Where the local control plane keeps its binaries and its running state, and which versions it pins.
//
// Everything lives OUTSIDE the work tree, in a cache folder keyed by the pinned versions, so fresh clones and
// other checkouts on the same machine reuse one build:
//
//   ${RXKUBE_CACHE_DIR:-$HOME/.cache/rxkube}/control-plane/k8s-v1.36.3-etcd-v3.6.16/bin   built binaries
//   ${RXKUBE_CACHE_DIR:-$HOME/.cache/rxkube}/run                                          state of the running plane
//
// Overrides (mostly for tests of the scripts themselves): RXKUBE_CP_BIN_DIR, RXKUBE_CP_RUN_DIR.
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Pinned versions: change them together with gomod/kube/go.mod, gomod/etcd/go.mod and gomod/kwok/go.mod. */
export const versions = Object.freeze({ kubernetes: 'v1.36.3', etcd: 'v3.6.16', kwok: 'v0.8.0' });

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Computes the folders used by the control-plane scripts from the environment.
 *
 * ## Example
 * ```js
 * const { binDir, runDir } = resolvePaths(process.env);
 * ```
 * @param {NodeJS.ProcessEnv} env
 */
export function resolvePaths(env = process.env) {
  const cacheDir = env.RXKUBE_CACHE_DIR || join(homedir(), '.cache', 'rxkube');
  const buildDir = join(cacheDir, 'control-plane', `k8s-${versions.kubernetes}-etcd-${versions.etcd}`);
  const binDir = env.RXKUBE_CP_BIN_DIR || join(buildDir, 'bin');
  const runDir = env.RXKUBE_CP_RUN_DIR || join(cacheDir, 'run');
  return {
    cacheDir,
    buildDir,
    binDir,
    runDir,
    /** Consumer Go modules committed in the repository. */
    kubeModDir: join(here, 'gomod', 'kube'),
    etcdModDir: join(here, 'gomod', 'etcd'),
    kwokModDir: join(here, 'gomod', 'kwok'),
    bin: {
      etcd: join(binDir, 'etcd'),
      kubeApiserver: join(binDir, 'kube-apiserver'),
      kubeControllerManager: join(binDir, 'kube-controller-manager'),
      kubectl: join(binDir, 'kubectl'),
      kubeScheduler: join(binDir, 'kube-scheduler'),
      kwok: join(binDir, 'kwok'),
    },
    /** kwok's stage and CRD files, copied from its module by the build (see build.mjs). */
    kwokAssetsDir: join(binDir, 'kwok-assets'),
    /** The kubeconfig written by `up()`. */
    kubeconfig: join(runDir, 'kubeconfig'),
    stateFile: join(runDir, 'state.json'),
    logDir: join(runDir, 'logs'),
    pkiDir: join(runDir, 'pki'),
  };
}

/** The folders for the current environment (see {@link resolvePaths}). */
export const paths = resolvePaths();
