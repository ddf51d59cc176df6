#!/usr/bin/env node
// `npm run bench:typecheck`: how long a consumer program takes to type-check against the packed package, now and at
// a baseline git ref, measured in the same run. Each side is packed (`npm pack`), installed into its own throw-away
// project (with rxjs, and with whatever the package depends on, e.g. kubernetes-types for older refs), and the same
// consumer program (a Pod watcher, a Deployment patch, a controller, a typed container: the built-in types a program
// touches) is checked with `tsc --noEmit --extendedDiagnostics`, alternating sides, --rounds times (default 7).
// Reports median check time and total time per side, the ratio now/baseline, the files and lines tsc read, and
// writes bench/results/typecheck.json.
//
//   npm run bench:typecheck -- [--baseline-ref REF] [--rounds N]
//
// The baseline is built from `git archive REF` with this repository's node_modules (its devDependencies must still
// build it); the default REF is the last commit before the types were generated from OpenAPI.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function args() {
  const opts = { baselineRef: 'd57bdb6', rounds: 7 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--baseline-ref') opts.baselineRef = argv[++i];
    else if (argv[i] === '--rounds') opts.rounds = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return opts;
}

const run = (cmd, argv, cwd) => execFileSync(cmd, argv, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });

/** The consumer: what a small operator written against rxkube imports and uses. */
const PROGRAM = `
import { Api, Client, configFromUrl } from 'rxkube/client';
import { ConfigMap, Deployment, Patch, Pod, Service } from 'rxkube/core';
import { Action, Controller, ErrorPolicy, reflector, store, watcher } from 'rxkube/runtime';

const client = new Client(configFromUrl('https://127.0.0.1:6443'));
const pods = Api.namespaced(client, Pod, 'default');
const { reader, writer } = store<Pod>();
reflector(writer, watcher(pods)).subscribe();
export const ready = reader.list().filter((p) => p.status?.containerStatuses?.every((c) => c.ready) ?? false);

const deployments = Api.namespaced(client, Deployment, 'default');
const web: Deployment = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
  spec: {
    replicas: 2, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '500m', memory: '128Mi' } } }] } },
  },
};
export const applied = deployments.patch('web', Patch.apply(web), { fieldManager: 'bench' });
export const svc: Service = { metadata: { name: 'web' }, spec: { ports: [{ port: 80, targetPort: 'http' }], selector: { app: 'web' } } };

const configMaps = Api.namespaced(client, ConfigMap, 'default');
export const results = Controller.for(configMaps, { resource: ConfigMap }).run(
  async (cm: ConfigMap) => (cm.data?.['x'] ? Action.awaitChange() : Action.requeue(1000)),
  ErrorPolicy.backoff(),
  {},
);
`;

/**
 * node_modules for the baseline's build: this repository's packages, plus the baseline's own dependencies that are
 * no longer installed here (kubernetes-types), installed into a side folder.
 */
function linkModules(work, base) {
  const modules = join(base, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry));
  const { dependencies = {} } = JSON.parse(readFileSync(join(base, 'package.json'), 'utf8'));
  const missing = Object.entries(dependencies).filter(([name]) => !existsSync(join(modules, name)));
  if (missing.length === 0) return;
  const extra = join(work, 'baseline-extra');
  mkdirSync(extra);
  writeFileSync(join(extra, 'package.json'), JSON.stringify({ name: 'extra', version: '1.0.0', private: true }));
  run('npm', ['install', ...missing.map(([name, range]) => `${name}@${range}`), '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], extra);
  for (const [name] of missing) symlinkSync(join(extra, 'node_modules', name), join(modules, name));
}

/** Packs the package in `dir` (built there first) into `out` and returns the tarball path. */
function pack(dir, out) {
  run(process.execPath, [join(dir, 'scripts', 'build.mjs')], dir);
  const [{ filename }] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', out], dir));
  return join(out, filename);
}

/** A throw-away project with the tarball, rxjs and the consumer program. */
function project(work, name, tarball) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `typecheck-${name}`, version: '1.0.0', private: true, type: 'module' }));
  run('npm', ['install', tarball, 'rxjs@7.8.2', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], dir);
  writeFileSync(join(dir, 'main.mts'), PROGRAM);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [] },
      files: ['main.mts'],
    }),
  );
  return dir;
}

/** One `tsc --extendedDiagnostics` run: seconds and counts. */
function check(dir) {
  const out = run(process.execPath, [TSC, '-p', 'tsconfig.json', '--extendedDiagnostics'], dir);
  const num = (label) => Number(new RegExp(`^${label}:\\s+([\\d.]+)`, 'm').exec(out)?.[1]);
  return { check: num('Check time'), total: num('Total time'), files: num('Files'), lines: num('Lines of TypeScript') + num('Lines of Definitions'), memoryK: num('Memory used') };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main() {
  const opts = args();
  const work = mkdtempSync(join(tmpdir(), 'rxkube-typecheck-'));
  try {
    // The baseline: the package as it was at REF, built with this repository's node_modules.
    const base = join(work, 'baseline-src');
    mkdirSync(base);
    execFileSync('sh', ['-c', `git -C "${ROOT}" archive ${opts.baselineRef} | tar -x -C "${base}"`]);
    linkModules(work, base);
    const baseline = project(work, 'baseline', pack(base, work));
    const nowSrc = join(work, 'now-src');
    mkdirSync(nowSrc);
    cpSync(ROOT, nowSrc, { recursive: true, filter: (p) => !/\/(node_modules|dist|\.git|docs\/api)(\/|$)/.test(p.slice(ROOT.length)) });
    symlinkSync(join(ROOT, 'node_modules'), join(nowSrc, 'node_modules'), 'dir');
    const now = project(work, 'now', pack(nowSrc, work));

    check(baseline); // warm the file cache once per side
    check(now);
    const runs = { baseline: [], now: [] };
    for (let i = 0; i < opts.rounds; i++) {
      for (const [side, dir] of i % 2 === 0 ? [['baseline', baseline], ['now', now]] : [['now', now], ['baseline', baseline]]) runs[side].push(check(dir));
    }
    const summary = (side) => ({
      checkSeconds: median(runs[side].map((r) => r.check)),
      totalSeconds: median(runs[side].map((r) => r.total)),
      files: runs[side][0].files,
      lines: runs[side][0].lines,
      memoryKB: median(runs[side].map((r) => r.memoryK)),
    });
    const result = {
      what: 'tsc --noEmit of one consumer program against the packed package (skipLibCheck), median of alternating runs',
      baselineRef: opts.baselineRef,
      rounds: opts.rounds,
      node: process.version,
      cpus: cpus().length,
      loadavg: loadavg().map((l) => Number(l.toFixed(2))),
      baseline: summary('baseline'),
      now: summary('now'),
    };
    result.ratio = {
      check: Number((result.now.checkSeconds / result.baseline.checkSeconds).toFixed(2)),
      total: Number((result.now.totalSeconds / result.baseline.totalSeconds).toFixed(2)),
    };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'typecheck.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
