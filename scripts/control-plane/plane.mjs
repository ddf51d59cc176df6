// The local Kubernetes control plane for tests and the demo: etcd + kube-apiserver + kube-controller-manager on
// free loopback ports, with throw-away credentials, the way controller-runtime's envtest runs real binaries.
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
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from './build.mjs';
import { ControlPlaneError } from './errors.mjs';
import { writeComponentKubeconfig, writeKubeconfig } from './kubeconfig.mjs';
import { withLock } from './lock.mjs';
import { paths, versions } from './paths.mjs';
import { checkOpenssl, createPki } from './pki.mjs';
import { isAlive, startProcess, stopProcess, tail } from './process.mjs';

export { build, paths, versions, ControlPlaneError };

/** Components in start order. */
const components = /** @type {const} */ (['etcd', 'kube-apiserver', 'kube-controller-manager']);

/**
 * @typedef {object} PlaneState
 * @property {string} kubernetes @property {string} etcd versions
 * @property {string} server https URL of kube-apiserver
 * @property {string} kubeconfig
 * @property {Record<string, number>} ports etcd, etcdPeer, apiserver, controllerManager
 * @property {Record<string, number>} pids by component name
 * @property {Record<string, string[]>} args by component name
 * @property {boolean} pinned started without a lease holder: only `down()` stops it
 */

/**
 * @typedef {object} UpResult
 * @property {string} kubeconfig path of the kubeconfig (contexts rxkube-admin, rxkube-token, rxkube-nobody)
 * @property {string} server
 * @property {string} kubectl path of the matching kubectl
 * @property {boolean} reused true when a running plane was reused
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
 * @param {{ log?: (line: string) => void, leaseHolder?: number, env?: NodeJS.ProcessEnv }} [options]
 *   leaseHolder: pid of a process (e.g. the Jest runner) that uses the plane and will call `release(pid)`.
 * @returns {Promise<UpResult>}
 */
export async function up(options = {}) {
  const { log = () => {}, leaseHolder, env = process.env } = options;
  const started = Date.now();
  mkdirSync(paths.runDir, { recursive: true });
  return withLock(`${paths.runDir}.lock`, async () => {
    const running = await currentState();
    if (running) {
      if (leaseHolder === undefined) running.pinned = true;
      else addLease(leaseHolder);
      writeState(running);
      log(`reusing the running control plane at ${running.server}`);
      return result(running, true, started);
    }
    await cleanUp(log);
    const state = await start(log, env);
    if (leaseHolder !== undefined) addLease(leaseHolder);
    state.pinned = leaseHolder === undefined;
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
    const state = readState();
    const others = liveLeases();
    if (!state || state.pinned || others.length > 0) {
      if (others.length > 0) log(`control plane still used by pid ${others.join(', ')}; leaving it running`);
      return { stopped: false };
    }
    await cleanUp(log);
    return { stopped: true };
  }, { log, what: 'control-plane lock' });
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
    seconds: (Date.now() - started) / 1000,
  };
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
  if (!state || state.kubernetes !== versions.kubernetes || state.etcd !== versions.etcd) return undefined;
  const alive = () => components.every((name) => {
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

/** Binaries of the plane; a one-line error names the first missing one. */
function checkBinaries() {
  for (const file of [paths.bin.etcd, paths.bin.kubeApiserver, paths.bin.kubeControllerManager]) {
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
  }[name];
  mkdirSync(paths.logDir, { recursive: true });
  return { name, ...startProcess(/** @type {string} */ (bin), args, join(paths.logDir, `${name}.log`)) };
}

/** Starts all three components; on any failure stops what it started and throws. */
async function start(log, env) {
  checkBinaries();
  checkOpenssl();
  const run = paths.runDir;
  mkdirSync(paths.logDir, { recursive: true });
  const pki = createPki(paths.pkiDir);
  const ports = {
    etcd: await port(env, 'RXKUBE_CP_ETCD_PORT'),
    etcdPeer: await port(env, 'RXKUBE_CP_ETCD_PEER_PORT'),
    apiserver: await port(env, 'RXKUBE_CP_APISERVER_PORT'),
    controllerManager: await port(env, 'RXKUBE_CP_CONTROLLER_MANAGER_PORT'),
  };
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const etcdUrl = `http://127.0.0.1:${ports.etcd}`;
  const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
  const cmKubeconfig = join(run, 'controller-manager.kubeconfig');
  writeKubeconfig(paths.kubeconfig, server, pki);
  writeComponentKubeconfig(cmKubeconfig, server, pki);

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
  };
  /** @type {PlaneState} */
  const state = {
    kubernetes: versions.kubernetes, etcd: versions.etcd, server, kubeconfig: paths.kubeconfig,
    ports, pids: {}, args, pinned: true,
  };
  try {
    log(`starting etcd ${versions.etcd} on ${etcdUrl}`);
    const etcd = launch('etcd', args.etcd);
    state.pids.etcd = etcd.pid;
    writeState(state);
    await waitFor('etcd', etcd, () => etcdHealthy(etcdUrl), 60_000);

    log(`starting kube-apiserver ${versions.kubernetes} on ${server}`);
    const apiserver = launch('kube-apiserver', args['kube-apiserver']);
    state.pids['kube-apiserver'] = apiserver.pid;
    writeState(state);
    await waitFor('kube-apiserver', apiserver, async () => (await apiserverReady(server)) && (await exists(server, '/api/v1/namespaces/default')), 180_000);

    log('starting kube-controller-manager');
    const cm = launch('kube-controller-manager', args['kube-controller-manager']);
    state.pids['kube-controller-manager'] = cm.pid;
    writeState(state);
    // The service-account controller creating `default/default` shows the controllers run.
    await waitFor('kube-controller-manager', cm, () => exists(server, '/api/v1/namespaces/default/serviceaccounts/default'), 120_000);
    return state;
  } catch (err) {
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
 * Polls `ready` until it resolves true; fails when the process exits first or time runs out.
 * @param {string} name
 * @param {{ pid: number, exited: Promise<string> }} proc
 * @param {() => Promise<boolean>} ready
 * @param {number} timeoutMs
 */
async function waitFor(name, proc, ready, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const logFile = join(paths.logDir, `${name}.log`);
  let exit;
  proc.exited.then((how) => {
    exit = how;
  });
  for (;;) {
    if (exit !== undefined || proc.pid < 0 || !isAlive(proc.pid)) {
      await sleep(200); // let the log flush
      throw new ControlPlaneError(`${name} exited (${exit ?? 'unknown status'}) during start-up; log: ${logFile}`, {
        details: tail(logFile, 15),
      });
    }
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new ControlPlaneError(`${name} was not ready after ${timeoutMs / 1000} s; log: ${logFile}`, {
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

async function apiserverReady(server) {
  return (await adminGet(server, '/readyz').catch(() => 0)) === 200;
}

async function exists(server, path) {
  return (await adminGet(server, path).catch(() => 0)) === 200;
}
