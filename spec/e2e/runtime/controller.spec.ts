// The Controller against the real API server: a ConfigMap-generator operator (controller-operator.ts)
// whose custom objects own ConfigMaps, with a finalizer, Events and status updates. Creating,
// updating and deleting a generator, and deleting its ConfigMap, all converge; deleting a generator
// runs cleanup and the object disappears.
import { join } from 'node:path';
import type { Subscription } from 'rxjs';
import { Api } from '../../../lib/client/api.js';
import { Client } from '../../../lib/client/client.js';
import { ConfigMap, Event as EventType } from '../../../lib/core/builtins.js';
import { configFromKubeconfig } from '../../../lib/config/from-kubeconfig.js';
import type { ControllerResult } from '../../../lib/runtime/controller.js';
import { eventually, kubeconfigPath, kubectl, useNamespace } from '../support/cluster.js';
import { ConfigMapGeneratorType, FINALIZER, configMapGenerator, type OperatorLog } from './controller-operator.js';

const CRD = join(__dirname, 'controller-fixtures', 'configmapgenerator-crd.yaml');

describe('Controller (e2e)', () => {
  const ns = useNamespace('controller');
  let client: Client;
  let sub: Subscription | undefined;
  const log: OperatorLog[] = [];
  const results: ControllerResult[] = [];

  beforeAll(async () => {
    await kubectl(['apply', '-f', CRD]);
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/configmapgenerators.e2e-controller.rxkube.test']);
    client = new Client(configFromKubeconfig({ path: kubeconfigPath() }));
    sub = configMapGenerator(client, ns, { identity: 'solo', log }).subscribe((r) => results.push(r));
  }, 90_000);
  afterAll(async () => {
    // Delete what is left while the controller still runs, so its finalizer does not strand it.
    await generators().delete('beta').catch(() => undefined);
    await eventually(async () => (await generators().getOpt('beta')) === undefined || undefined, { timeoutMs: 30_000 }).catch(() => undefined);
    sub?.unsubscribe();
  }, 40_000);

  const generators = () => Api.namespaced(client, ConfigMapGeneratorType, ns);
  const configMaps = () => Api.namespaced(client, ConfigMap, ns);
  const contentOf = async (name: string) => (await configMaps().getOpt(`${name}-generated`))?.data?.content;

  it('creates the owned ConfigMap, adds the finalizer, sets status and publishes an Event', async () => {
    await generators().create({ apiVersion: 'e2e-controller.rxkube.test/v1', kind: 'ConfigMapGenerator', metadata: { name: 'alpha' }, spec: { content: 'one' } });
    await eventually(async () => (await contentOf('alpha')) === 'one' || undefined, { timeoutMs: 30_000 });
    const cm = await configMaps().get('alpha-generated');
    const gen = await eventually(async () => {
      const g = await generators().get('alpha');
      return g.status?.configMapName === 'alpha-generated' ? g : undefined;
    });
    expect(cm.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'ConfigMapGenerator', name: 'alpha', uid: gen.metadata?.uid, controller: true, blockOwnerDeletion: true }),
    ]);
    expect(gen.metadata?.finalizers).toEqual([FINALIZER]);
    expect(gen.status?.observedGeneration).toBe(gen.metadata?.generation);
    const events = await eventually(async () => {
      const list = await Api.namespaced(client, EventType, ns).list();
      const mine = list.items.filter((e) => e.regarding?.name === 'alpha' && e.reason === 'Generated');
      return mine.length > 0 ? mine : undefined;
    });
    expect(events[0]).toMatchObject({
      reportingController: 'e2e-controller.rxkube.test/configmapgen',
      reportingInstance: 'solo',
      action: 'Reconcile',
      type: 'Normal',
      regarding: { kind: 'ConfigMapGenerator', name: 'alpha', namespace: ns },
      related: { kind: 'ConfigMap', name: 'alpha-generated' },
    });
    expect(results.some((r) => r.type === 'reconciled' && r.ref.name === 'alpha')).toBe(true);
  });

  it('updates the ConfigMap when the spec changes', async () => {
    await kubectl(['patch', 'configmapgenerators.e2e-controller.rxkube.test', 'alpha', '-n', ns, '--type=merge', '-p', '{"spec":{"content":"two"}}']);
    await eventually(async () => (await contentOf('alpha')) === 'two' || undefined, { timeoutMs: 30_000 });
    const gen = await eventually(async () => {
      const g = await generators().get('alpha');
      return g.status?.observedGeneration === g.metadata?.generation ? g : undefined;
    });
    expect(gen.metadata?.generation).toBe(2);
  });

  it('recreates the ConfigMap when it is deleted (owns)', async () => {
    const before = (await configMaps().get('alpha-generated')).metadata?.uid;
    await kubectl(['delete', 'configmap', 'alpha-generated', '-n', ns]);
    const after = await eventually(async () => {
      const cm = await configMaps().getOpt('alpha-generated');
      return cm && cm.metadata?.uid !== before ? cm : undefined;
    }, { timeoutMs: 30_000 });
    expect(after.data?.content).toBe('two');
    expect(results.some((r) => r.type === 'reconciled' && r.reason.type === 'relatedObjectChanged' && r.ref.name === 'alpha')).toBe(true);
  });

  it('folds repeated Events into a series (count, lastObservedTime) instead of new objects', async () => {
    const generated = await eventually(async () => {
      const list = await Api.namespaced(client, EventType, ns).list();
      const mine = list.items.filter((e) => e.regarding?.name === 'alpha' && e.reason === 'Generated');
      return mine.some((e) => (e.series?.count ?? 0) >= 2) ? mine : undefined;
    }, { timeoutMs: 30_000 });
    // Every apply of alpha (after the finalizer was added, on the spec change, on the ConfigMap's
    // recreation, ...) publishes the same Event: same regarding object, type, reason, action and note.
    expect(generated).toHaveLength(1);
    expect(generated[0]?.series?.lastObservedTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('runs cleanup on deletion, removes the finalizer, and the object disappears', async () => {
    await generators().create({ apiVersion: 'e2e-controller.rxkube.test/v1', kind: 'ConfigMapGenerator', metadata: { name: 'beta' }, spec: { content: 'b' } });
    await eventually(async () => (await contentOf('beta')) === 'b' || undefined, { timeoutMs: 30_000 });
    await kubectl(['delete', 'configmapgenerators.e2e-controller.rxkube.test', 'alpha', '-n', ns, '--wait=false']);
    await eventually(async () => (await generators().getOpt('alpha')) === undefined || undefined, { timeoutMs: 30_000 });
    // Cleanup ran for alpha only. It may have run twice: deleting the ConfigMap triggers the owner
    // again, and that follow-up can still read the object (with its finalizer) from the store before
    // the watch delivers the finalizer's removal; its finalizer patch then fails its `test` and the
    // object is gone by the retry. That is why cleanup handlers must be idempotent (as in kube-rs).
    const cleanups = log.filter((l) => l.kind === 'cleanup').map((l) => l.name);
    expect(cleanups.length).toBeGreaterThanOrEqual(1);
    expect(new Set(cleanups)).toEqual(new Set(['alpha']));
    expect(await configMaps().getOpt('alpha-generated')).toBeUndefined();
    // the other generator is untouched
    expect(await contentOf('beta')).toBe('b');
    expect((await generators().get('beta')).metadata?.finalizers).toEqual([FINALIZER]);
  });
});
