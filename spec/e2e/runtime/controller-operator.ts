// The ConfigMap-generator operator used by the controller e2e tests, written as an application would
// write it (the shape samples/configmapgen-controller.ts follows): a ConfigMapGenerator owns one
// ConfigMap with its spec.content; a finalizer deletes the ConfigMap on deletion; every apply and
// cleanup is published as an Event; status reports the generated ConfigMap and generation.
import type { Observable } from 'rxjs';
import { Api } from '../../../lib/client/api.js';
import type { Client } from '../../../lib/client/client.js';
import { isNotFound } from '../../../lib/client/errors.js';
import { ConfigMap, Event as EventType } from '../../../lib/core/builtins.js';
import { objectReference } from '../../../lib/core/object-ref.js';
import { Patch } from '../../../lib/core/patch.js';
import { resourceType } from '../../../lib/core/resource.js';
import { controllerOwnerRef } from '../../../lib/core/resource-ext.js';
import { Action, ErrorPolicy } from '../../../lib/runtime/action.js';
import { Controller, type ControllerResult, type RunOptions } from '../../../lib/runtime/controller.js';
import { EventRecorder } from '../../../lib/runtime/event-recorder.js';
import { finalizer } from '../../../lib/runtime/finalizer.js';

/** A ConfigMapGenerator object (CRD in controller-fixtures/configmapgenerator-crd.yaml). */
export interface ConfigMapGenerator {
  apiVersion?: string;
  kind?: string;
  metadata?: import('../../../lib/core/object.js').ObjectMeta;
  spec: { content: string };
  status?: { configMapName?: string; observedGeneration?: number };
}

export const ConfigMapGeneratorType = resourceType<ConfigMapGenerator, 'Namespaced'>({
  group: 'e2e-controller.rxkube.test',
  version: 'v1',
  kind: 'ConfigMapGenerator',
  plural: 'configmapgenerators',
  scope: 'Namespaced',
  subresources: ['status'],
});

export const FINALIZER = 'e2e-controller.rxkube.test/cleanup';
export const FIELD_MANAGER = 'configmapgen-controller';

/** What the operator did, for the tests to check (an application would log instead). */
export interface OperatorLog {
  identity: string;
  kind: 'apply' | 'cleanup';
  name: string;
  content?: string;
}

export interface OperatorOptions {
  /** Who runs this instance (reportingInstance of Events, leader identity). */
  identity: string;
  /** Appended to by every apply and cleanup. */
  log: OperatorLog[];
  /** Run only while leading. */
  leader$?: Observable<boolean>;
}

/** Runs the operator on `namespace`: a cold Observable of reconcile results. */
export function configMapGenerator(client: Client, namespace: string, options: OperatorOptions): Observable<ControllerResult> {
  const generators = Api.namespaced(client, ConfigMapGeneratorType, namespace);
  const configMaps = Api.namespaced(client, ConfigMap, namespace);
  const recorder = new EventRecorder((ns) => Api.namespaced(client, EventType, ns), {
    reportingController: 'e2e-controller.rxkube.test/configmapgen',
    reportingInstance: options.identity,
  });

  const reconcile = (generator: ConfigMapGenerator): Promise<Action> =>
    finalizer(generators, FINALIZER, generator, async (event) => {
      const gen = event.object;
      const name = gen.metadata?.name ?? '';
      const cmName = `${name}-generated`;
      if (event.type === 'cleanup') {
        await configMaps.delete(cmName).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
        options.log.push({ identity: options.identity, kind: 'cleanup', name });
        await recorder.publish({ type: 'Normal', reason: 'Deleted', action: 'Cleanup', note: `deleted ConfigMap ${cmName}` }, objectReference(gen, ConfigMapGeneratorType));
        return Action.awaitChange();
      }
      await configMaps.apply(
        cmName,
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: cmName, namespace, ownerReferences: [controllerOwnerRef(gen, ConfigMapGeneratorType)] },
          data: { content: gen.spec.content },
        },
        { fieldManager: FIELD_MANAGER, force: true },
      );
      const status = { configMapName: cmName, observedGeneration: gen.metadata?.generation ?? 0 };
      if (gen.status?.configMapName !== status.configMapName || gen.status?.observedGeneration !== status.observedGeneration) {
        await generators.patchStatus(name, Patch.merge({ status }));
      }
      options.log.push({ identity: options.identity, kind: 'apply', name, content: gen.spec.content });
      await recorder.publish(
        { type: 'Normal', reason: 'Generated', action: 'Reconcile', note: `ConfigMap ${cmName} holds the content`, secondary: { apiVersion: 'v1', kind: 'ConfigMap', name: cmName, namespace } },
        objectReference(gen, ConfigMapGeneratorType),
      );
      return Action.requeue(5 * 60_000);
    });

  return Controller.for(generators, { name: 'configmapgen', concurrency: 4 })
    .owns(configMaps, {})
    .run(reconcile, ErrorPolicy.backoff(), {}, options.leader$ ? ({ leader$: options.leader$ } satisfies RunOptions) : {});
}
