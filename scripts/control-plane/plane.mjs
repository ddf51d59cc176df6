// The local Kubernetes control plane for tests and the demo: etcd + kube-apiserver + kube-controller-manager +
// kube-scheduler on free loopback ports, with throw-away credentials, the way controller-runtime's envtest runs real
// binaries, plus kwok playing the kubelet of a few fake nodes (two by default) so pods are scheduled and run.
//
// JS API (used by cli.mjs, by the Jest e2e global setup through the CLI, and by the demo):
//   build()            build the binaries into the version-keyed cache (see build.mjs)
//   up()               start the plane, or reuse the running one; resolves with its kubeconfig path
//   down()             stop exactly the processes up() started and remove the run folder
//   restartApiServer() restart kube-apiserver only, same flags and ports, etcd data kept
//   release(pid)       drop a lease taken by up({ leaseHolder }) and stop the plane when it was the last one
//   paths              where binaries and state live (see paths.mjs)
//
// State lives in `paths.runDir` (default ~/.cache/rxkube/run): state.json, <component>.pid, logs/, pki/, etcd/,
// kubeconfig. A plane started with a lease holder (a Jest run) is stopped when its last holder releases it; one
// started without (e.g. `npm run cluster:up`) keeps running until `npm run cluster:down`.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from './build.mjs';
import { ControlPlaneError } from './errors.mjs';
import { writeComponentKubeconfig, writeKubeconfig } from './kubeconfig.mjs';
import { withLock } from './lock.mjs';
import { paths, versions } from './paths.mjs';
import { kwokNodeAnnotation, nodeManifest, nodeNames, writeKwokConfig } from './kwok.mjs';
import { checkOpenssl, createPki } from './pki.mjs';
import { isAlive, startProcess, stopProcess, tail } from './process.mjs';

export { build, paths, versions, ControlPlaneError };

const here = dirname(fileURLToPath(import.meta.url));

/** Components in start order. */
const components = /** @type {const} */ (['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']);

/** The components a plane with `nodes` fake nodes runs: without nodes, no scheduler and no kwok (pods stay Pending). */
function componentsFor(nodes) {
  return nodes > 0 ? components : components.filter((c) => c !== 'kube-scheduler' && c !== 'kwok');
}

/** Default number of fake nodes (`RXKUBE_CP_NODES`, `up({ nodes })`). */
export const defaultNodes = 2;

/**
 * @typedef {object} PlaneState
 * @property {string} kubernetes @property {string} etcd @property {string} kwokVersion versions
 * @property {string} server https URL of kube-apiserver
 * @property {string} kubeconfig
 * @property {Record<string, number>} ports etcd, etcdPeer, apiserver, controllerManager, scheduler, kwok (the kubelet
 *   endpoint of every node), podForward (where port-forward to any pod port goes by default)
 * @property {number} nodes number of fake nodes
 * @property {{ podLogs: string, execDir: string }} kwok default log file of every pod, working folder of exec
 * @property {Record<string, number>} pids by component name
 * @property {Record<string, string[]>} args by component name
 * @property {boolean} pinned started without a lease holder: only `down()` stops it
 * @property {number} [watchdog] pid of watchdog.mjs, which stops an unpinned plane once no lease holder lives
 */

/**
 * @typedef {object} UpResult
 * @property {string} kubeconfig path of the kubeconfig (contexts rxkube-admin, rxkube-token, rxkube-nobody)
 * @property {string} server
 * @property {string} kubectl path of the matching kubectl
 * @property {boolean} reused true when a running plane was reused
 * @property {number} nodes number of fake nodes (kwok)
 * @property {string} podLogs default log file of every pod (append CRI lines: `criLogLine()` of rxkube/testing)
 * @property {string} execDir working folder of `kubectl exec` into any pod
 * @property {number} podForwardPort local port that port-forward to any pod port reaches by default
 * @property {string} runDir
 * @property {number} seconds
 */

/**
 * Starts the control plane, or reuses the running one. Fails with a {@link ControlPlaneError} (one-line message,
 * `details` = last log lines of the failing component) and leaves no process behind.
 *
 * ## Example
 * ```js
 * const { kubeconfig } = await up({ log: (line) => console.error(line) });
 * ```
 * @param {{ log?: (line: string) => void, leaseHolder?: number, env?: NodeJS.ProcessEnv, nodes?: number }} [options]
 *   leaseHolder: pid of a process (e.g. the Jest runner) that uses the plane and will call `release(pid)`.
 *   nodes: number of fake nodes (default `RXKUBE_CP_NODES` or 2); a running plane with another number is an error.
 * @returns {Promise<UpResult>}
 */
export async function up(options = {}) {
  const { log = () => {}, leaseHolder, env = process.env } = options;
  const started = Date.now();
  const nodes = nodeCount(options.nodes, env);
  mkdirSync(paths.runDir, { recursive: true });
  return withLock(`${paths.runDir}.lock`, async () => {
    const running = await currentState();
    if (running) {
      if ((options.nodes !== undefined || env.RXKUBE_CP_NODES) && running.nodes !== nodes) {
        throw new ControlPlaneError(
          `the running control plane in ${paths.runDir} has ${running.nodes} nodes, not ${nodes}; stop it (npm run cluster:down) or use another RXKUBE_CP_RUN_DIR`,
        );
      }
      if (leaseHolder === undefined) running.pinned = true;
      else addLease(leaseHolder);
      writeState(running);
      log(`reusing the running control plane at ${running.server}`);
      return result(running, true, started);
    }
    await cleanUp(log);
    const state = await start(log, env, nodes);
    if (leaseHolder !== undefined) addLease(leaseHolder);
    state.pinned = leaseHolder === undefined;
    // A plane started for lease holders is stopped by a watchdog once none of them lives (a crashed test run
    // never calls release()).
    if (!state.pinned) state.watchdog = startWatchdog();
    writeState(state);
    const res = result(state, false, started);
    log(`control plane ready at ${state.server} in ${res.seconds.toFixed(1)} s`);
    return res;
  }, { log, what: 'control-plane lock', timeoutMs: 10 * 60_000 });
}

/**
 * Stops the processes recorded in the run folder (only those, recognised by pid and command line) and removes
 * the run folder.
 *
 * ## Example
 * ```js
 * await down();
 * ```
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<{ stopped: string[] }>}
 */
export async function down(options = {}) {
  const { log = () => {} } = options;
  if (!existsSync(paths.runDir)) {
    log('no control plane state; nothing to stop');
    return { stopped: [] };
  }
  return withLock(`${paths.runDir}.lock`, () => cleanUp(log), { log, what: 'control-plane lock' });
}

/**
 * Drops the lease of `holder`. When the plane was started for lease holders (not pinned by `cluster:up`) and no
 * live holder is left, stops it.
 *
 * ## Example
 * ```js
 * await release(process.pid);
 * ```
 * @param {number} holder
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<{ stopped: boolean }>}
 */
export async function release(holder, options = {}) {
  const { log = () => {} } = options;
  if (!existsSync(paths.runDir)) return { stopped: false };
  return withLock(`${paths.runDir}.lock`, async () => {
    rmSync(join(paths.runDir, 'leases', String(holder)), { force: true });
    return stopIfUnused(log);
  }, { log, what: 'control-plane lock' });
}

/**
 * Stops the plane when it was started for lease holders and none of them is alive any more; used by the
 * watchdog (watchdog.mjs). Resolves with `stopped: true` when it stopped it, `gone: true` when there is nothing
 * left to watch (no plane, or a pinned one).
 *
 * ## Example
 * ```js
 * const { stopped } = await reapIfUnused();
 * ```
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<{ stopped: boolean, gone: boolean }>}
 */
export async function reapIfUnused(options = {}) {
  const { log = () => {} } = options;
  if (!existsSync(paths.stateFile)) return { stopped: false, gone: true };
  return withLock(`${paths.runDir}.lock`, async () => {
    const state = readState();
    if (!state || state.pinned) return { stopped: false, gone: true };
    const res = await stopIfUnused(log);
    return { stopped: res.stopped, gone: res.stopped };
  }, { log, what: 'control-plane lock' });
}

/** Inside the lock: stops the plane when it is not pinned and no live lease holder is left. */
async function stopIfUnused(log) {
  const state = readState();
  const others = liveLeases();
  if (!state || state.pinned || others.length > 0) {
    if (others.length > 0) log(`control plane still used by pid ${others.join(', ')}; leaving it running`);
    return { stopped: false };
  }
  await cleanUp(log);
  return { stopped: true };
}

/** Starts watchdog.mjs for this run folder, detached; returns its pid. */
function startWatchdog() {
  const proc = startProcess(process.execPath, [join(here, 'watchdog.mjs'), paths.runDir], join(paths.logDir, 'watchdog.log'), {
    ...process.env,
    RXKUBE_CP_RUN_DIR: paths.runDir,
  });
  return proc.pid;
}

/**
 * Kills kube-apiserver and starts it again with the same flags and port; etcd (and so all objects) is kept.
 * Resolves once `/readyz` answers again.
 *
 * ## Example
 * ```js
 * await restartApiServer();
 * ```
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<{ pid: number, seconds: number }>}
 */
export async function restartApiServer(options = {}) {
  const { log = () => {} } = options;
  const started = Date.now();
  return withLock(`${paths.runDir}.lock`, async () => {
    const state = readState();
    if (!state) throw new ControlPlaneError(`no running control plane in ${paths.runDir}; run npm run cluster:up`);
    const name = 'kube-apiserver';
    const old = state.pids[name];
    if (old !== undefined) await stopProcess(old, paths.runDir);
    log(`stopped kube-apiserver (pid ${old}); starting it again on port ${state.ports.apiserver}`);
    const proc = launch(name, state.args[name] ?? []);
    state.pids[name] = proc.pid;
    writeState(state);
    try {
      await waitFor(name, proc, () => apiserverReady(state.server), 180_000);
    } catch (err) {
      await cleanUp(log);
      throw err;
    }
    const seconds = (Date.now() - started) / 1000;
    log(`kube-apiserver ready again (pid ${proc.pid}) in ${seconds.toFixed(1)} s`);
    return { pid: proc.pid, seconds };
  }, { log, what: 'control-plane lock' });
}

/**
 * The state of the running plane, or undefined when none runs (or it is only partly alive).
 *
 * ## Example
 * ```js
 * const state = await status();
 * if (state) console.log(state.kubeconfig);
 * ```
 * @returns {Promise<PlaneState | undefined>}
 */
export async function status() {
  return currentState();
}

// ---------------------------------------------------------------------------------------------------------------

/** @param {PlaneState} state @param {boolean} reused @param {number} started @returns {UpResult} */
function result(state, reused, started) {
  return {
    kubeconfig: state.kubeconfig,
    server: state.server,
    kubectl: paths.bin.kubectl,
    reused,
    nodes: state.nodes,
    podLogs: state.kwok.podLogs,
    execDir: state.kwok.execDir,
    podForwardPort: state.ports.podForward,
    runDir: paths.runDir,
    seconds: (Date.now() - started) / 1000,
  };
}

/**
 * The number of fake nodes: `requested`, else `RXKUBE_CP_NODES`, else {@link defaultNodes}.
 * @param {number | undefined} requested
 * @param {NodeJS.ProcessEnv} env
 */
function nodeCount(requested, env) {
  const raw = requested ?? (env.RXKUBE_CP_NODES ? Number(env.RXKUBE_CP_NODES) : defaultNodes);
  if (!Number.isInteger(raw) || raw < 0 || raw > 50) {
    throw new ControlPlaneError(`the number of nodes must be an integer from 0 to 50, got ${requested ?? env.RXKUBE_CP_NODES}`);
  }
  return raw;
}

/** @returns {PlaneState | undefined} */
function readState() {
  try {
    return JSON.parse(readFileSync(paths.stateFile, 'utf8'));
  } catch {
    return undefined;
  }
}

/** @param {PlaneState} state */
function writeState(state) {
  writeFileSync(paths.stateFile, JSON.stringify(state, null, 2) + '\n');
  for (const [name, pid] of Object.entries(state.pids)) writeFileSync(join(paths.runDir, `${name}.pid`), `${pid}\n`);
}

function addLease(holder) {
  mkdirSync(join(paths.runDir, 'leases'), { recursive: true });
  writeFileSync(join(paths.runDir, 'leases', String(holder)), `${holder}\n`);
}

/** Pids of lease holders that are still alive (dead ones are removed). */
function liveLeases() {
  const dir = join(paths.runDir, 'leases');
  if (!existsSync(dir)) return [];
  const live = [];
  for (const name of readdirSync(dir)) {
    const pid = Number(name);
    if (Number.isInteger(pid) && isAlive(pid)) live.push(pid);
    else rmSync(join(dir, name), { force: true });
  }
  return live;
}

/**
 * The recorded state when every component is alive, the versions match and the API server answers. A busy
 * machine can make `/readyz` slow, so a plane whose processes all live gets `graceMs` to answer before it is
 * declared broken (and replaced by the caller).
 */
async function currentState(graceMs = 30_000) {
  const state = readState();
  if (!state || state.kubernetes !== versions.kubernetes || state.etcd !== versions.etcd || state.kwokVersion !== versions.kwok) return undefined;
  const alive = () => componentsFor(state.nodes ?? 0).every((name) => {
    const pid = state.pids[name];
    return pid !== undefined && isAlive(pid, paths.runDir);
  });
  const deadline = Date.now() + graceMs;
  while (alive()) {
    if (await apiserverReady(state.server)) return state;
    if (Date.now() > deadline) return undefined;
    await sleep(500);
  }
  return undefined;
}

/** Stops whatever the run folder records and removes it. */
async function cleanUp(log) {
  const stopped = [];
  const state = readState();
  const pids = { ...(state?.pids ?? {}) };
  for (const name of components) {
    if (pids[name] !== undefined) continue;
    try {
      pids[name] = Number.parseInt(readFileSync(join(paths.runDir, `${name}.pid`), 'utf8'), 10);
    } catch {
      // no pid file
    }
  }
  for (const name of [...components].reverse()) {
    const pid = pids[name];
    if (pid !== undefined && Number.isInteger(pid) && isAlive(pid, paths.runDir)) {
      await stopProcess(pid, paths.runDir);
      stopped.push(name);
      log(`stopped ${name} (pid ${pid})`);
    }
  }
  const watchdog = state?.watchdog;
  if (watchdog !== undefined && watchdog !== process.pid && isAlive(watchdog, paths.runDir)) await stopProcess(watchdog, paths.runDir, 2000);
  rmSync(paths.runDir, { recursive: true, force: true });
  mkdirSync(paths.runDir, { recursive: true });
  return { stopped };
}

/** A free TCP port on 127.0.0.1, or the one given in `env[name]`. */
async function port(env, name) {
  const fixed = env[name];
  if (fixed) {
    const n = Number(fixed);
    if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new ControlPlaneError(`${name}=${fixed} is not a TCP port`);
    return n;
  }
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Binaries of a plane with `nodes` nodes; a one-line error names the first missing one. */
function checkBinaries(nodes) {
  const files = [paths.bin.etcd, paths.bin.kubeApiserver, paths.bin.kubeControllerManager];
  if (nodes > 0) files.push(paths.bin.kubeScheduler, paths.bin.kwok, join(paths.kwokAssetsDir, 'stages'), join(paths.kwokAssetsDir, 'crds'));
  for (const file of files) {
    if (!existsSync(file)) {
      throw new ControlPlaneError(`control-plane binary missing: ${file}; run npm run cluster:build`);
    }
  }
}

/** @param {string} name @param {string[]} args */
function launch(name, args) {
  const bin = {
    etcd: paths.bin.etcd,
    'kube-apiserver': paths.bin.kubeApiserver,
    'kube-controller-manager': paths.bin.kubeControllerManager,
    'kube-scheduler': paths.bin.kubeScheduler,
    kwok: paths.bin.kwok,
  }[name];
  mkdirSync(paths.logDir, { recursive: true });
  return { name, ...startProcess(/** @type {string} */ (bin), args, join(paths.logDir, `${name}.log`)) };
}

/** Starts all components; on any failure stops what it started and throws. */
async function start(log, env, nodes) {
  checkBinaries(nodes);
  checkOpenssl();
  const run = paths.runDir;
  mkdirSync(paths.logDir, { recursive: true });
  const pki = createPki(paths.pkiDir);
  const ports = {
    etcd: await port(env, 'RXKUBE_CP_ETCD_PORT'),
    etcdPeer: await port(env, 'RXKUBE_CP_ETCD_PEER_PORT'),
    apiserver: await port(env, 'RXKUBE_CP_APISERVER_PORT'),
    controllerManager: await port(env, 'RXKUBE_CP_CONTROLLER_MANAGER_PORT'),
    scheduler: await port(env, 'RXKUBE_CP_SCHEDULER_PORT'),
    kwok: await port(env, 'RXKUBE_CP_KWOK_PORT'),
    podForward: await port(env, 'RXKUBE_CP_POD_FORWARD_PORT'),
  };
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const etcdUrl = `http://127.0.0.1:${ports.etcd}`;
  const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
  const cmKubeconfig = join(run, 'controller-manager.kubeconfig');
  writeKubeconfig(paths.kubeconfig, server, pki);
  writeComponentKubeconfig(cmKubeconfig, server, pki);
  const kwokFiles = writeKwokConfig(join(run, 'kwok'), { port: ports.kwok, podForwardPort: ports.podForward, cert: pki.kubeletCert, key: pki.kubeletKey });
  const stages = nodes > 0 ? readdirSync(join(paths.kwokAssetsDir, 'stages')).sort().map((f) => `--config=${join(paths.kwokAssetsDir, 'stages', f)}`) : [];

  /** @type {Record<string, string[]>} */
  const args = {
    etcd: [
      '--name=rxkube', `--data-dir=${join(run, 'etcd')}`, '--unsafe-no-fsync',
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=rxkube=${peerUrl}`, '--log-level=warn',
    ],
    'kube-apiserver': [
      `--etcd-servers=${etcdUrl}`, '--bind-address=127.0.0.1', `--secure-port=${ports.apiserver}`,
      '--advertise-address=127.0.0.1', '--endpoint-reconciler-type=none', `--cert-dir=${join(run, 'apiserver-certs')}`,
      `--tls-cert-file=${pki.serverCert}`, `--tls-private-key-file=${pki.serverKey}`,
      `--client-ca-file=${pki.caCert}`, `--token-auth-file=${pki.tokenFile}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.saPub}`, `--service-account-signing-key-file=${pki.saKey}`,
      '--service-cluster-ip-range=10.0.0.0/24', '--authorization-mode=RBAC', '--allow-privileged=true',
      // kwok's kubelet endpoint: every fake node's InternalIP is 127.0.0.1 (its Hostname address does not resolve).
      '--kubelet-preferred-address-types=InternalIP', `--kubelet-certificate-authority=${pki.caCert}`,
      `--kubelet-client-certificate=${pki.kubeletClientCert}`, `--kubelet-client-key=${pki.kubeletClientKey}`,
      // Extra flags for tests that need another server setup (e.g. --watch-cache=false), space-separated.
      ...(env.RXKUBE_CP_APISERVER_EXTRA_ARGS ?? '').split(/\s+/).filter(Boolean),
    ],
    'kube-controller-manager': [
      `--kubeconfig=${cmKubeconfig}`, `--authentication-kubeconfig=${cmKubeconfig}`,
      `--authorization-kubeconfig=${cmKubeconfig}`, '--leader-elect=false',
      `--service-account-private-key-file=${pki.saKey}`, `--root-ca-file=${pki.caCert}`,
      `--cluster-signing-cert-file=${pki.caCert}`, `--cluster-signing-key-file=${pki.caKey}`,
      '--use-service-account-credentials=false', '--bind-address=127.0.0.1',
      `--secure-port=${ports.controllerManager}`, `--cert-dir=${join(run, 'controller-manager-certs')}`,
    ],
    'kube-scheduler': [
      `--kubeconfig=${cmKubeconfig}`, `--authentication-kubeconfig=${cmKubeconfig}`,
      `--authorization-kubeconfig=${cmKubeconfig}`, '--leader-elect=false', '--bind-address=127.0.0.1',
      `--secure-port=${ports.scheduler}`, `--cert-dir=${join(run, 'scheduler-certs')}`,
    ],
    kwok: [`--kubeconfig=${cmKubeconfig}`, `--config=${kwokFiles.config}`, ...stages],
  };
  /** @type {PlaneState} */
  const state = {
    kubernetes: versions.kubernetes, etcd: versions.etcd, kwokVersion: versions.kwok, server, kubeconfig: paths.kubeconfig,
    ports, pids: {}, args, pinned: true, nodes, kwok: { podLogs: kwokFiles.podLogs, execDir: kwokFiles.execDir },
  };
  /** Set when one component failed, so the waits for the others give up at once. */
  const abort = { failed: false };
  const startOne = (name) => {
    const proc = launch(name, args[name]);
    state.pids[name] = proc.pid;
    writeState(state);
    return proc;
  };
  try {
    log(`starting etcd ${versions.etcd} on ${etcdUrl}`);
    const etcd = startOne('etcd');
    await waitFor('etcd', etcd, () => etcdHealthy(etcdUrl), 60_000);

    log(`starting kube-apiserver ${versions.kubernetes} on ${server}`);
    const apiserver = startOne('kube-apiserver');
    await waitFor('kube-apiserver', apiserver, async () => (await apiserverReady(server)) && (await exists(server, '/api/v1/namespaces/default')), 180_000);

    const guard = (p) => p.catch((err) => {
      abort.failed = true;
      throw err;
    });
    log(nodes > 0 ? `starting kube-controller-manager, kube-scheduler and kwok ${versions.kwok} with ${nodes} node(s)` : 'starting kube-controller-manager (no nodes: no scheduler, no kwok)');
    const cm = startOne('kube-controller-manager');
    // The service-account controller creating `default/default` shows the controllers run.
    const waits = [guard(waitFor('kube-controller-manager', cm, () => exists(server, '/api/v1/namespaces/default/serviceaccounts/default'), 120_000, abort))];
    if (nodes > 0) {
      const scheduler = startOne('kube-scheduler');
      waits.push(guard(waitFor('kube-scheduler', scheduler, () => schedulerHealthy(ports.scheduler), 120_000, abort)));
      waits.push(guard(startKwok(server, nodes, ports.kwok, startOne, abort, Number(env.RXKUBE_CP_NODES_READY_TIMEOUT_S || 120))));
    }
    await Promise.all(waits);
    return state;
  } catch (err) {
    abort.failed = true;
    for (const name of [...components].reverse()) {
      const pid = state.pids[name];
      if (pid !== undefined) await stopProcess(pid, run);
    }
    for (const name of components) rmSync(join(run, `${name}.pid`), { force: true });
    rmSync(paths.stateFile, { force: true });
    throw err;
  }
}

/**
 * Installs kwok's namespaced Logs and PortForward CRDs, creates the Node objects, starts kwok and waits until
 * every node is Ready.
 */
async function startKwok(server, nodes, kwokPort, startOne, abort, timeoutS) {
  for (const file of readdirSync(join(paths.kwokAssetsDir, 'crds')).sort()) {
    const res = await adminRequest(server, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', readFileSync(join(paths.kwokAssetsDir, 'crds', file), 'utf8'), 'application/yaml');
    if (res.status !== 201 && res.status !== 409) {
      throw new ControlPlaneError(`could not create kwok's CRD ${file} (HTTP ${res.status})`, { details: res.body.slice(0, 2000) });
    }
  }
  for (const name of nodeNames(nodes)) {
    const res = await adminRequest(server, 'POST', '/api/v1/nodes', JSON.stringify(nodeManifest(name)));
    if (res.status !== 201 && res.status !== 409) {
      throw new ControlPlaneError(`could not create node ${name} (HTTP ${res.status})`, { details: res.body.slice(0, 2000) });
    }
  }
  const kwok = startOne('kwok');
  let ready = 0;
  let serving = false;
  await waitFor('kwok', kwok, async () => {
    ready = await readyNodes(server);
    serving = await kwokServing(kwokPort);
    return ready >= nodes && serving;
  }, timeoutS * 1000, abort, () => `kwok: ${ready} of ${nodes} node(s) Ready${serving ? '' : ', kubelet endpoint not answering'} after ${timeoutS} s`);
}

/** How many kwok nodes report Ready=True. */
async function readyNodes(server) {
  const res = await adminRequest(server, 'GET', `/api/v1/nodes?labelSelector=${encodeURIComponent('node.rxkube.dev/fake=kwok')}`);
  if (res.status !== 200) return 0;
  const list = JSON.parse(res.body);
  return list.items.filter((n) => n.metadata?.annotations?.[kwokNodeAnnotation] === 'fake' && (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')).length;
}

/** kwok's kubelet endpoint answers /healthz. */
async function kwokServing(kwokPort) {
  return (await httpsGetInsecure(`https://127.0.0.1:${kwokPort}/healthz`).catch(() => 0)) === 200;
}

async function schedulerHealthy(schedulerPort) {
  return (await httpsGetInsecure(`https://127.0.0.1:${schedulerPort}/healthz`).catch(() => 0)) === 200;
}

/** GET over HTTPS without checking the (self-signed) serving certificate; loopback health checks only. */
function httpsGetInsecure(url) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { rejectUnauthorized: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/**
 * Polls `ready` until it resolves true; fails when the process exits first or time runs out.
 * @param {string} name
 * @param {{ pid: number, exited: Promise<string> }} proc
 * @param {() => Promise<boolean>} ready
 * @param {number} timeoutMs
 * @param {{ failed: boolean }} [abort] stops waiting once `failed` is set (another component failed)
 * @param {() => string} [notReady] the reason when time runs out
 */
async function waitFor(name, proc, ready, timeoutMs, abort = { failed: false }, notReady = () => `${name} was not ready after ${timeoutMs / 1000} s`) {
  const deadline = Date.now() + timeoutMs;
  const logFile = join(paths.logDir, `${name}.log`);
  let exit;
  proc.exited.then((how) => {
    exit = how;
  });
  for (;;) {
    if (abort.failed) throw new ControlPlaneError(`start-up of ${name} abandoned: another component failed`);
    if (exit !== undefined || proc.pid < 0 || !isAlive(proc.pid)) {
      await sleep(200); // let the log flush
      throw new ControlPlaneError(`${name} exited (${exit ?? 'unknown status'}) during start-up; log: ${logFile}`, {
        details: tail(logFile, 15),
      });
    }
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new ControlPlaneError(`${notReady()}; log: ${logFile}`, {
        details: tail(logFile, 15),
      });
    }
    await sleep(250);
  }
}

/** GET `url` over plain HTTP; resolves with status and body. */
function httpGet(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function etcdHealthy(url) {
  const res = await httpGet(`${url}/health`);
  return res.status === 200 && /"health":\s*"true"/.test(res.body);
}

/** GET `path` from the API server with the admin client certificate; resolves with the status code. */
function adminGet(server, path) {
  const read = (f) => readFileSync(join(paths.pkiDir, f));
  return new Promise((resolve, reject) => {
    const req = https.get(`${server}${path}`, {
      ca: read('ca.crt'), cert: read('admin.crt'), key: read('admin.key'), timeout: 5000,
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/**
 * A request to the API server with the admin client certificate; resolves with status and body.
 * @param {string} server @param {string} method @param {string} path @param {string} [body] @param {string} [type]
 * @returns {Promise<{ status: number, body: string }>}
 */
function adminRequest(server, method, path, body, type = 'application/json') {
  const read = (f) => readFileSync(join(paths.pkiDir, f));
  return new Promise((resolve, reject) => {
    const req = https.request(`${server}${path}`, {
      method, ca: read('ca.crt'), cert: read('admin.crt'), key: read('admin.key'), timeout: 10_000,
      headers: body === undefined ? {} : { 'content-type': type },
    }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

async function apiserverReady(server) {
  return (await adminGet(server, '/readyz').catch(() => 0)) === 200;
}

async function exists(server, path) {
  return (await adminGet(server, path).catch(() => 0)) === 200;
}
