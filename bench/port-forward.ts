// Port-forward: rxkube's `portForwardServer` vs `kubectl port-forward`, in the same run, against a plane with kwok
// nodes. Each forwarder runs in its own process (rxkube's: this file run with --forwarder; kubectl's: kubectl), so
// neither shares a JavaScript thread with the load generator and the targets, which run in this process. A kwok
// `PortForward` object sends the pod's ports to local targets: 80 an HTTP server (a 64-byte answer), 81 a source of
// `--mb` MiB per connection, 82 a sink that counts. Per round, rxkube and kubectl alternate (the one going first
// alternates too) on: a download and an upload of `--mb` MiB, and `--seconds` of small HTTP GETs with `--parallel`
// clients over keep-alive connections and over a new connection per request. Reported: every round, medians, the
// ratio of medians and the median of the per-round ratios, the CPU time each forwarder process used, and the load.
// `--spare N` gives rxkube's listeners N spare forwards (`PortForwardServerOptions.spare`); `--only a,b` runs some
// workloads only.
//
// Run: RXKUBE_CP_RUN_DIR=<run dir of `npm run cluster:up`> KUBECTL=<the plane's kubectl> npm run bench:port-forward --
//      --mb 100 --rounds 5 --seconds 3 --parallel 8
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Api, Client } from 'rxkube/client';
import { Config, portForwardServer } from 'rxkube/config';
import { Pod } from 'rxkube/core';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const MIB = 1024 * 1024;
const POD = 'bench-pf';
const PORTS = { http: 80, source: 81, sink: 82 } as const;
type Contender = 'rxkube' | 'kubectl';

interface State {
  kubeconfig: string;
}

/** --forwarder: rxkube's listeners, one per remote port, in a process of their own; prints their ports. */
async function forwarder(kubeconfig: string): Promise<void> {
  const pods = Api.namespaced(new Client(await Config.fromKubeconfig({ path: kubeconfig })), Pod, 'default');
  const out: Record<number, number> = {};
  for (const port of Object.values(PORTS)) {
    const server = await portForwardServer(pods, POD, port, { spare: arg('spare', 0), onError: (e) => console.error(`forwarder: ${e.message}`) });
    out[port] = server.port;
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Resolves with everything `child` printed once it matches `pattern`. */
function waitForOutput(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${out}`)), 30_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(out);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited (${String(code)}): ${out}`)));
  });
}

async function main(): Promise<void> {
  const runDir = process.env.RXKUBE_CP_RUN_DIR ?? join(process.env.HOME ?? '', '.cache/rxkube/run');
  const state = JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')) as State;
  if (process.argv.includes('--forwarder')) return forwarder(state.kubeconfig);
  const mb = arg('mb', 100);
  const rounds = arg('rounds', 5);
  const seconds = arg('seconds', 3);
  const parallel = arg('parallel', 8);
  const kubectlBin = process.env.KUBECTL ?? 'kubectl';

  // Targets, in this process.
  const block = Buffer.alloc(MIB, 120);
  const source = net.createServer((socket) => {
    let left = mb;
    const pump = (): void => {
      while (left > 0) {
        left--;
        if (!socket.write(block)) return void socket.once('drain', pump);
      }
      socket.end();
    };
    socket.on('error', () => undefined);
    pump();
  });
  let sinkWaiter: { bytes: number; done: () => void } | undefined;
  const sink = net.createServer((socket) => {
    let bytes = 0;
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      bytes += d.length;
      if (sinkWaiter !== undefined && bytes >= sinkWaiter.bytes) sinkWaiter.done();
    });
  });
  const body = Buffer.alloc(64, 111);
  const web = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }).end(body));
  web.keepAliveTimeout = 60_000;
  const listen = async (server: net.Server): Promise<number> => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as net.AddressInfo).port;
  };
  const targets = { [PORTS.http]: await listen(web), [PORTS.source]: await listen(source), [PORTS.sink]: await listen(sink) };

  const client = new Client(await Config.fromKubeconfig({ path: state.kubeconfig }));
  const pods = Api.namespaced(client, Pod, 'default');
  if ((await pods.getOpt(POD)) === undefined) {
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: POD }, spec: { containers: [{ name: 'app', image: 'x' }], terminationGracePeriodSeconds: 0 } });
  }
  for (let i = 0; i < 60 && (await pods.get(POD)).status?.phase !== 'Running'; i++) await new Promise((r) => setTimeout(r, 500));
  const portForwardObject = {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'PortForward',
    metadata: { name: POD, namespace: 'default' },
    spec: { forwards: Object.entries(targets).map(([port, target]) => ({ ports: [Number(port)], target: { address: '127.0.0.1', port: target } })) },
  };
  await new Promise<void>((resolve, reject) => {
    const apply = spawn(kubectlBin, [`--kubeconfig=${state.kubeconfig}`, 'apply', '-f', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
    apply.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kubectl apply exited ${String(code)}`))));
    apply.stdin.end(JSON.stringify(portForwardObject));
  });

  // The forwarders.
  const spare = arg('spare', 0);
  const rx = spawn(process.execPath, [process.argv[1] as string, '--forwarder', '--spare', String(spare)], { stdio: ['pipe', 'pipe', 'inherit'], env: process.env });
  const rxPorts = JSON.parse(/\{.*\}/.exec(await waitForOutput(rx, /\{.*\}\n/, 'the rxkube forwarder'))?.[0] ?? '{}') as Record<number, number>;
  const kubectl = spawn(kubectlBin, [`--kubeconfig=${state.kubeconfig}`, 'port-forward', `pod/${POD}`, ...Object.values(PORTS).map((p) => `:${p}`)], { stdio: ['ignore', 'pipe', 'inherit'] });
  // kubectl prints "Forwarding from 127.0.0.1:<local> -> <remote>" per port (and the same for [::1]).
  const printed = await waitForOutput(kubectl, new RegExp(`127\\.0\\.0\\.1:\\d+ -> ${PORTS.sink}\\n`), 'kubectl port-forward');
  kubectl.stdout?.resume();
  const kubectlPorts: Record<number, number> = {};
  for (const m of printed.matchAll(/127\.0\.0\.1:(\d+) -> (\d+)/g)) kubectlPorts[Number(m[2])] = Number(m[1]);
  const ports: Record<Contender, Record<number, number>> = { rxkube: rxPorts, kubectl: kubectlPorts };
  const pids: Record<Contender, number> = { rxkube: rx.pid as number, kubectl: kubectl.pid as number };

  const download = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      let bytes = 0;
      const socket = net.connect(port, '127.0.0.1');
      socket.on('data', (d: Buffer) => {
        bytes += d.length;
        if (bytes >= mb * MIB) {
          socket.destroy();
          resolve(mb / (Number(process.hrtime.bigint() - started) / 1e9));
        }
      });
      socket.on('error', reject);
      socket.on('close', () => bytes < mb * MIB && reject(new Error(`download closed after ${bytes} bytes`)));
    });
  const upload = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const timer = setTimeout(() => reject(new Error('upload: the sink did not get every byte within 120 s')), 120_000);
      sinkWaiter = {
        bytes: mb * MIB,
        done: () => {
          clearTimeout(timer);
          sinkWaiter = undefined;
          socket.destroy();
          resolve(mb / (Number(process.hrtime.bigint() - started) / 1e9));
        },
      };
      const socket = net.connect(port, '127.0.0.1');
      let left = mb;
      const pump = (): void => {
        while (left > 0) {
          left--;
          if (!socket.write(block)) return void socket.once('drain', pump);
        }
      };
      socket.on('connect', pump);
      socket.on('error', reject);
    });
  /** Requests/s of `parallel` clients each sending GETs one after another for `seconds`. */
  const requests = async (port: number, keepAlive: boolean): Promise<number> => {
    const agent = new http.Agent({ keepAlive, maxSockets: parallel });
    let done = 0;
    let failed = 0;
    const until = Date.now() + seconds * 1000;
    const started = process.hrtime.bigint();
    const get = (): Promise<void> =>
      new Promise((resolve) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/', agent, headers: keepAlive ? {} : { connection: 'close' } }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) done++;
            else failed++;
            resolve();
          });
        });
        req.on('error', () => {
          failed++;
          resolve();
        });
      });
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (Date.now() < until) await get();
      }),
    );
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    agent.destroy();
    if (failed > 0) console.error(`${failed} of ${done + failed} requests to :${port} failed`);
    return done / elapsed;
  };
  const workloads = {
    downloadMBps: (c: Contender) => download(ports[c][PORTS.source] as number),
    uploadMBps: (c: Contender) => upload(ports[c][PORTS.sink] as number),
    keepAliveRequestsPerSecond: (c: Contender) => requests(ports[c][PORTS.http] as number, true),
    newConnectionRequestsPerSecond: (c: Contender) => requests(ports[c][PORTS.http] as number, false),
  };
  type Workload = keyof typeof workloads;
  // --only uploadMBps,downloadMBps: a subset of the workloads.
  const onlyIndex = process.argv.indexOf('--only');
  if (onlyIndex > 0) {
    const only = new Set(String(process.argv[onlyIndex + 1]).split(','));
    for (const w of Object.keys(workloads) as Workload[]) if (!only.has(w)) delete workloads[w];
  }
  const results = Object.fromEntries(Object.keys(workloads).map((w) => [w, { rxkube: [] as number[], kubectl: [] as number[], rxkubeCpuS: [] as number[], kubectlCpuS: [] as number[] }])) as Record<
    Workload,
    { rxkube: number[]; kubectl: number[]; rxkubeCpuS: number[]; kubectlCpuS: number[] }
  >;
  const loads: number[] = [loadavg()[0] as number];
  try {
    // Warm-up: one small request each way through both (connections, JIT).
    for (const c of ['rxkube', 'kubectl'] as const) await requests(ports[c][PORTS.http] as number, true);
    for (let round = 0; round < rounds; round++) {
      const order: Contender[] = round % 2 === 0 ? ['rxkube', 'kubectl'] : ['kubectl', 'rxkube'];
      for (const workload of Object.keys(workloads) as Workload[]) {
        for (const c of order) {
          const cpu = cpuSeconds(pids[c]);
          const value = await workloads[workload](c);
          results[workload][c].push(Math.round(value * 10) / 10);
          results[workload][c === 'rxkube' ? 'rxkubeCpuS' : 'kubectlCpuS'].push(Math.round((cpuSeconds(pids[c]) - cpu) * 100) / 100);
        }
      }
      loads.push(loadavg()[0] as number);
      console.error(`round ${round + 1}/${rounds} done (load ${loadavg()[0]?.toFixed(2)})`);
    }
  } finally {
    kubectl.kill();
    rx.stdin?.end();
    rx.kill();
    for (const s of [source, sink, web]) s.close();
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  const summary = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadavgPerRound: loads.map(r2),
    options: { mb, rounds, seconds, parallel, spare },
    command: `npm run bench:port-forward -- --mb ${mb} --rounds ${rounds} --seconds ${seconds} --parallel ${parallel} --spare ${spare}${onlyIndex > 0 ? ` --only ${String(process.argv[onlyIndex + 1])}` : ''}`,
    workloads: Object.fromEntries(
      (Object.keys(results) as Workload[]).map((w) => {
        const r = results[w];
        return [
          w,
          {
            rxkube: r.rxkube,
            kubectl: r.kubectl,
            rxkubeMedian: median(r.rxkube),
            kubectlMedian: median(r.kubectl),
            ratioOfMedians: r2(median(r.rxkube) / median(r.kubectl)),
            medianOfRoundRatios: r2(median(r.rxkube.map((x, i) => x / (r.kubectl[i] as number)))),
            forwarderCpuSeconds: { rxkube: r.rxkubeCpuS, kubectl: r.kubectlCpuS, ratioOfMedians: r2(median(r.rxkubeCpuS) / median(r.kubectlCpuS)) },
          },
        ];
      }),
    ),
  };
  console.log(JSON.stringify(summary, null, 2));
  const out = process.env.BENCH_OUT ?? join(process.cwd(), 'bench/results/port-forward.json');
  writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  process.exit(0);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
