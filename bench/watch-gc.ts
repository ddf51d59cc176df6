// Where the store path of the watch benchmark spends its time: runs one contender of
// bench/watch-decode.ts against the same server (50,000 MODIFIED events of a ~6.8 KB Pod, 1,000 pods),
// a few times in a row, and reports events per CPU-second with the garbage collector's share (from
// `perf_hooks` GC entries: minor = scavenges of the young generation, major = mark-compact).
//
//   node scripts/run-sample.mjs bench/watch-gc.ts <contender> [runs]
//   contender: watcher | watcher+map | watcher+text | watcher+bytes | reflector | reflector-dmf | reflector-compact | informer
// (watcher+text and watcher+bytes keep each event's watch line in a Map, as a string or as UTF-8 bytes.)
//
// watcher+map is the watcher with a bare `Map.set` per event in the subscriber instead of a store: if
// it costs what the reflector costs, the store's own code is not where the time goes. For allocation
// and promotion per event, run the bundle it leaves in .cache/samples/bench with `node --trace-gc-nvp`.
import { spawn } from 'node:child_process';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { Pod } from '../lib/core/api/core/v1.js';
import { Api, Client } from 'rxkube/client';
import { resourceType, sourceTextOf } from 'rxkube/core';
import { dropManagedFields, reflector, store, storeKey, watcher } from 'rxkube/runtime';
import { informerEvents } from './client-node-fixture.js';

const PodType = resourceType<Pod, 'Namespaced'>({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', scope: 'Namespaced' });
const PATH = '/api/v1/namespaces/default/pods';
const EVENTS = 50_000;
const contender = process.argv[2] ?? 'reflector';
const encoder = new TextEncoder();
const runs = Number(process.argv[3] ?? 3);

let minorMs = 0;
let majorMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minorMs += e.duration;
    else majorMs += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

async function once(url: string): Promise<void> {
  if (contender === 'informer') {
    await informerEvents(await import('@kubernetes/client-node'), url, PATH, EVENTS);
    return;
  }
  const api = Api.namespaced(new Client({ server: url }, { retry: false, timeouts: false }), PodType, 'default');
  const { writer } = store<Pod>(contender === 'reflector-dmf' ? { transform: dropManagedFields } : contender === 'reflector-compact' ? { compact: true } : {});
  const cache = new Map<string, Pod>();
  const text = new Map<string, string>();
  const bytes = new Map<string, Uint8Array>();
  const source = contender.startsWith('reflector') ? reflector(writer, watcher(api)) : watcher(api);
  let n = 0;
  await new Promise<void>((resolve) => {
    const sub = source.subscribe((e) => {
      if (e.type !== 'apply') return;
      if (contender === 'watcher+map') cache.set(storeKey(e.object), e.object);
      if (contender === 'watcher+text') text.set(storeKey(e.object), sourceTextOf(e) ?? '');
      if (contender === 'watcher+bytes') bytes.set(storeKey(e.object), encoder.encode(sourceTextOf(e) ?? ''));
      if (++n === EVENTS) {
        setImmediate(() => sub.unsubscribe());
        resolve();
      }
    });
  });
}

async function main(): Promise<void> {
  const server = spawn(process.execPath, [join(process.cwd(), '.cache', 'samples', 'bench', 'watch-decode.cjs'), '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  process.on('exit', () => server.kill());
  const first = await new Promise<string>((resolve) => createInterface({ input: server.stdout }).once('line', resolve));
  const url = `http://127.0.0.1:${Number(first.replace('port ', ''))}`;
  for (let r = 0; r < runs; r++) {
    minorMs = majorMs = 0;
    const cpu0 = process.cpuUsage();
    await once(url);
    const cpu = process.cpuUsage(cpu0);
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the last GC entries arrive
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(
      `${contender} run ${r + 1}: ${Math.round(EVENTS / (cpuMs / 1000))} events per CPU-second; GC pauses ${(minorMs / (EVENTS / 1000)).toFixed(1)} ms (minor) + ${(majorMs / (EVENTS / 1000)).toFixed(1)} ms (major) per 1,000 events, ${Math.round((100 * (minorMs + majorMs)) / cpuMs)} % of the CPU time`,
    );
  }
  server.kill();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
