// Initial sync: how long until a store holds every object, against a real kube-apiserver (a private plane of
// its own), for each way of listing, interleaved in rounds so the machine's load hits all alike:
//   - floor: one unpaged LIST through rxkube's Client (one request, one JSON.parse), nothing stored;
//   - client-node 1.4's informer (makeInformer over listNamespacedConfigMap, until its cache holds them all);
//   - rxkube watcher + reflector + store with listWatch and 500 per page (the default until this benchmark);
//   - the same with 5,000 per page;
//   - the same with initialListStrategy 'streamingList' (one WATCH with sendInitialEvents);
//   - the same with the current default options (whatever `watcher(api)` does).
// Reports the median of the rounds per candidate and its ratio to the floor's median of the same run.
// `--watch-list off` starts the plane with the WatchList feature gate off: the server refuses streaming lists
// (422), as servers before 1.27 and those with the gate off do, and the defaults fall back to LIST + WATCH.
//
//   npm run bench:sync [-- --objects 10000 --rounds 5 --watch-list off]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import * as https from 'node:https';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';

import { Api } from 'rxkube/client';
import { ConfigMap, RequestBuilder } from 'rxkube/core';
import { reflector, store, watcher, type WatcherConfig } from 'rxkube/runtime';
import { startTestCluster } from 'rxkube/testing';
import { createConfigMaps } from './create-config-maps.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const OBJECTS = arg('objects', 10_000);
const ROUNDS = arg('rounds', 5);
const WATCH_LIST = process.argv.includes('--watch-list') ? process.argv[process.argv.indexOf('--watch-list') + 1] : 'on';
if (WATCH_LIST !== 'on' && WATCH_LIST !== 'off') throw new Error(`--watch-list takes on or off, not ${WATCH_LIST}`);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const cluster = await startTestCluster({ mode: 'private', nodes: 0, ...(WATCH_LIST === 'off' ? { featureGates: { WatchList: false } } : {}) });
  try {
    const ns = await cluster.namespace('sync');
    const api = Api.namespaced(cluster.client, ConfigMap, ns);
    console.error(`creating ${OBJECTS} ConfigMaps in ${ns} ...`);
    await createConfigMaps(api, OBJECTS, (i) => ({ app: 'bench', n: String(i % 10) }));

    // The namespace also holds kube-root-ca.crt, put there by the controller-manager.
    const EXPECTED = (await api.list()).items.length;
    const viaWatcher = (config: WatcherConfig) => async (): Promise<number> => {
      const t0 = performance.now();
      const { reader, writer } = store<ConfigMap>();
      const sub = reflector(writer, watcher(api, config)).subscribe();
      await reader.ready();
      const ms = performance.now() - t0;
      if (reader.size !== EXPECTED) throw new Error(`store holds ${reader.size}, expected ${EXPECTED}`);
      sub.unsubscribe();
      return ms;
    };
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const list = RequestBuilder.for(ConfigMap, ns).list({});
    const agent = (cluster.client.config.transport as { httpsAgent: https.Agent }).httpsAgent;

    const candidates: Record<string, () => Promise<number>> = {
      'floor: one unpaged LIST over bare node:https + JSON.parse': async () => {
        const t0 = performance.now();
        const body = await new Promise<{ items: unknown[] }>((resolve, reject) => {
          const req = https.get(`${cluster.server}${path}`, { agent, headers: { Accept: 'application/json' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { items: unknown[] }));
            res.on('error', reject);
          });
          req.on('error', reject);
        });
        const ms = performance.now() - t0;
        if (body.items.length !== EXPECTED) throw new Error(`short LIST: ${body.items.length} items, metadata ${JSON.stringify((body as { metadata?: unknown }).metadata)}`);
        return ms;
      },
      'one unpaged LIST through rxkube Client (gzip, axios)': async () => {
        const t0 = performance.now();
        const body = await cluster.client.request<{ items: unknown[] }>(list);
        const ms = performance.now() - t0;
        if (body.items.length !== EXPECTED) throw new Error('short LIST');
        return ms;
      },
      'client-node 1.4 informer': async () => {
        const t0 = performance.now();
        const informer = k8s.makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: ns }));
        await informer.start();
        while (informer.list().length < EXPECTED) await new Promise((r) => setImmediate(r));
        const ms = performance.now() - t0;
        await informer.stop();
        return ms;
      },
      'rxkube listWatch, 500 per page': viaWatcher({ initialListStrategy: 'listWatch', pageSize: 500 }),
      'rxkube listWatch, 5000 per page': viaWatcher({ initialListStrategy: 'listWatch', pageSize: 5000 }),
      ...(WATCH_LIST === 'on' ? { 'rxkube streamingList': viaWatcher({ initialListStrategy: 'streamingList' }) } : {}),
      'rxkube defaults': viaWatcher({}),
    };
    // Warm up every path once (connections, JIT), then interleave the rounds.
    for (const run of Object.values(candidates)) await run();
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(candidates).map((k) => [k, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, run] of Object.entries(candidates)) times[name]!.push(await run());
      console.error(`round ${r + 1}/${ROUNDS} done`);
    }
    const floor = median(times[Object.keys(candidates)[0]!]!);
    const rows = Object.entries(times).map(([name, ms]) => ({ name, medianMs: +median(ms).toFixed(1), ratioToFloor: +(median(ms) / floor).toFixed(2), runsMs: ms.map((x) => +x.toFixed(1)) }));
    const result = {
      date: new Date().toISOString(),
      machine: { platform: platform(), release: release(), cpus: cpus().length, node: process.version, loadavg: loadavg().map((x) => +x.toFixed(2)) },
      command: `npm run bench:sync -- --objects ${OBJECTS} --rounds ${ROUNDS} --watch-list ${WATCH_LIST}`,
      watchList: WATCH_LIST,
      objects: OBJECTS,
      rows,
    };
    for (const row of rows) console.log(`${row.name.padEnd(55)} ${String(row.medianMs).padStart(8)} ms  ${row.ratioToFloor.toFixed(2)}x floor`);
    mkdirSync(join(process.cwd(), 'bench', 'results'), { recursive: true });
    writeFileSync(join(process.cwd(), 'bench', 'results', WATCH_LIST === 'on' ? 'initial-sync.json' : 'initial-sync-watch-list-off.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await cluster.stop();
  }
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error('bench failed:', e);
  process.exit(1);
});
