// Benchmark: the controller's scheduler and runner on an in-memory source (no API server), one
// Node process (one core). Measures:
//   1. no-op reconciles per second over 10,000 objects (sync and async no-op reconcilers,
//      concurrency 16 and unbounded), each round = one change of every object;
//   2. scheduler overhead per reconcile: controller time minus a plain loop that applies the
//      same change to the store and calls the reconciler directly;
//   3. p50/p99 latency from a change to the start of the reconcile that sees it, with changes
//      paced in chunks (the controller is not saturated);
//   4. 50 rapid updates of one object: reconciles with and without a debounce.
//   5. the same no-op throughput of the controller as of 0e26eaf (before issue 16's work queue), frozen in
//      bench/baseline/controller-0e26eaf, run alternately with the current one in this process: the ratio
//      current / baseline (median of `--reps` runs each) is what to compare, not the absolute numbers.
//
//   npm run bench:controller [-- --objects 10000 --rounds 5 --reps 3]
//
// Results go to bench/results/controller.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { join } from 'node:path';
import { Subject, firstValueFrom, filter, take } from 'rxjs';
import type { KubeObject } from 'rxkube/core';
import { Action, Controller, ErrorPolicy, reflector, store, type ControllerConfig, type WatcherEvent } from 'rxkube/runtime';
import { runBaseline } from './baseline/controller-0e26eaf/controller.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const OBJECTS = arg('objects', 10_000);
const ROUNDS = arg('rounds', 5);
const REPS = arg('reps', 3);

/** Which controller: the current one, or the frozen one of 0e26eaf. */
type Impl = 'current' | 'baseline';

const object = (i: number, version: number): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: `w-${i}`, namespace: 'bench', resourceVersion: String(version), uid: `uid-${i}` },
});

/** A controller over a store fed by a Subject; `reconcile` is called for every reconcile. */
function harness(config: ControllerConfig, reconcile: (o: KubeObject) => Action | Promise<Action>, impl: Impl = 'current') {
  const { reader, writer } = store<KubeObject>();
  const events = new Subject<WatcherEvent<KubeObject>>();
  const results = new Subject<void>();
  const results$ =
    impl === 'current'
      ? Controller.fromReflector(reader, reflector(writer, events), config).run((o) => reconcile(o), ErrorPolicy.backoff(), {})
      : runBaseline(reader, reflector(writer, events), config, (o: KubeObject) => reconcile(o), ErrorPolicy.backoff(), {});
  const sub = results$.subscribe(() => results.next());
  return { events, results, stop: () => sub.unsubscribe() };
}

const waitFor = (results: Subject<void>, n: number): Promise<unknown> => firstValueFrom(results.pipe(take(n), filter((_, i) => i === n - 1)));

async function throughput(concurrency: number, async: boolean, impl: Impl = 'current'): Promise<{ perSecond: number; microsPerReconcile: number }> {
  const noop = async ? async () => Action.awaitChange() : () => Action.awaitChange();
  const h = harness({ concurrency }, noop, impl);
  const listed = waitFor(h.results, OBJECTS);
  h.events.next({ type: 'init' });
  for (let i = 0; i < OBJECTS; i++) h.events.next({ type: 'initApply', object: object(i, 1) });
  h.events.next({ type: 'initDone' });
  await listed;
  const started = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    const round = waitFor(h.results, OBJECTS);
    for (let i = 0; i < OBJECTS; i++) h.events.next({ type: 'apply', object: object(i, r + 2) });
    await round;
  }
  const ms = performance.now() - started;
  h.stop();
  const n = OBJECTS * ROUNDS;
  return { perSecond: Math.round(n / (ms / 1000)), microsPerReconcile: (ms * 1000) / n };
}

/** The same work without the controller: apply to the store, read back, call the reconciler. */
async function baseline(async: boolean): Promise<number> {
  const { reader, writer } = store<KubeObject>();
  writer.apply({ type: 'init' });
  for (let i = 0; i < OBJECTS; i++) writer.apply({ type: 'initApply', object: object(i, 1) });
  writer.apply({ type: 'initDone' });
  const noop = async ? async () => Action.awaitChange() : () => Action.awaitChange();
  const started = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < OBJECTS; i++) {
      writer.apply({ type: 'apply', object: object(i, r + 2) });
      const o = reader.get({ name: `w-${i}`, namespace: 'bench' });
      if (o) await noop();
    }
  }
  return ((performance.now() - started) * 1000) / (OBJECTS * ROUNDS);
}

async function latency(): Promise<{ p50Ms: number; p99Ms: number; maxMs: number; changes: number }> {
  const emitted = new Map<string, number>();
  const samples: number[] = [];
  const h = harness({ concurrency: 16 }, async (o) => {
    const at = emitted.get(`${o.metadata?.name}@${o.metadata?.resourceVersion}`);
    if (at !== undefined) samples.push(performance.now() - at);
    return Action.awaitChange();
  });
  const listed = waitFor(h.results, OBJECTS);
  h.events.next({ type: 'init' });
  for (let i = 0; i < OBJECTS; i++) h.events.next({ type: 'initApply', object: object(i, 1) });
  h.events.next({ type: 'initDone' });
  await listed;
  const chunk = 200;
  const changes = OBJECTS * ROUNDS;
  let version = 2;
  for (let done = 0; done < changes; done += chunk) {
    for (let j = 0; j < chunk; j++) {
      const i = (done + j) % OBJECTS;
      if (i === 0 && done + j > 0) version++;
      emitted.set(`w-${i}@${version}`, performance.now());
      h.events.next({ type: 'apply', object: object(i, version) });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  h.stop();
  samples.sort((a, b) => a - b);
  const q = (p: number) => Number((samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] ?? NaN).toFixed(3));
  return { p50Ms: q(0.5), p99Ms: q(0.99), maxMs: q(1), changes: samples.length };
}

/** 50 updates of one object `gapMs` apart (0: one synchronous burst); reconcile takes 2 ms. */
async function rapid(debounce: number, gapMs: number): Promise<number> {
  let reconciles = 0;
  const h = harness({ debounce }, async () => {
    reconciles++;
    await new Promise((resolve) => setTimeout(resolve, 2));
    return Action.awaitChange();
  });
  h.events.next({ type: 'init' });
  h.events.next({ type: 'initDone' });
  for (let v = 1; v <= 50; v++) {
    h.events.next({ type: 'apply', object: object(0, v) });
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  await new Promise((resolve) => setTimeout(resolve, debounce + 100));
  h.stop();
  return reconciles;
}

/** Current vs baseline, alternately, `REPS` times each: the medians and their ratio. */
async function versus(
  concurrency: number,
  async: boolean,
): Promise<{ current: number; baseline: number; ratio: number; medianPairRatio: number; runs: { current: number[]; baseline: number[] } }> {
  const runs = { current: [] as number[], baseline: [] as number[] };
  for (let i = 0; i < REPS; i++) {
    runs.baseline.push((await throughput(concurrency, async, 'baseline')).perSecond);
    runs.current.push((await throughput(concurrency, async, 'current')).perSecond);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const current = median(runs.current);
  const baseline = median(runs.baseline);
  // Each pair ran back to back, under about the same load: the median of the pairs' ratios is the steadier figure.
  const pairs = runs.current.map((c, i) => c / (runs.baseline[i] ?? NaN));
  return { current, baseline, ratio: Number((current / baseline).toFixed(3)), medianPairRatio: Number(median(pairs).toFixed(3)), runs };
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  await throughput(16, false); // warm-up
  await throughput(16, false, 'baseline');
  const vsBaseline = {
    syncNoopConcurrency16: await versus(16, false),
    syncNoopUnbounded: await versus(0, false),
    asyncNoopConcurrency16: await versus(16, true),
    asyncNoopUnbounded: await versus(0, true),
  };
  const results = {
    objects: OBJECTS,
    rounds: ROUNDS,
    throughput: {
      syncNoopConcurrency16: await throughput(16, false),
      syncNoopUnbounded: await throughput(0, false),
      asyncNoopConcurrency16: await throughput(16, true),
      asyncNoopUnbounded: await throughput(0, true),
    },
    baselineMicrosPerChange: { sync: await baseline(false), async: await baseline(true) },
    latency: await latency(),
    rapidUpdates: {
      burstNoDebounce: await rapid(0, 0),
      burstDebounce100ms: await rapid(100, 0),
      every1msNoDebounce: await rapid(0, 1),
      every1msDebounce100ms: await rapid(100, 1),
    },
    vsBaseline0e26eaf: vsBaseline,
    machine: { node: process.version, platform: `${platform()} ${release()}`, cpu: cpus()[0]?.model, cores: cpus().length, loadavgBefore: loadBefore, loadavg: loadavg() },
  };
  const overhead = {
    sync: results.throughput.syncNoopConcurrency16.microsPerReconcile - results.baselineMicrosPerChange.sync,
    async: results.throughput.asyncNoopConcurrency16.microsPerReconcile - results.baselineMicrosPerChange.async,
  };
  const out = { ...results, schedulerOverheadMicrosPerReconcile: overhead };
  mkdirSync(join(process.cwd(), 'bench', 'results'), { recursive: true });
  writeFileSync(join(process.cwd(), 'bench', 'results', 'controller.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(JSON.stringify(out, null, 2));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
