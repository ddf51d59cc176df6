// Soak: minutes of random churn against a real kube-apiserver (a private plane of its own), with the API
// server restarted periodically, while a watcher + store and a controller run. It samples heap (after GC)
// and RSS over time and checks, at the end:
//   - nothing lost: once the churn stops, the store equals a fresh LIST (names and resourceVersions), and
//     every object's final resourceVersion has been reconciled;
//   - no overlap: never two reconciles of one object at once;
//   - no steady heap growth: the mean heap of the last quarter of samples is within 1.5x + 16 MiB of the first
//     quarter's (after a warm-up).
// Exits 1 when a check fails. Results go to bench/results/soak.json.
//
//   npm run soak -- --minutes 2 [--ops-per-second 20] [--restart-every 40]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Api, isAlreadyExists, isNotFound } from 'rxkube/client';
import { ConfigMap, Patch } from 'rxkube/core';
import { Action, Controller, ErrorPolicy, reflector, store, watcher, type WatcherError } from 'rxkube/runtime';
import { startTestCluster } from 'rxkube/testing';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const MINUTES = arg('minutes', 2);
const OPS = arg('ops-per-second', 20);
const RESTART_EVERY_S = arg('restart-every', 40);
const NAMES = 200;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const started = Date.now();
  console.error(`soak: ${MINUTES} min, ~${OPS} writes/s over ${NAMES} names, API server restart every ${RESTART_EVERY_S} s`);
  const cluster = await startTestCluster({ mode: 'private', nodes: 0 });
  let exitCode = 0;
  try {
    const ns = await cluster.namespace('soak');
    const api = Api.namespaced(cluster.client, ConfigMap, ns);

    // A watcher + store of its own, as a UI would keep.
    const watcherErrors: WatcherError[] = [];
    const { reader, writer } = store<ConfigMap>();
    const storeSub = reflector(writer, watcher(api, { onError: (e) => watcherErrors.push(e) })).subscribe();

    // A controller that records what it reconciled, and whether two runs of one key ever overlapped.
    const running = new Set<string>();
    let overlaps = 0;
    let reconciles = 0;
    const lastReconciledRv = new Map<string, number>();
    const controller = Controller.for(api);
    const controllerResults: Record<string, number> = {};
    const controllerSub = controller
      .run(
        async (cm: ConfigMap) => {
          const key = cm.metadata?.name ?? '';
          if (running.has(key)) overlaps++;
          running.add(key);
          reconciles++;
          try {
            await sleep(Math.random() * 20);
            const rv = Number(cm.metadata?.resourceVersion ?? '0');
            if (rv > (lastReconciledRv.get(key) ?? 0)) lastReconciledRv.set(key, rv);
          } finally {
            running.delete(key);
          }
          return Action.awaitChange();
        },
        ErrorPolicy.backoff(),
        {},
      )
      .subscribe((r) => {
        controllerResults[r.type] = (controllerResults[r.type] ?? 0) + 1;
      });

    const samples: Array<{ t: number; heapMiB: number; rssMiB: number }> = [];
    const sample = (): void => {
      gc();
      const m = process.memoryUsage();
      samples.push({ t: Math.round((Date.now() - started) / 1000), heapMiB: +(m.heapUsed / 2 ** 20).toFixed(1), rssMiB: +(m.rss / 2 ** 20).toFixed(1) });
    };
    const sampler = setInterval(sample, 5000);

    // Churn, with API server restarts.
    const end = Date.now() + MINUTES * 60_000;
    let writes = 0;
    let writeFailures = 0;
    let restarts = 0;
    let nextRestart = Date.now() + RESTART_EVERY_S * 1000;
    while (Date.now() < end) {
      if (Date.now() >= nextRestart) {
        await cluster.restartApiServer();
        restarts++;
        nextRestart = Date.now() + RESTART_EVERY_S * 1000;
      }
      const name = `cm-${Math.floor(Math.random() * NAMES)}`;
      const op = Math.random();
      try {
        if (op < 0.5) await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: String(writes) } });
        else if (op < 0.85) await api.patch(name, Patch.merge({ data: { v: String(writes) } }));
        else await api.delete(name);
        writes++;
      } catch (e) {
        if (!isAlreadyExists(e) && !isNotFound(e)) writeFailures++; // refused during a restart: expected
      }
      await sleep(1000 / OPS);
    }

    // Nothing lost: the store converges to a fresh LIST, and every final state is reconciled.
    const listing = async (): Promise<Map<string, string>> =>
      new Map((await api.list()).items.map((o) => [o.metadata?.name ?? '', o.metadata?.resourceVersion ?? '']));
    const deadline = Date.now() + 60_000;
    let truth = await listing();
    const storeMatches = (): boolean => reader.size === truth.size && [...truth].every(([n, rv]) => reader.get({ name: n, namespace: ns })?.metadata?.resourceVersion === rv);
    const reconciledAll = (): boolean => [...truth].every(([n, rv]) => (lastReconciledRv.get(n) ?? 0) >= Number(rv));
    while (!(storeMatches() && reconciledAll()) && Date.now() < deadline) {
      await sleep(250);
      truth = await listing();
    }
    const lostInStore = [...truth].filter(([n, rv]) => reader.get({ name: n, namespace: ns })?.metadata?.resourceVersion !== rv).length + Math.max(0, reader.size - truth.size);
    const unreconciledNames = [...truth].filter(([n, rv]) => (lastReconciledRv.get(n) ?? 0) < Number(rv));
    const unreconciled = unreconciledNames.length;
    const unreconciledDetail = unreconciledNames.slice(0, 10).map(([n, rv]) => ({
      name: n,
      finalResourceVersion: rv,
      lastReconciledResourceVersion: lastReconciledRv.get(n) ?? null,
      inControllerStore: controller.store.get({ name: n, namespace: ns })?.metadata?.resourceVersion ?? null,
    }));
    const controllerReady = controller.store.isReady();
    sample();
    clearInterval(sampler);
    storeSub.unsubscribe();
    controllerSub.unsubscribe();

    const warm = samples.filter((s) => s.t >= 20);
    const q = Math.max(1, Math.floor(warm.length / 4));
    const mean = (xs: typeof samples): number => xs.reduce((a, s) => a + s.heapMiB, 0) / Math.max(1, xs.length);
    const firstHeap = mean(warm.slice(0, q));
    const lastHeap = mean(warm.slice(-q));
    const heapGrowth = warm.length >= 4 && lastHeap > firstHeap * 1.5 + 16;

    const result = {
      date: new Date().toISOString(),
      machine: { platform: platform(), release: release(), cpus: cpus().length, node: process.version, loadavg: loadavg().map((x) => +x.toFixed(2)) },
      command: `npm run soak -- --minutes ${MINUTES} --ops-per-second ${OPS} --restart-every ${RESTART_EVERY_S}`,
      writes,
      writeFailures,
      restarts,
      reconciles,
      overlaps,
      finalObjects: truth.size,
      lostInStore,
      unreconciled,
      unreconciledDetail,
      controllerResults,
      controllerReady,
      watcherErrors: Object.fromEntries([...new Set(watcherErrors.map((e) => e.reason))].map((r) => [r, watcherErrors.filter((e) => e.reason === r).length])),
      heap: { firstQuarterMiB: +firstHeap.toFixed(1), lastQuarterMiB: +lastHeap.toFixed(1), steadyGrowth: heapGrowth },
      samples,
    };
    const dir = join(process.cwd(), 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'soak.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify({ ...result, samples: `${samples.length} samples` }, null, 2));
    const failures = [
      overlaps > 0 ? `${overlaps} overlapping reconciles` : '',
      lostInStore > 0 ? `${lostInStore} objects differ between the store and a LIST` : '',
      unreconciled > 0 ? `${unreconciled} final states never reconciled` : '',
      heapGrowth ? `heap grew from ${firstHeap.toFixed(1)} to ${lastHeap.toFixed(1)} MiB` : '',
      restarts === 0 && MINUTES * 60 > RESTART_EVERY_S ? 'no restart happened' : '',
    ].filter((f) => f !== '');
    if (failures.length > 0) {
      console.error(`soak FAILED: ${failures.join('; ')}`);
      exitCode = 1;
    } else console.error('soak passed: nothing lost, no overlap, no steady heap growth');
  } finally {
    await cluster.stop();
  }
  process.exit(exitCode);
}

main().catch((e: unknown) => {
  console.error('soak crashed:', e);
  process.exit(1);
});
