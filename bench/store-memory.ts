// Benchmark: heap per object of 20,000 realistic Pods (~6.8 KB of JSON each, managedFields
// included) held in memory (JavaScript heap plus ArrayBuffer memory), measured after full garbage collections:
//   - the parsed objects alone (JSON.parse of the LIST body, items kept in an array): the floor;
//   - an rxkube store filled by watcher() + reflector over HTTP, without a transform;
//   - the same with the dropManagedFields transform, and compact (each object kept as its JSON bytes);
//   - @kubernetes/client-node 1.4's informer cache (makeInformer over CoreV1Api.listNamespacedPod).
// A local HTTP server in a worker thread (a separate heap) serves the LIST and an idle WATCH.
//
//   npm run bench:store [-- --pods 20000]
//
// The script enables `gc()` itself (v8.setFlagsFromString('--expose-gc')), as `node --expose-gc` would.
// Results go to bench/results/store-memory.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import type { Pod } from '../lib/core/api/core/v1.js';
import { Api, Client } from 'rxkube/client';
import { resourceType } from 'rxkube/core';
import { dropManagedFields, reflector, store, watcher, type Store, type StoreOptions } from 'rxkube/runtime';
import { benchKubeConfig } from './client-node-fixture.js';
import { realisticPod } from './watch-fixture.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const PodType = resourceType<Pod, 'Namespaced'>({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', scope: 'Namespaced' });
const PATH = '/api/v1/namespaces/default/pods';
const i = process.argv.indexOf('--pods');
const PODS = i >= 0 ? Number(process.argv[i + 1]) : 20_000;

const SERVER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const body = Buffer.from(workerData.body);
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  res.writeHead(200, { 'Content-Type': 'application/json' });
  if (url.searchParams.get('watch') === 'true') { res.flushHeaders(); return; } // an idle watch
  res.end(body);
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

async function heap(): Promise<number> {
  for (let k = 0; k < 3; k++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  // ArrayBuffer memory counts too: a compact store keeps its objects' bytes outside the JavaScript heap.
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

async function measure(name: string, load: () => Promise<() => void>): Promise<{ bytesPerObject: number }> {
  const before = await heap();
  const release = await load();
  const after = await heap();
  release();
  const bytesPerObject = Math.round((after - before) / PODS);
  console.log(`${name}: ${(bytesPerObject / 1024).toFixed(2)} KB per object`);
  return { bytesPerObject };
}

async function main(): Promise<void> {
  // The LIST body lives only inside this function: the main heap does not keep it.
  const body = ((): Uint8Array => {
    const text = JSON.stringify({
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: '200000' },
      items: Array.from({ length: PODS }, (_, k) => realisticPod(k)),
    });
    const sab = new SharedArrayBuffer(Buffer.byteLength(text));
    Buffer.from(sab).write(text);
    return new Uint8Array(sab);
  })();
  const wireBytes = body.length;
  const worker = new Worker(SERVER, { eval: true, workerData: { body } });
  const port = await new Promise<number>((r) => worker.once('message', r));
  const url = `http://127.0.0.1:${port}`;
  console.log(`${PODS} pods, ${(wireBytes / PODS / 1024).toFixed(2)} KB of JSON each`);

  const k8s = await import('@kubernetes/client-node');
  const results: Record<string, { bytesPerObject: number }> = {};

  results['parsed objects alone'] = await measure('parsed objects alone', async () => {
    const body = await (await fetch(`${url}${PATH}`)).text();
    let items: unknown[] | undefined = (JSON.parse(body) as { items: unknown[] }).items;
    return () => {
      if (items?.length !== PODS) throw new Error('wrong count');
      items = undefined;
    };
  });

  const viaWatcher = (options: StoreOptions<Pod> = {}) => async () => {
    const api = Api.namespaced(new Client({ server: url }, { retry: false }), PodType, 'default');
    let holder: { reader: Store<Pod> } | undefined;
    const { reader, writer } = store<Pod>(options);
    holder = { reader };
    // One LIST page (this server serves no streaming list; what the store holds does not depend on how it listed).
    const sub = reflector(writer, watcher(api, { pageSize: PODS, initialListStrategy: 'listWatch' })).subscribe();
    await reader.ready();
    return () => {
      if (holder?.reader.size !== PODS) throw new Error(`store holds ${holder?.reader.size}`);
      sub.unsubscribe();
      holder = undefined;
    };
  };
  results['rxkube store'] = await measure('rxkube store (watcher + reflector)', viaWatcher());
  results['rxkube store, dropManagedFields'] = await measure('rxkube store, dropManagedFields', viaWatcher({ transform: dropManagedFields }));
  results['rxkube store, compact'] = await measure('rxkube store, compact', viaWatcher({ compact: true }));

  results['client-node informer'] = await measure('client-node informer cache', async () => {
    const kc = benchKubeConfig(k8s, url);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    let informer: ReturnType<typeof k8s.makeInformer> | undefined = k8s.makeInformer(kc, PATH, () => core.listNamespacedPod({ namespace: 'default' }));
    await informer.start();
    while (informer.list().length < PODS) await new Promise((r) => setTimeout(r, 50));
    return () => {
      void informer?.stop();
      informer = undefined;
    };
  });

  await worker.terminate();
  const floor = results['parsed objects alone']!.bytesPerObject;
  const table = Object.fromEntries(
    Object.entries(results).map(([k, v]) => [k, { kbPerObject: Number((v.bytesPerObject / 1024).toFixed(2)), vsParsed: Number((v.bytesPerObject / floor).toFixed(3)) }]),
  );
  console.table(table);
  const out = {
    benchmark: 'store-memory',
    date: new Date().toISOString(),
    command: `npm run bench:store -- --pods ${PODS}`,
    machine: { node: process.version, platform: `${platform()} ${release()}`, cpus: cpus().length },
    pods: PODS,
    wireBytesPerObject: Math.round(wireBytes / PODS),
    goal: 'rxkube store (no transform) <= 1.05 x the parsed objects alone',
    results: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { ...v, vsParsed: Number((v.bytesPerObject / floor).toFixed(3)) }])),
  };
  mkdirSync(join(process.cwd(), 'bench', 'results'), { recursive: true });
  writeFileSync(join(process.cwd(), 'bench', 'results', 'store-memory.json'), `${JSON.stringify(out, null, 2)}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
