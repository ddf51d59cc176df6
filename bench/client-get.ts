// Benchmark: GET of one ConfigMap against the local kube-apiserver, rxkube versus
// @kubernetes/client-node 1.4, in one process, on the same objects and the same kubeconfig context.
// Two workloads: 2,000 sequential GETs, and 2,000 GETs with 32 in flight. Rounds alternate between
// the libraries (so drift of the machine hits both); the median round is reported.
//
//   npm run bench:client [-- --rounds 3 --requests 2000 --concurrency 32 --kubeconfig <path>]
//
// Without --kubeconfig (or RXKUBE_TEST_KUBECONFIG) it starts or reuses the local control plane.
// Results go to bench/results/client-get.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap } from '../lib/core/api/core/v1.js';
import { Api, Client } from 'rxkube/client';
import { Config } from 'rxkube/config';
import { resourceType } from 'rxkube/core';

const ConfigMapType = resourceType<ConfigMap, 'Namespaced'>({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', scope: 'Namespaced' });

interface Options {
  rounds: number;
  requests: number;
  concurrency: number;
  warmup: number;
  kubeconfig: string;
}

function parseArgs(argv: readonly string[]): Options {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const kubeconfig = get('kubeconfig') ?? process.env.RXKUBE_TEST_KUBECONFIG ?? startPlane();
  return {
    rounds: Number(get('rounds') ?? 3),
    requests: Number(get('requests') ?? 2000),
    concurrency: Number(get('concurrency') ?? 32),
    warmup: Number(get('warmup') ?? 200),
    kubeconfig,
  };
}

function startPlane(): string {
  const out = execFileSync(process.execPath, [join(process.cwd(), 'scripts/control-plane/cli.mjs'), 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const path = out.trim().split('\n').pop();
  if (!path) throw new Error('cluster:up printed no kubeconfig path');
  return path;
}

type Get = (name: string) => Promise<unknown>;

async function sequential(get: Get, names: readonly string[], n: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) await get(names[i % names.length] as string);
  return n / ((performance.now() - started) / 1000);
}

async function concurrent(get: Get, names: readonly string[], n: number, inFlight: number): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await get(names[i % names.length] as string);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return n / ((performance.now() - started) / 1000);
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
const round1 = (x: number): number => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const namespace = `bench-client-get-${Date.now().toString(36)}`;
  const names = Array.from({ length: 8 }, (_, i) => `bench-${i}`);

  // rxkube: the shared keep-alive transport from rxkube/config.
  const client = new Client(await Config.fromKubeconfig({ path: options.kubeconfig }));
  const namespaces = Api.cluster(client, resourceType({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', scope: 'Cluster' }));
  await namespaces.create({ metadata: { name: namespace } });
  const configMaps = Api.namespaced(client, ConfigMapType, namespace);
  for (const name of names) {
    await configMaps.create({ metadata: { name, labels: { app: 'bench' } }, data: { a: 'x'.repeat(256), b: 'y'.repeat(256) } });
  }

  // client-node 1.4 (ESM only): loaded with a dynamic import, same kubeconfig and context.
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(options.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);

  const libraries: Record<'rxkube' | 'clientNode', Get> = {
    rxkube: (name) => configMaps.get(name),
    clientNode: (name) => core.readNamespacedConfigMap({ name, namespace }),
  };

  // Both return the same object.
  const [a, b] = await Promise.all([libraries.rxkube('bench-0'), libraries.clientNode('bench-0')]);
  const uidA = (a as ConfigMap).metadata?.uid;
  const uidB = (b as ConfigMap).metadata?.uid;
  if (uidA === undefined || uidA !== uidB) throw new Error(`the libraries read different objects: ${String(uidA)} vs ${String(uidB)}`);

  const rounds: { round: number; library: string; sequential: number; concurrent: number }[] = [];
  try {
    for (const get of Object.values(libraries)) {
      await concurrent(get, names, options.warmup, options.concurrency);
      await sequential(get, names, options.warmup);
    }
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? (['rxkube', 'clientNode'] as const) : (['clientNode', 'rxkube'] as const);
      for (const library of order) {
        const get = libraries[library];
        const seq = await sequential(get, names, options.requests);
        const conc = await concurrent(get, names, options.requests, options.concurrency);
        rounds.push({ round, library, sequential: round1(seq), concurrent: round1(conc) });
        console.error(`round ${round + 1}/${options.rounds} ${library.padEnd(10)} sequential ${seq.toFixed(0).padStart(6)} req/s   ${options.concurrency} in flight ${conc.toFixed(0).padStart(6)} req/s`);
      }
    }
  } finally {
    await namespaces.delete(namespace).catch(() => undefined);
  }

  const pick = (library: string, field: 'sequential' | 'concurrent'): number => median(rounds.filter((r) => r.library === library).map((r) => r[field]));
  const summary = Object.fromEntries(
    (['sequential', 'concurrent'] as const).map((field) => {
      const rx = pick('rxkube', field);
      const cn = pick('clientNode', field);
      return [field, { rxkubeRequestsPerSecond: rx, clientNodeRequestsPerSecond: cn, ratio: Math.round((rx / cn) * 100) / 100 }];
    }),
  );
  const version = (await client.request<{ gitVersion: string }>({ verb: 'get', method: 'GET', path: '/version', query: {}, headers: { Accept: 'application/json' } })).gitVersion;
  const result = {
    benchmark: 'client-get',
    description: `GET of a ConfigMap (8 objects, ~0.7 KB each, round robin): ${options.requests} sequential, and ${options.requests} with ${options.concurrency} in flight; median of ${options.rounds} alternating rounds`,
    date: new Date().toISOString(),
    command: 'npm run bench:client',
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
      platform: `${platform()} ${release()}`,
      node: process.version,
    },
    server: { kubeApiserver: version, transport: 'https, client certificate (context rxkube-admin)' },
    libraries: { rxkube: 'this checkout (axios adapter http, keep-alive agent from rxkube/config)', clientNode: '@kubernetes/client-node 1.4.0' },
    options: { requests: options.requests, concurrency: options.concurrency, rounds: options.rounds, warmup: options.warmup },
    summary,
    rounds,
  };
  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'client-get.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(summary, null, 2));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
