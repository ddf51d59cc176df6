// Port-forward throughput: bytes from a pod's port to a local client through rxkube's `portForwardServer` and through
// `kubectl port-forward`, in the same run, against a plane with kwok nodes (kwok forwards every pod port to the plane's
// default target, where this process serves the bytes). Run: RXKUBE_CP_RUN_DIR=<run dir of a plane started with
// `npm run cluster:up`> npm run bench:port-forward -- --mb 20 --rounds 3
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Api, Client } from 'rxkube/client';
import { Config, portForwardServer } from 'rxkube/config';
import { Pod } from 'rxkube/core';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

async function main(): Promise<void> {
  const runDir = process.env.RXKUBE_CP_RUN_DIR ?? join(process.env.HOME ?? '', '.cache/rxkube/run');
  const state = JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')) as { kubeconfig: string; ports: { podForward: number } };
  const mb = arg('mb', 20);
  const rounds = arg('rounds', 3);
  const payload = Buffer.alloc(1024 * 1024, 120);
  const source = net.createServer((socket) => {
    let left = mb;
    const pump = (): void => {
      while (left > 0) {
        left--;
        if (!socket.write(payload)) return void socket.once('drain', pump);
      }
      socket.end();
    };
    pump();
  });
  await new Promise<void>((r) => source.listen(state.ports.podForward, '127.0.0.1', r));
  const client = new Client(await Config.fromKubeconfig({ path: state.kubeconfig }));
  const pods = Api.namespaced(client, Pod, 'default');
  if ((await pods.getOpt('bench-pf')) === undefined) {
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bench-pf' }, spec: { containers: [{ name: 'app', image: 'x' }], terminationGracePeriodSeconds: 0 } });
  }
  for (let i = 0; i < 60 && (await pods.get('bench-pf')).status?.phase !== 'Running'; i++) await new Promise((r) => setTimeout(r, 500));

  const download = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const started = process.hrtime.bigint();
      let bytes = 0;
      const socket = net.connect(port, '127.0.0.1');
      socket.on('data', (d: Buffer) => {
        bytes += d.length;
        if (bytes >= mb * 1024 * 1024) {
          socket.destroy();
          resolve((mb / Number(process.hrtime.bigint() - started)) * 1e9);
        }
      });
      socket.on('error', reject);
      socket.on('close', () => bytes < mb * 1024 * 1024 && reject(new Error(`closed after ${bytes} bytes`)));
    });

  const rx = await portForwardServer(pods, 'bench-pf', 80);
  // The plane's kubectl (same version as the server): KUBECTL, else the first argument after --kubectl.
  const kubectlBin = process.env.KUBECTL ?? process.argv[process.argv.indexOf('--kubectl') + 1] ?? 'kubectl';
  const kubectl = spawn(kubectlBin, [`--kubeconfig=${state.kubeconfig}`, 'port-forward', 'pod/bench-pf', ':80']);
  let out = '';
  kubectl.stdout.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 100 && !/127\.0\.0\.1:(\d+)/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
  const kubectlPort = Number(/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
  const results: { rxkube: number[]; kubectl: number[] } = { rxkube: [], kubectl: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      results.rxkube.push(await download(rx.port));
      results.kubectl.push(await download(kubectlPort));
    }
  } finally {
    kubectl.kill();
    await rx.close();
    source.close();
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const summary = {
    date: new Date().toISOString(),
    loadavg: loadavg(),
    mbPerTransfer: mb,
    rounds,
    rxkubeMBps: results.rxkube.map((x) => Math.round(x * 10) / 10),
    kubectlMBps: results.kubectl.map((x) => Math.round(x * 10) / 10),
    ratioOfMedians: Math.round((median(results.rxkube) / median(results.kubectl)) * 100) / 100,
  };
  console.log(JSON.stringify(summary, null, 2));
  writeFileSync(join(process.cwd(), 'bench/results/port-forward.json'), `${JSON.stringify(summary, null, 2)}\n`);
  process.exit(0);
}
void main();
