// Benchmark: decoding a watch stream. A local HTTP server (a child process running this file with
// --serve, so its CPU is not the client's) streams 50,000 MODIFIED events of a realistic ~6.8 KB Pod (managedFields included) over
// chunked HTTP; we count events per second for
//   - the ceiling: the same bytes, split into lines and JSON.parse'd in a plain loop (no HTTP);
//   - plain node:http: a hand-written client (lines cut on Buffers, JSON.parse), the cost of HTTP itself;
//   - the store floor: the ceiling's loop also putting every object into a Map (what any cache costs);
//   - rxkube: Api.watch (raw events), watcher(), and watcher() + reflector into a store (also with
//     dropManagedFields as its transform, and compact: each object kept as its JSON bytes);
//   - @kubernetes/client-node 1.4: Watch, and an informer (makeInformer).
// Rounds rotate the order of the contenders; the median round is reported, with the ratio to the
// ceiling, both in wall-clock events/s and in events per CPU-second of the client process (the
// steadier number on a shared, overloaded machine).
//
//   npm run bench:watch [-- --events 50000 --rounds 3 --pods 1000 --only rxkube,client-node]
//
// Results go to bench/results/watch-decode.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Pod } from '../lib/core/api/core/v1.js';
import { Api, Client } from 'rxkube/client';
import { INITIAL_EVENTS_END_ANNOTATION, resourceType } from 'rxkube/core';
import { dropManagedFields, reflector, store, watcher, type StoreOptions } from 'rxkube/runtime';
import { benchKubeConfig, informerEvents, type ClientNode } from './client-node-fixture.js';
import { realisticPod } from './watch-fixture.js';

const PodType = resourceType<Pod, 'Namespaced'>({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', scope: 'Namespaced' });
const PATH = '/api/v1/namespaces/default/pods';

// A full GC before each measured run, so one contender's garbage is not collected on another's time.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const EVENTS = arg('events', 50_000);
const ROUNDS = arg('rounds', 3);
const PODS = arg('pods', 1000);
const onlyAt = process.argv.indexOf('--only');
const ONLY = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',') : undefined;

/** The stream, as blocks of whole lines (1,000 events each). */
function buildBlocks(): Buffer[] {
  const blocks: Buffer[] = [];
  for (let start = 0; start < EVENTS; start += 1000) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(EVENTS, start + 1000); i++) lines.push(JSON.stringify({ type: 'MODIFIED', object: realisticPod(i, i % PODS) }));
    blocks.push(Buffer.from(`${lines.join('\n')}\n`));
  }
  return blocks;
}

/** The server side, run in a child process (`--serve`): its CPU is not counted as the client's. */
function serve(blocks: Buffer[]): void {
  const SLICE = 64 * 1024;
  let active = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.searchParams.get('watch') !== 'true') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    // A streaming list (rxkube's watcher asks for one by default): like the API server, send the
    // initial state (empty, as the LIST above says) and the initial-events-end bookmark first. A server
    // that ignored the request would make the watcher take the whole stream for initial events, and
    // list and stream it again after the fallback: twice the work for the events counted.
    if (url.searchParams.get('sendInitialEvents') === 'true') {
      res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '1', annotations: { [INITIAL_EVENTS_END_ANNOTATION]: 'true' } } } })}\n`);
    }
    let b = 0;
    let off = 0;
    let closed = false;
    active++;
    res.on('close', () => {
      closed = true;
      active--;
    });
    const pump = (): void => {
      while (!closed && b < blocks.length) {
        const block = blocks[b]!;
        const end = Math.min(block.length, off + SLICE);
        const ok = res.write(block.subarray(off, end));
        off = end;
        if (off === block.length) {
          b++;
          off = 0;
        }
        if (!ok) {
          res.once('drain', pump);
          return;
        }
      }
      if (!closed) res.end();
    };
    pump();
  });
  server.keepAliveTimeout = 60_000;
  // 'idle?' on stdin → 'idle' once no watch stream is being sent ('busy' after 30 s).
  process.stdin.on('data', () => {
    const started = Date.now();
    const check = (): void => {
      if (active === 0) process.stdout.write('idle\n');
      else if (Date.now() - started > 30_000) process.stdout.write('busy\n');
      else setTimeout(check, 10);
    };
    check();
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${(server.address() as AddressInfo).port}\n`));
}

interface BenchServer {
  url: string;
  /** Resolves true once the server sends no stream any more (false if one still runs after 30 s). */
  idle: () => Promise<boolean>;
  stop: () => void;
}

async function startServer(): Promise<BenchServer> {
  const child = spawn(process.execPath, [process.argv[1]!, '--serve', ...process.argv.slice(2)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
  const first = await next();
  const port = Number(first.replace('port ', ''));
  const idle = async (): Promise<boolean> => {
    const answer = next();
    child.stdin.write('idle?\n');
    return (await answer) === 'idle';
  };
  // Whatever ends this process (a failed run included) ends the server too.
  process.on('exit', () => child.kill());
  return { url: `http://127.0.0.1:${port}`, idle, stop: () => child.kill() };
}

type Contender = (url: string) => Promise<void>;

function ceiling(blocks: Buffer[]): Contender {
  return async () => {
    let n = 0;
    for (const block of blocks) {
      const lines = block.toString('utf8').split('\n');
      for (const line of lines) {
        if (line.length === 0) continue;
        const e = JSON.parse(line) as { type: string };
        if (e.type === 'MODIFIED') n++;
      }
    }
    if (n !== EVENTS) throw new Error(`ceiling counted ${n}`);
  };
}

/**
 * The floor of any cache of these objects: the ceiling's loop, each object also put into a Map by
 * namespace/name (what a store does at the least). An object then lives until its pod's next update,
 * long enough to be promoted to V8's old generation, so every update costs a copy out of the young
 * generation and leaves an old object to collect; the ceiling's objects die young instead.
 */
function storeFloor(blocks: Buffer[]): Contender {
  return async () => {
    const cache = new Map<string, unknown>();
    let n = 0;
    for (const block of blocks) {
      const lines = block.toString('utf8').split('\n');
      for (const line of lines) {
        if (line.length === 0) continue;
        const e = JSON.parse(line) as { type: string; object: { metadata: { namespace: string; name: string } } };
        if (e.type === 'MODIFIED') n++;
        cache.set(`${e.object.metadata.namespace}/${e.object.metadata.name}`, e.object);
      }
    }
    if (n !== EVENTS || cache.size !== Math.min(PODS, EVENTS)) throw new Error(`store floor counted ${n}, kept ${cache.size}`);
  };
}

/**
 * Runs `subscribe` until it calls `done`, then tears it down (on the next turn, outside its callback);
 * `fail` ends the run with an error.
 */
function countUntil(subscribe: (done: () => void, fail: (e: unknown) => void) => () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let stop = (): void => undefined;
    let over = false;
    const end = (e?: unknown): void => {
      if (over) return;
      over = true;
      setImmediate(() => stop());
      if (e === undefined) resolve();
      else reject(e instanceof Error ? e : new Error(String(e)));
    };
    stop = subscribe(() => end(), (e) => end(e ?? new Error('failed')));
  });
}

/** A watcher that had to recover from anything (a fallback, a retry) did more than the events counted: not a valid run. */
const strict = (fail: (e: unknown) => void) => ({ onError: (e: Error) => fail(new Error(`the watcher reported a failure, the run is void: ${e.message}`)) });

/** The best a hand-written Node client does over the same HTTP: node:http, lines cut on Buffers, JSON.parse. */
const plainHttp: Contender = (url) =>
  new Promise((resolve, reject) => {
    let n = 0;
    let rest: Buffer | undefined;
    const req = get(`${url}${PATH}?watch=true&resourceVersion=1`, (res) => {
      res.on('data', (chunk: Buffer) => {
        let buf = rest === undefined ? chunk : Buffer.concat([rest, chunk]);
        let start = 0;
        let nl = buf.indexOf(10, start);
        while (nl !== -1) {
          const e = JSON.parse(buf.toString('utf8', start, nl)) as { type: string };
          if (e.type === 'MODIFIED' && ++n === EVENTS) {
            req.destroy();
            resolve();
            return;
          }
          start = nl + 1;
          nl = buf.indexOf(10, start);
        }
        buf = buf.subarray(start);
        rest = buf.length > 0 ? buf : undefined;
      });
    });
    req.on('error', (e) => {
      if (n < EVENTS) reject(e);
    });
  });

const rxkubeRaw: Contender = async (url) => {
  const api = Api.namespaced(new Client({ server: url }, { retry: false, timeouts: false }), PodType, 'default');
  let n = 0;
  await countUntil((done) => {
    const sub = api.watch({ resourceVersion: '1' }).subscribe((e) => {
      if (e.type === 'MODIFIED' && ++n === EVENTS) done();
    });
    return () => sub.unsubscribe();
  });
};

const rxkubeWatcher: Contender = async (url) => {
  const api = Api.namespaced(new Client({ server: url }, { retry: false, timeouts: false }), PodType, 'default');
  let n = 0;
  await countUntil((done, fail) => {
    const sub = watcher(api, strict(fail)).subscribe((e) => {
      if (e.type === 'apply' && ++n === EVENTS) done();
    });
    return () => sub.unsubscribe();
  });
};

/** watcher() + reflector into a store made with `options` (none: the defaults). */
function rxkubeReflector(options: StoreOptions<Pod> = {}): Contender {
  return async (url) => {
    const api = Api.namespaced(new Client({ server: url }, { retry: false, timeouts: false }), PodType, 'default');
    const { reader, writer } = store<Pod>(options);
    let n = 0;
    await countUntil((done, fail) => {
      const sub = reflector(writer, watcher(api, strict(fail))).subscribe((e) => {
        if (e.type === 'apply' && ++n === EVENTS) done();
      });
      return () => sub.unsubscribe();
    });
    if (reader.size !== Math.min(PODS, EVENTS)) throw new Error(`store holds ${reader.size}`);
  };
}

function clientNodeWatch(k8s: ClientNode): Contender {
  return async (url) => {
    const w = new k8s.Watch(benchKubeConfig(k8s, url));
    let n = 0;
    let controller: AbortController | undefined;
    await new Promise<void>((resolve, reject) => {
      void w
        .watch(PATH, { resourceVersion: '1' }, (type) => {
          if (type === 'MODIFIED' && ++n === EVENTS) {
            setImmediate(() => controller?.abort());
            resolve();
          }
        }, (err: unknown) => {
          if (n < EVENTS) reject(err instanceof Error ? err : new Error(String(err)));
        })
        .then((c) => (controller = c), reject);
    });
  };
}

function clientNodeInformer(k8s: ClientNode): Contender {
  return (url) => informerEvents(k8s, url, PATH, EVENTS);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const blocks = buildBlocks();
  const bytes = blocks.reduce((a, b) => a + b.length, 0);
  console.log(`stream: ${EVENTS} events, ${(bytes / 1e6).toFixed(1)} MB (${(bytes / EVENTS / 1024).toFixed(2)} KB/event), built in ${Date.now() - t0} ms`);
  const server = await startServer();
  const k8s = (await import('@kubernetes/client-node')) as ClientNode;
  const contenders: Record<string, Contender> = {
    ceiling: ceiling(blocks),
    'ceiling + Map.set (store floor)': storeFloor(blocks),
    'plain node:http + JSON.parse': plainHttp,
    'rxkube Api.watch (raw events)': rxkubeRaw,
    'rxkube watcher()': rxkubeWatcher,
    'rxkube watcher() + reflector': rxkubeReflector(),
    // Half the bytes kept per object.
    'rxkube watcher() + reflector, dropManagedFields': rxkubeReflector({ transform: dropManagedFields }),
    // Each Pod kept as the bytes of its watch line, decoded on read.
    'rxkube watcher() + reflector, compact': rxkubeReflector({ compact: true }),
    'client-node Watch': clientNodeWatch(k8s),
    'client-node informer': clientNodeInformer(k8s),
  };
  if (ONLY) for (const name of Object.keys(contenders)) if (!name.startsWith('ceiling') && !ONLY.some((o) => name.includes(o))) delete contenders[name];
  const perSecond: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  const perCpuSecond: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  // Streams a contender leaves running after it was stopped would steal CPU from the next one: wait
  // until the server sends nothing, and say so when a library does not let go.
  const lingering = new Set<string>();
  const settle = async (name: string): Promise<void> => {
    if (!(await server.idle())) {
      lingering.add(name);
      console.log(`${name}: its watch stream was still open 30 s after it was stopped`);
    }
    // A library may still be working through data it buffered before it was stopped: wait until this
    // process uses under 5 % of a core for 200 ms, so that work is not billed to the next contender.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const before = process.cpuUsage();
      await new Promise((r) => setTimeout(r, 200));
      const used = process.cpuUsage(before);
      if ((used.user + used.system) / 1000 < 10) break;
      if (Date.now() > deadline) {
        lingering.add(name);
        console.log(`${name}: still busy 30 s after it was stopped`);
        break;
      }
    }
  };
  // warm-up: one pass of each, not measured
  for (const [name, run] of Object.entries(contenders)) {
    await run(server.url);
    await settle(name);
  }
  const entries = Object.entries(contenders);
  for (let round = 0; round < ROUNDS; round++) {
    // rotate the order each round, so no contender always runs right after the same one
    for (const [name, run] of [...entries.slice(round % entries.length), ...entries.slice(0, round % entries.length)]) {
      await new Promise((r) => setImmediate(r));
      gc();
      const start = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      await run(server.url);
      const cpu = process.cpuUsage(cpu0);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      perSecond[name]!.push(EVENTS / seconds);
      perCpuSecond[name]!.push(EVENTS / cpuSeconds);
      await settle(name);
      console.log(`round ${round + 1} ${name}: ${Math.round(EVENTS / seconds)} events/s, ${Math.round(EVENTS / cpuSeconds)} events per CPU-second`);
    }
  }
  server.stop();
  const ceil = median(perSecond.ceiling!);
  const ceilCpu = median(perCpuSecond.ceiling!);
  const results = Object.fromEntries(
    Object.entries(perSecond).map(([name, xs]) => {
      const cpu = perCpuSecond[name]!;
      return [
        name,
        {
          eventsPerSecond: Math.round(median(xs)),
          ofCeiling: Number((median(xs) / ceil).toFixed(3)),
          eventsPerCpuSecond: Math.round(median(cpu)),
          ofCeilingCpu: Number((median(cpu) / ceilCpu).toFixed(3)),
          rounds: xs.map(Math.round),
          roundsCpu: cpu.map(Math.round),
        },
      ];
    }),
  );
  console.table(results);
  const out = {
    benchmark: 'watch-decode',
    date: new Date().toISOString(),
    command: `npm run bench:watch -- --events ${EVENTS} --rounds ${ROUNDS} --pods ${PODS}`,
    machine: { node: process.version, platform: `${platform()} ${release()}`, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavg: loadavg() },
    stream: { events: EVENTS, bytes, bytesPerEvent: Math.round(bytes / EVENTS), distinctPods: PODS },
    goal: 'rxkube watcher() >= 0.85 of the ceiling, and ahead of client-node',
    lingeringStreams: [...lingering],
    results,
  };
  mkdirSync(join(process.cwd(), 'bench', 'results'), { recursive: true });
  writeFileSync(join(process.cwd(), 'bench', 'results', 'watch-decode.json'), `${JSON.stringify(out, null, 2)}\n`);
}

if (process.argv.includes('--serve')) serve(buildBlocks());
else main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
