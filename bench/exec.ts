// Exec round-trip latency: `--writes` small stdin writes (`--bytes` each, default 16), each echoed back by
// `dd bs=<bytes> count=<writes> iflag=fullblock` in a kwok pod (it writes each block as soon as it is read, like
// `cat`, and exits after the last one, so no process is left behind: kwok neither passes stdin's EOF on nor ends a
// command whose stream closed) before the next is sent, through rxkube's `Api.exec` (in this process, as a user runs it) and through
// `kubectl exec -i` (its own process, driven over its stdin/stdout pipes), alternating per round. kwok never
// passes stdin's EOF on, so the echo is framed here: a write counts as answered once all its bytes came back.
// Reported: p50/p90/p99/mean per contender per round, the medians over rounds and their ratio, and the load.
//
// Run: RXKUBE_CP_RUN_DIR=<run dir of `npm run cluster:up`> KUBECTL=<the plane's kubectl> npm run bench:exec --
//      --writes 1000 --rounds 5
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Api, Client } from 'rxkube/client';
import { Config } from 'rxkube/config';
import { Pod } from 'rxkube/core';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const POD = 'bench-exec';

/** A way to send bytes and be told of bytes coming back. */
interface Echo {
  write(data: Uint8Array): void;
  onData(listener: (length: number) => void): void;
  close(): void;
}

/** Round-trip times in µs of `writes` writes of `bytes` bytes, each sent once the previous one came back whole. */
function pingPong(echo: Echo, writes: number, bytes: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    const payload = new Uint8Array(bytes).fill(97);
    payload[bytes - 1] = 10;
    let pending = 0;
    let sentAt = 0n;
    const timer = setTimeout(() => reject(new Error(`no echo after ${times.length} of ${writes} writes within 120 s`)), 120_000);
    const send = (): void => {
      pending = bytes;
      sentAt = process.hrtime.bigint();
      echo.write(payload);
    };
    echo.onData((length) => {
      pending -= length;
      if (pending > 0) return;
      if (pending < 0) reject(new Error(`${-pending} bytes more came back than were sent`));
      times.push(Number(process.hrtime.bigint() - sentAt) / 1000);
      if (times.length < writes) send();
      else {
        clearTimeout(timer);
        resolve(times);
      }
    });
    send();
  });
}

async function main(): Promise<void> {
  const runDir = process.env.RXKUBE_CP_RUN_DIR ?? join(process.env.HOME ?? '', '.cache/rxkube/run');
  const { kubeconfig } = JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')) as { kubeconfig: string };
  const writes = arg('writes', 1000);
  const bytes = arg('bytes', 16);
  const rounds = arg('rounds', 5);
  const kubectlBin = process.env.KUBECTL ?? 'kubectl';
  const pods = Api.namespaced(new Client(await Config.fromKubeconfig({ path: kubeconfig })), Pod, 'default');
  if ((await pods.getOpt(POD)) === undefined) {
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: POD }, spec: { containers: [{ name: 'app', image: 'x' }], terminationGracePeriodSeconds: 0 } });
  }
  for (let i = 0; i < 60 && (await pods.get(POD)).status?.phase !== 'Running'; i++) await new Promise((r) => setTimeout(r, 500));

  const WARM_UP = 20;
  const command = ['dd', `bs=${bytes}`, `count=${WARM_UP + writes}`, 'iflag=fullblock', 'status=none'];
  const contenders = {
    rxkube: async (): Promise<Echo> => {
      const session = await pods.exec(POD, command, { stdin: true, stdout: true, stderr: true });
      return {
        write: (data) => session.stdin.write(data),
        onData: (listener) => session.stdout.subscribe((chunk) => listener(chunk.length)),
        close: () => session.close(),
      };
    },
    kubectl: async (): Promise<Echo> => {
      const child = spawn(kubectlBin, [`--kubeconfig=${kubeconfig}`, 'exec', '-i', POD, '--', ...command], { stdio: ['pipe', 'pipe', 'inherit'] });
      child.on('error', (e) => console.error(`kubectl: ${e.message}`));
      return {
        write: (data) => child.stdin.write(data),
        onData: (listener) => child.stdout.on('data', (d: Buffer) => listener(d.length)),
        close: () => child.kill(),
      };
    },
  };
  type Contender = keyof typeof contenders;
  const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  const stats = (times: number[]) => {
    const sorted = [...times].sort((a, b) => a - b);
    const r = (x: number): number => Math.round(x);
    return { p50: r(percentile(sorted, 50)), p90: r(percentile(sorted, 90)), p99: r(percentile(sorted, 99)), mean: r(times.reduce((a, b) => a + b, 0) / times.length) };
  };
  const perRound: Record<Contender, Array<ReturnType<typeof stats>>> = { rxkube: [], kubectl: [] };
  const loads: number[] = [loadavg()[0] as number];
  for (let round = 0; round < rounds; round++) {
    const order: Contender[] = round % 2 === 0 ? ['rxkube', 'kubectl'] : ['kubectl', 'rxkube'];
    for (const c of order) {
      const echo = await contenders[c]();
      try {
        await pingPong(echo, WARM_UP, bytes); // warm-up: the process has started and echoes
        perRound[c].push(stats(await pingPong(echo, writes, bytes)));
      } finally {
        echo.close();
      }
    }
    loads.push(loadavg()[0] as number);
    console.error(`round ${round + 1}/${rounds}: rxkube p50 ${perRound.rxkube.at(-1)?.p50} µs, kubectl p50 ${perRound.kubectl.at(-1)?.p50} µs (load ${loadavg()[0]?.toFixed(2)})`);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const med = (c: Contender, k: 'p50' | 'p90' | 'p99' | 'mean'): number => median(perRound[c].map((s) => s[k]));
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  const summary = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadavgPerRound: loads.map(r2),
    options: { writes, bytes, rounds },
    command: `npm run bench:exec -- --writes ${writes} --bytes ${bytes} --rounds ${rounds}`,
    microseconds: {
      rxkube: perRound.rxkube,
      kubectl: perRound.kubectl,
      medianP50: { rxkube: med('rxkube', 'p50'), kubectl: med('kubectl', 'p50') },
      medianP99: { rxkube: med('rxkube', 'p99'), kubectl: med('kubectl', 'p99') },
      medianMean: { rxkube: med('rxkube', 'mean'), kubectl: med('kubectl', 'mean') },
    },
    // Below 1: rxkube answers faster.
    ratioOfMedianP50: r2(med('rxkube', 'p50') / med('kubectl', 'p50')),
    ratioOfMedianMean: r2(med('rxkube', 'mean') / med('kubectl', 'mean')),
  };
  console.log(JSON.stringify(summary, null, 2));
  writeFileSync(process.env.BENCH_OUT ?? join(process.cwd(), 'bench/results/exec.json'), `${JSON.stringify(summary, null, 2)}\n`);
  process.exit(0);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
