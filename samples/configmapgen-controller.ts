// The ConfigMap-generator operator, as a reader would write it: every ConfigMapGenerator gets a ConfigMap
// `<name>-gen` that it owns (so the garbage collector removes it with its owner, and a deleted or edited
// ConfigMap is put back because `owns` maps it to its owner), a finalizer that runs cleanup before the
// generator goes, Events on what was done, and a status with what was made.
//
//   npm run sample -- samples/crd-define.ts --apply        # once, to install the CRD
//   npm run sample -- samples/configmapgen-controller.ts [namespace]
import { Api, Client } from 'rxkube/client';
import { Config } from 'rxkube/config';
import { ConfigMap, Event, Patch, controllerOwnerRef, objectReference } from 'rxkube/core';
import { Action, Controller, ErrorPolicy, EventRecorder, finalizer, shutdownOnSignal, type ControllerResult, type ReconcileInfo, type ShardOptions } from 'rxkube/runtime';
import type { Observable } from 'rxjs';
import { ConfigMapGenerator } from './configmapgenerator';

const FINALIZER = 'samples.rxkube.dev/cleanup';
const MANAGER = 'configmapgen-controller';

/** What every reconcile needs, built once. */
export interface Context {
  readonly client: Client;
  readonly recorder: EventRecorder;
  readonly log: (line: string) => void;
}

/** Brings the ConfigMap of one generator in line with its spec; `info.signal` cancels its requests. */
async function reconcile(gen: ConfigMapGenerator, ctx: Context, info: ReconcileInfo): Promise<Action> {
  const { signal } = info;
  const { name = '', namespace = 'default', generation } = gen.metadata;
  const generators = Api.namespaced(ctx.client, ConfigMapGenerator, namespace);
  const configMaps = Api.namespaced(ctx.client, ConfigMap, namespace);
  const regarding = objectReference(gen, ConfigMapGenerator);

  return finalizer(
    generators,
    FINALIZER,
    gen,
    async (event) => {
      if (event.type === 'cleanup') {
        // The ConfigMap is owned by the generator: the garbage collector deletes it. Anything outside the
        // cluster would be released here.
        ctx.log(`cleanup   ${namespace}/${name}: finalizer done, the garbage collector takes ${name}-gen`);
        await ctx.recorder.publish({ type: 'Normal', reason: 'CleanedUp', action: 'Finalize', note: `released ${name}-gen` }, regarding, { signal });
        return Action.awaitChange();
      }
      const copies = gen.spec.copies ?? 1;
      const data = Object.fromEntries(Array.from({ length: copies }, (_, i) => [i === 0 ? 'content' : `content-${i}`, gen.spec.content]));
      await configMaps.apply(
        `${name}-gen`,
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-gen`, ownerReferences: [controllerOwnerRef(gen, ConfigMapGenerator)] }, data },
        { fieldManager: MANAGER, force: true },
        { signal },
      );
      if (gen.status?.observedGeneration !== generation) {
        await generators.patchStatus(name, Patch.merge({ status: { configMap: `${name}-gen`, observedGeneration: generation } }), {}, { signal });
        await ctx.recorder.publish({ type: 'Normal', reason: 'Generated', action: 'Reconcile', note: `wrote ${copies} key(s) to ${name}-gen` }, regarding, { signal });
        ctx.log(`reconcile ${namespace}/${name}: ${name}-gen holds ${JSON.stringify(gen.spec.content)} x${copies}`);
      }
      // Re-check every five minutes even without changes (drift from outside the watch).
      return Action.requeue(5 * 60_000);
    },
    { signal },
  );
}

/**
 * The operator as a cold Observable of reconcile results: subscribe to run it, unsubscribe (or emit on
 * `shutdown$`) to stop it gracefully. Watches generators in `namespace` (all namespaces if omitted) and the
 * ConfigMaps they own. With `shard`, it is one of several replicas that share the generators.
 */
export function configMapGeneratorController(
  client: Client,
  options: { namespace?: string; shutdown$?: Observable<unknown>; log?: (line: string) => void; shard?: ShardOptions } = {},
): Observable<ControllerResult> {
  const { namespace, log = () => undefined } = options;
  const generators = namespace ? Api.namespaced(client, ConfigMapGenerator, namespace) : Api.all(client, ConfigMapGenerator);
  const configMaps = namespace ? Api.namespaced(client, ConfigMap, namespace) : Api.all(client, ConfigMap);
  const recorder = new EventRecorder((ns) => Api.namespaced(client, Event, ns), {
    reportingController: `samples.rxkube.dev/${MANAGER}`,
    reportingInstance: MANAGER,
  });
  let controller = Controller.for(generators, { name: 'configmapgen', debounce: 200, resource: ConfigMapGenerator }).owns(configMaps);
  if (options.shutdown$) controller = controller.shutdownOn(options.shutdown$);
  // One of several replicas sharing the generators (samples/configmapgen-sharded.ts).
  if (options.shard) controller = controller.shard(options.shard);
  return controller.run(reconcile, ErrorPolicy.backoff(), { client, recorder, log });
}

async function main(): Promise<void> {
  const client = new Client(await Config.infer());
  const namespace = process.argv[2];
  console.log(`configmapgen-controller watching ${namespace ? `namespace ${namespace}` : 'all namespaces'}; Ctrl+C to stop`);
  configMapGeneratorController(client, { ...(namespace ? { namespace } : {}), shutdown$: shutdownOnSignal(), log: console.log }).subscribe({
    next: (r) => {
      if (r.type === 'failed') console.warn(`failed    ${r.ref.namespace}/${r.ref.name}: ${String(r.error)} (retry: ${JSON.stringify(r.action)})`);
      if (r.type === 'watchError') console.warn(`watch     ${r.watch} ${r.resource?.kind ?? ''}: ${r.error.message} (retrying)`);
    },
    complete: () => console.log('stopped: watches closed, running reconciles finished'),
  });
}

// Runs when started as a program (npm run sample -- samples/configmapgen-controller.ts), not when imported.
if (/configmapgen-controller\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) void main();
