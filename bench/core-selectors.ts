// Benchmark: rxkube/core label selectors — parsing a typical five-requirement selector, and matching a
// parsed selector against a label map (what a store's filter does per object).
//
//   node scripts/run-sample.mjs bench/core-selectors.ts [-- --n 200000]
//
// Prints ops/s; single runs on the shared 2-core machines are indicative only.
import { performance } from 'node:perf_hooks';
import { LabelSelector } from 'rxkube/core';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const N = arg('n', 200_000);

const text = 'app=web,tier in (fe,be),!canary,environment notin (dev,test),app.kubernetes.io/name=api';
const labels = { app: 'web', tier: 'fe', environment: 'prod', 'app.kubernetes.io/name': 'api', 'pod-template-hash': '7d9f' };

function time(label: string, runs: number, body: () => void): void {
  for (let i = 0; i < Math.min(runs, 20_000); i++) body(); // warm-up
  const start = performance.now();
  for (let i = 0; i < runs; i++) body();
  const seconds = (performance.now() - start) / 1000;
  console.log(`${label}: ${Math.round(runs / seconds).toLocaleString('en')} ops/s (${((seconds / runs) * 1e6).toFixed(2)} µs each)`);
}

let sink = 0;
time('LabelSelector.parse (5 requirements)', N, () => {
  sink += LabelSelector.parse(text).requirements.length;
});
const selector = LabelSelector.parse(text);
time('LabelSelector.matches (5 requirements, 5 labels)', N * 5, () => {
  if (selector.matches(labels)) sink++;
});
time('print', N, () => {
  sink += selector.print().length;
});
if (sink === 0) console.log('unreachable');
