/**
 * Proves rxjs is a peer of rxkube, not a private copy: packs rxkube, installs the tarball next to the app's own
 * rxjs 7.8.1 and checks there is exactly one rxjs in the tree; then type-checks a watcher + controller program
 * against the installed declarations (the app's `Observable`/`Subject` flow into and out of rxkube) and runs it
 * against a scripted API server. The control: a second rxjs (7.8.2) nested under rxkube, as a regular dependency
 * would install it, must break both the type check and `instanceof Observable`.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO, ensureFreshDist } from './support/dist';

// Packing, installing and two type checks take minutes on a busy 2-core machine.
jest.setTimeout(300_000);

const exec = promisify(execFile);
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

let work: string;
let app: string;
let server: Server;
let url: string;

/** Runs a command; on failure the error carries its output. */
async function run(command: string, args: string[], cwd: string): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout, stderr } = await exec(command, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
    return { ok: true, out: `${stdout}${stderr}` };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, out: `${stdout}${stderr}` };
  }
}

async function mustRun(command: string, args: string[], cwd: string): Promise<string> {
  const { ok, out } = await run(command, args, cwd);
  if (!ok) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${out}`);
  return out;
}

/** The program a user would write: a reflector and a controller fed with and returning the app's rxjs types. */
const PROGRAM = `
import { Observable, Subject, lastValueFrom, map, takeWhile, toArray } from 'rxjs';
import { Api, Client, configFromUrl } from 'rxkube/client';
import { ConfigMap } from 'rxkube/core';
import { Action, Controller, ErrorPolicy, reflector, store, watcher, type ControllerResult, type WatcherEvent } from 'rxkube/runtime';

const client = new Client(configFromUrl(process.argv[2]!));
const configMaps = Api.namespaced(client, ConfigMap, 'default');

// The three places where a second rxjs copy broke the types: reflector's input, shutdownOn's trigger, run's result.
const { reader, writer } = store<ConfigMap>();
const events$: Observable<WatcherEvent<ConfigMap>> = reflector(writer, watcher(configMaps));
const stop$ = new Subject<void>();
const reconciled: string[] = [];
const results$: Observable<ControllerResult> = Controller.for(configMaps, { resource: ConfigMap })
  .shutdownOn(stop$)
  .run(
    async (cm: ConfigMap) => {
      reconciled.push(cm.metadata?.name ?? '?');
      stop$.next();
      return Action.awaitChange();
    },
    ErrorPolicy.backoff(),
    {},
  );

const listing = await lastValueFrom(events$.pipe(takeWhile((e) => e.type !== 'initDone', true), map((e) => e.type), toArray()));
const results = await lastValueFrom(results$.pipe(toArray()));
console.log(JSON.stringify({
  listing,
  inStore: reader.list().map((cm) => cm.metadata?.name),
  reconciled,
  results: results.length,
  sameObservable: events$ instanceof Observable && results$ instanceof Observable,
}));
process.exit(0);
`;

beforeAll(async () => {
  ensureFreshDist();
  work = mkdtempSync(join(tmpdir(), 'rxkube-peer-'));
  const [packed] = JSON.parse(await mustRun('npm', ['pack', '--json', '--pack-destination', work], REPO)) as [{ filename: string }];
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'rxkube-peer-app', version: '1.0.0', private: true, type: 'module' }));
  await mustRun('npm', ['install', 'rxjs@7.8.1', join(work, packed.filename), '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], app);
  writeFileSync(join(app, 'main.mts'), PROGRAM);
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        skipLibCheck: true, // the errors that matter are in main.mts; checking every .d.ts only costs time
        outDir: 'out',
        types: ['node'],
        typeRoots: [join(REPO, 'node_modules', '@types')],
      },
      files: ['main.mts'],
    }),
  );
  // A scripted API server: one ConfigMap in the list (or the streaming list), then a watch that stays open.
  server = createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    res.setHeader('Content-Type', 'application/json');
    const item = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default', uid: 'u1', resourceVersion: '3' } };
    if (query.get('watch') === 'true') {
      res.writeHead(200);
      if (query.get('sendInitialEvents') === 'true') {
        res.write(`${JSON.stringify({ type: 'ADDED', object: item })}\n`);
        res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '5', annotations: { 'k8s.io/initial-events-end': 'true' } } } })}\n`);
      } else res.write('');
      return;
    }
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: '5' }, items: [item] }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 300_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('rxjs as a peer dependency', () => {
  it('declares rxjs ^7.8 as a peer (and keeps it for development), not as a dependency', () => {
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules', 'rxkube', 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    expect(manifest.peerDependencies?.rxjs).toBe('^7.8');
    expect(manifest.dependencies?.rxjs).toBeUndefined();
    const own = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(own.devDependencies?.rxjs).toMatch(/^\^7\.8/);
  });

  it('installs next to the app’s rxjs 7.8.1 with one rxjs in the tree', async () => {
    const tree = JSON.parse(await mustRun('npm', ['ls', 'rxjs', '--all', '--json'], app)) as {
      dependencies: Record<string, { version: string; dependencies?: Record<string, { version: string }> }>;
    };
    expect(tree.dependencies.rxjs?.version).toBe('7.8.1');
    expect(tree.dependencies.rxkube?.dependencies?.rxjs?.version ?? 'deduped').toBe('7.8.1');
    expect(existsSync(join(app, 'node_modules', 'rxkube', 'node_modules', 'rxjs'))).toBe(false);
  });

  it('type-checks and runs a watcher and controller program with the app’s rxjs', async () => {
    await mustRun(process.execPath, [TSC, '-p', 'tsconfig.json'], app);
    const out = await mustRun(process.execPath, [join(app, 'out', 'main.mjs'), url], app);
    expect(JSON.parse(out.trim().split('\n').pop() ?? '')).toEqual({
      listing: ['init', 'initApply', 'initDone'],
      inStore: ['settings'],
      reconciled: ['settings'],
      results: 1,
      sameObservable: true,
    });
  });

  it('control: a second rxjs nested under rxkube breaks the type check and instanceof', async () => {
    const nested = join(app, 'node_modules', 'rxkube', 'node_modules', 'rxjs');
    cpSync(join(REPO, 'node_modules', 'rxjs'), nested, { recursive: true });
    try {
      const version = (JSON.parse(readFileSync(join(nested, 'package.json'), 'utf8')) as { version: string }).version;
      expect(version).not.toBe('7.8.1');
      const checked = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], app);
      expect(checked.ok).toBe(false);
      expect(checked.out).toMatch(/main\.mts\(\d+,\d+\): error TS2322/);
      const out = await mustRun(process.execPath, [join(app, 'out', 'main.mjs'), url], app);
      expect((JSON.parse(out.trim().split('\n').pop() ?? '') as { sameObservable: boolean }).sameObservable).toBe(false);
    } finally {
      rmSync(nested, { recursive: true, force: true });
    }
  });
});
