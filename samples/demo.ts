// The demo behind `npm run demo`: installs the ConfigMapGenerator CRD, runs the ConfigMap-generator controller,
// makes a few changes the way a user would, and prints — live — what the controller did and what the cluster
// saw. Ctrl+C stops it gracefully; `--once` stops after the scripted steps, failing if anything did not converge.
import { Api, Client } from 'rxkube/client';
import { Config } from 'rxkube/config';
import { ConfigMap, Namespace, Patch } from 'rxkube/core';
import { awaitCondition, shutdownOnSignal, watcher } from 'rxkube/runtime';
import type { ConfigMap as ConfigMapObject } from 'rxkube/core';
import { Subject, merge, takeUntil } from 'rxjs';
import { ConfigMapGenerator } from './configmapgenerator';
import { configMapGeneratorController } from './configmapgen-controller';
import { installCrd } from './crd-define';

const NS = 'rxkube-demo';
const once = process.argv.includes('--once');
const color = process.stdout.isTTY ? (code: number, s: string) => `\x1b[${code}m${s}\x1b[0m` : (_: number, s: string) => s;
const t0 = Date.now();
const say = (who: string, code: number, line: string) =>
  console.log(`${color(90, `+${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s`)} ${color(code, who.padEnd(10))} ${line}`);
const you = (line: string) => say('you', 36, line);
const controllerLog = (line: string) => say('controller', 32, line);
const cluster = (line: string) => say('cluster', 33, line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Awaits `what`, saying every 5 s how long it has been waiting, so a slow step is never a silent one. */
async function visibly<T>(what: Promise<T>, still: (seconds: number) => string): Promise<T> {
  const started = Date.now();
  const ticker = setInterval(() => cluster(still(Math.round((Date.now() - started) / 1000))), 5_000);
  try {
    return await what;
  } finally {
    clearInterval(ticker);
  }
}

function generator(name: string, content: string, copies = 1) {
  return { apiVersion: 'samples.rxkube.dev/v1', kind: 'ConfigMapGenerator', metadata: { name }, spec: { content, copies } } as const;
}

async function main(): Promise<void> {
  const client = new Client(await Config.infer());
  const stop$ = new Subject<void>();
  const signal$ = shutdownOnSignal();

  you(`install the ConfigMapGenerator CRD (defined in samples/configmapgenerator.ts)`);
  await installCrd(client, (l) => cluster(l));
  await Api.cluster(client, Namespace).apply(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, { fieldManager: 'rxkube-demo' });

  const generators = Api.namespaced(client, ConfigMapGenerator, NS);
  const configMaps = Api.namespaced(client, ConfigMap, NS);

  // What the cluster holds, as a second, independent watch: every ConfigMap change in the namespace.
  watcher(configMaps, {}).pipe(takeUntil(merge(stop$, signal$))).subscribe((e) => {
    if (e.type === 'apply') cluster(`ConfigMap ${e.object.metadata?.name} = ${JSON.stringify((e.object as ConfigMapObject).data ?? {})}`);
    if (e.type === 'delete') cluster(`ConfigMap ${e.object.metadata?.name} deleted`);
  });

  const done = new Promise<void>((resolve) => {
    configMapGeneratorController(client, { namespace: NS, shutdown$: merge(stop$, signal$), log: controllerLog }).subscribe({
      next: (r) => r.type === 'failed' && controllerLog(`reconcile of ${r.ref.name} failed: ${String(r.error)}; retrying`),
      complete: () => {
        controllerLog('stopped gracefully: watches closed, running reconciles finished');
        resolve();
      },
    });
  });
  const hasContent = (name: string, content: string) =>
    awaitCondition(configMaps, name, (cm) => (cm as ConfigMapObject | undefined)?.data?.content === content, { timeout: 30_000 });

  await sleep(500);
  for (const [name, content, copies] of [['hello', 'hello, world', 1], ['greetings', 'hi from rxkube', 2]] as const) {
    you(`create ConfigMapGenerator ${name} (content ${JSON.stringify(content)}, copies ${copies})`);
    await generators.apply(name, generator(name, content, copies), { fieldManager: 'rxkube-demo', force: true });
  }
  await hasContent('hello-gen', 'hello, world');
  await hasContent('greetings-gen', 'hi from rxkube');

  you('change hello: content "hello again"');
  await generators.patch('hello', Patch.merge({ spec: { content: 'hello again' } }));
  await hasContent('hello-gen', 'hello again');

  you('delete ConfigMap greetings-gen behind the controller’s back');
  await configMaps.delete('greetings-gen');
  await sleep(300);
  await hasContent('greetings-gen', 'hi from rxkube');

  you('delete ConfigMapGenerator hello (the finalizer runs cleanup, then the garbage collector removes hello-gen)');
  await generators.delete('hello');
  await awaitCondition(generators, 'hello', (g) => g === undefined, { timeout: 30_000 });
  // The owner is gone; its ConfigMap goes when kube-controller-manager's garbage collector gets to it. The collector
  // learns about new kinds (ConfigMapGenerator was installed seconds ago) when it rereads discovery, every 30 s, so on
  // a fresh cluster this step takes up to ~40 s. Say so, and show the wait, instead of sitting silent.
  cluster('hello-gen is owned by hello: the garbage collector deletes it once it has noticed the new ConfigMapGenerator kind');
  cluster('(it rereads API discovery every 30 s, so right after the CRD was installed this can take up to ~40 s)');
  await visibly(awaitCondition(configMaps, 'hello-gen', (cm) => cm === undefined, { timeout: 90_000 }), (s) => `still waiting for the garbage collector to delete hello-gen (${s} s)`);

  if (once) {
    you('delete ConfigMapGenerator greetings, then stop');
    await generators.delete('greetings');
    await awaitCondition(generators, 'greetings', (g) => g === undefined, { timeout: 30_000 });
    you('all steps converged; stopping');
    stop$.next();
    await done;
    return;
  }
  you('all steps converged. Try it yourself, e.g.:');
  console.log(`    kubectl --kubeconfig ${process.env.KUBECONFIG ?? '~/.kube/config'} -n ${NS} edit cmg greetings`);
  console.log('  Ctrl+C stops the controller gracefully.');
  await done;
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
