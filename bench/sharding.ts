// Sharding: events received and heap per replica of a sharded controller (`controller.shard()`) for 1, 2 and 4
// replicas over the same object set, with the API server filtering each replica's watch by shard selector
// (KEP-5866) and with each replica filtering on its own (every event sent to every replica), in one run against a
// private plane started with the feature gate ShardedListAndWatch on. Each replica is its own Node process (so its
// heap is its own); the parent creates the objects, starts the replicas, waits until they share the buckets, then
// changes every object once and counts what each replica's watch received for that round and the CPU time it
// spent on it, and its heap after a GC (minus the heap the same process had before it started the controller).
//
//   npm run bench:sharding [-- --objects 3000]
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { join } from 'node:path';

import { Api, Client } from 'rxkube/client';
import { configFromKubeconfig } from 'rxkube/config';
import { ConfigMap, Lease } from 'rxkube/core';
import { Action, Controller, ErrorPolicy, InMemoryMetrics, SHARD_METRICS, dropManagedFields, type ShardState } from 'rxkube/runtime';
import { startTestCluster } from 'rxkube/testing';
import { createConfigMaps } from './create-config-maps.js';
import { forEachIndex } from './for-each-index.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const OBJECTS = Number(arg('objects', '3000'));
const TIMINGS = { leaseDurationMs: 6_000, renewDeadlineMs: 4_000, retryPeriodMs: 1_000 };

interface Status {
  id: string;
  active: number;
  target: number;
  members: number;
  filtering: string;
  received: number;
  objects: number;
  reconciles: number;
  /** CPU time of the process so far (user + system), ms. */
  cpuMs: number;
  heapMB?: number;
}

/** A replica process: runs the controller, answers `status` and `measure` messages. */
async function child(): Promise<void> {
  const id = arg('replica', 'r');
  const ns = arg('ns', 'default');
  const filtering = arg('filtering', 'auto') as 'server' | 'client';
  (globalThis as { gc?: () => void }).gc?.();
  const baseHeap = process.memoryUsage().heapUsed;
  const client = new Client(configFromKubeconfig({ path: arg('kubeconfig', '') }));
  const metrics = new InMemoryMetrics();
  let state: (ShardState & { filtering: string }) | undefined;
  let reconciles = 0;
  const controller = Controller.for(Api.namespaced(client, ConfigMap, ns), { name: arg('group', 'bench'), metrics, store: { transform: dropManagedFields } });
  const sub = controller
    .shard({ leases: Api.namespaced(client, Lease, ns), identity: id, filtering, ...TIMINGS, onState: (s) => (state = s) })
    .run(
      () => {
        reconciles++;
        return Action.awaitChange();
      },
      ErrorPolicy.backoff(),
      {},
    )
    .subscribe();
  const status = (): Status => ({
    id,
    active: state?.active.size ?? 0,
    target: state?.target.size ?? 0,
    members: state?.members.length ?? 0,
    filtering: state?.filtering ?? 'unknown',
    received: metrics.value(SHARD_METRICS.eventsReceived, { group: arg('group', 'bench'), filtering: state?.filtering ?? 'unknown' }),
    objects: controller.store.size,
    reconciles,
    cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
  });
  process.on('message', (m: string) => {
    if (m === 'status') process.send!(status());
    if (m === 'measure') {
      (globalThis as { gc?: () => void }).gc?.();
      process.send!({ ...status(), heapMB: (process.memoryUsage().heapUsed - baseHeap) / 2 ** 20 });
    }
    if (m === 'stop') {
      sub.unsubscribe();
      setTimeout(() => process.exit(0), 1_000); // the Lease delete goes out once nothing runs
    }
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function ask(c: ChildProcess, message: string): Promise<Status> {
  return new Promise((resolve) => {
    c.once('message', (s) => resolve(s as Status));
    c.send(message);
  });
}

async function parent(): Promise<void> {
  const cluster = await startTestCluster({ mode: 'private', nodes: 0, featureGates: { ShardedListAndWatch: true } });
  const rows: Record<string, unknown>[] = [];
  try {
    const ns = await cluster.namespace('shardbench');
    const api = Api.namespaced(cluster.client, ConfigMap, ns);
    console.error(`creating ${OBJECTS} ConfigMaps (about 1 KiB each) in ${ns} ...`);
    await createConfigMaps(api, OBJECTS);
    const total = (await api.list()).items.length; // kube-root-ca.crt too
    let round = 0;
    for (const filtering of ['server', 'client'] as const) {
      for (const n of [1, 2, 4]) {
        const group = `bench-${filtering}-${n}`;
        const children = Array.from({ length: n }, (_, i) =>
          fork(process.argv[1]!, ['--child', '--replica', `r${i}`, '--ns', ns, '--filtering', filtering, '--group', group, '--kubeconfig', cluster.kubeconfig], {
            execArgv: ['--expose-gc'],
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          }),
        );
        // Shared out: every replica sees n members and owns its target, and the stores hold every object once.
        const t0 = Date.now();
        for (;;) {
          const s = await Promise.all(children.map((c) => ask(c, 'status')));
          if (s.every((x) => x.members === n && x.active === x.target && x.filtering !== 'unknown') && s.reduce((a, x) => a + x.objects, 0) === total) break;
          if (Date.now() - t0 > 60_000) throw new Error(`${group}: not shared out after 60 s: ${JSON.stringify(s)}`);
          await sleep(500);
        }
        await sleep(1_500);
        const before = await Promise.all(children.map((c) => ask(c, 'status')));
        // One change of every object.
        round++;
        await forEachIndex(OBJECTS, (i) => api.patch(`cm-${i}`, { type: 'merge', body: { metadata: { annotations: { round: String(round) } } } }));
        const t1 = Date.now();
        let after: Status[];
        for (;;) {
          after = await Promise.all(children.map((c) => ask(c, 'status')));
          if (after.reduce((a, x, i) => a + x.reconciles - before[i]!.reconciles, 0) >= OBJECTS) break;
          if (Date.now() - t1 > 60_000) throw new Error(`${group}: the round was not reconciled after 60 s`);
          await sleep(250);
        }
        const measured = await Promise.all(children.map((c) => ask(c, 'measure')));
        for (const [i, m] of measured.entries()) {
          const row = {
            filtering,
            replicas: n,
            replica: m.id,
            buckets: m.active,
            objectsInStore: m.objects,
            eventsInRound: m.received - before[i]!.received,
            eventsInRoundPerObject: Number(((m.received - before[i]!.received) / OBJECTS).toFixed(3)),
            cpuMsInRound: Math.round(after[i]!.cpuMs - before[i]!.cpuMs),
            heapMB: Number(m.heapMB!.toFixed(1)),
          };
          rows.push(row);
          console.log(JSON.stringify(row));
        }
        for (const c of children) c.send('stop');
        await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
      }
    }
    const dir = join(process.cwd(), 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'sharding.json'),
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, platform: `${platform()} ${release()}`, cpus: cpus().length, loadavg: loadavg(), objects: OBJECTS, rows }, null, 2)}\n`,
    );
    console.error(`written bench/results/sharding.json (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  } finally {
    await cluster.stop();
  }
}

void (process.argv.includes('--child') ? child() : parent()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
