// Api<K> against the real kube-apiserver: what Kubernetes decides (conflicts, validation, paging,
// subresources, RBAC, watch events) is checked against the server itself, never a mock.
import type { Deployment } from '../../../lib/core/api/apps/v1.js';
import type { ConfigMap, Pod } from '../../../lib/core/api/core/v1.js';
import { filter, firstValueFrom, ReplaySubject, take, toArray } from 'rxjs';
import { Patch } from '../../../lib/core/patch.js';
import { type KubeResource } from '../../../lib/core/object.js';
import { resourceType } from '../../../lib/core/resource.js';
import type { WatchEvent } from '../../../lib/core/response.js';
import { Api } from '../../../lib/client/api.js';
import { Client } from '../../../lib/client/client.js';
import { ApiError, isConflict, isForbidden, isInvalid, isNotFound } from '../../../lib/client/errors.js';
import { configFromKubeconfig } from '../../../lib/config/from-kubeconfig.js';
import { eventually, kubeconfigPath, kubectl, useNamespace } from '../support/cluster.js';

const ConfigMapType = resourceType<ConfigMap, 'Namespaced'>({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', scope: 'Namespaced' });
const PodType = resourceType<Pod, 'Namespaced'>({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', scope: 'Namespaced' });
const DeploymentType = resourceType<Deployment, 'Namespaced'>({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', scope: 'Namespaced' });

type Widget = KubeResource<{ size: number }, { ready?: boolean; observed?: number }>;
const GROUP = 'e2eclient.rxkube.test';
const WidgetType = resourceType<Widget, 'Namespaced'>({ group: GROUP, version: 'v1', kind: 'Widget', plural: 'widgets', scope: 'Namespaced' });

const configMap = (name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});

const pod = (name: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: name } },
  spec: { containers: [{ name: 'main', image: 'registry.invalid/none:1' }] },
});

describe('Api (e2e)', () => {
  const ns = useNamespace('client-api');
  let client: Client;
  let cms: Api<ConfigMap, 'Namespaced'>;
  beforeAll(() => {
    client = new Client(configFromKubeconfig({ path: kubeconfigPath() }));
    cms = Api.namespaced(client, ConfigMapType, ns);
  });

  describe('ConfigMaps', () => {
    it('creates, reads, lists, replaces, patches and deletes', async () => {
      const created = await cms.create(configMap('crud', { a: '1' }));
      expect(created.metadata?.uid).toBeDefined();
      expect((await cms.get('crud')).data).toEqual({ a: '1' });
      expect((await cms.getMetadata('crud')).metadata.uid).toBe(created.metadata?.uid);
      expect((await cms.list()).items.map((c) => c.metadata?.name)).toContain('crud');
      expect((await cms.listMetadata()).items.map((c) => c.metadata.name)).toContain('crud');

      const replaced = await cms.replace('crud', { ...created, data: { a: '2' } });
      expect(replaced.data).toEqual({ a: '2' });
      expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));

      await cms.patch('crud', Patch.merge({ data: { b: '3' } }));
      await cms.patch('crud', Patch.strategic({ metadata: { labels: { tier: 'x' } } }));
      const patched = await cms.patch('crud', Patch.json([{ op: 'test', path: '/data/a', value: '2' }, { op: 'remove', path: '/data/a' }]));
      expect(patched.data).toEqual({ b: '3' });
      expect(patched.metadata?.labels).toEqual({ tier: 'x' });

      const deleted = await cms.delete('crud');
      expect(deleted.type).toBe('status');
      expect(await cms.getOpt('crud')).toBeUndefined();
      expect(isNotFound(await cms.get('crud').catch((x: unknown) => x))).toBe(true);
    });

    it('fails a replace of a stale copy with 409 Conflict, keeping the sent object', async () => {
      const first = await cms.create(configMap('stale', { v: '1' }));
      await cms.replace('stale', { ...first, data: { v: '2' } });
      const stale = { ...first, data: { v: 'mine' } };
      const e = (await cms.replace('stale', stale).catch((x: unknown) => x)) as ApiError;
      expect(isConflict(e)).toBe(true);
      expect(e.message).toMatch(new RegExp(`^PUT /api/v1/namespaces/${ns}/configmaps/stale: 409 Conflict: Operation cannot be fulfilled`));
      expect(e.sent).toBe(stale);
    });

    it('keeps the server field causes of an invalid object and what was sent', async () => {
      const bad = configMap('Not_A_Valid_Name');
      const e = (await cms.create(bad).catch((x: unknown) => x)) as ApiError;
      expect(isInvalid(e)).toBe(true);
      expect(e.code).toBe(422);
      expect(e.causes).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'metadata.name', reason: 'FieldValueInvalid' })]));
      expect(e.sent).toBe(bad);
    });

    it('pages with limit=2 over 5 objects', async () => {
      for (let i = 0; i < 5; i++) await cms.create(configMap(`page-${i}`, {}, { set: 'paging' }));
      const sizes: number[] = [];
      let page = await cms.list({ labelSelector: 'set=paging', limit: 2 });
      sizes.push(page.items.length);
      while (page.metadata.continue) {
        page = await cms.list({ labelSelector: 'set=paging', limit: 2, continueToken: page.metadata.continue });
        sizes.push(page.items.length);
      }
      expect(sizes).toEqual([2, 2, 1]);
      const all = await cms.listAll({ labelSelector: 'set=paging', limit: 2 });
      expect(all.items.map((c) => c.metadata?.name).sort()).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
      expect(all.metadata.resourceVersion).toMatch(/^\d+$/);
      const all$ = await firstValueFrom(cms.listAll$({ labelSelector: 'set=paging', limit: 2 }));
      expect(all$.items).toHaveLength(5);
    });

    it('deletes a collection by label selector', async () => {
      for (const name of ['dc-1', 'dc-2', 'dc-3']) await cms.create(configMap(name, {}, { set: 'doomed' }));
      await cms.create(configMap('dc-keep', {}, { set: 'kept' }));
      const res = await cms.deleteCollection({}, { labelSelector: 'set=doomed' });
      expect(res.type === 'list' && res.list.items.map((c) => c.metadata?.name).sort()).toEqual(['dc-1', 'dc-2', 'dc-3']);
      const left = await cms.list({ labelSelector: 'set in (doomed,kept)' });
      expect(left.items.map((c) => c.metadata?.name)).toEqual(['dc-keep']);
    });

    it('dry-runs create, patch and delete without persisting', async () => {
      const dry = await cms.create(configMap('dry', { a: '1' }), { dryRun: true });
      expect(dry.metadata?.name).toBe('dry');
      expect(await cms.getOpt('dry')).toBeUndefined();
      await cms.create(configMap('dry', { a: '1' }));
      expect((await cms.patch('dry', Patch.merge({ data: { a: '2' } }), { dryRun: true })).data).toEqual({ a: '2' });
      await cms.delete('dry', { dryRun: true });
      expect((await cms.get('dry')).data).toEqual({ a: '1' });
    });

    it('server-side apply: a second manager conflicts without force and wins with it', async () => {
      await cms.apply('ssa', { data: { owner: 'alpha', shared: 'a' } }, { fieldManager: 'alpha' });
      const e = (await cms.apply('ssa', { data: { shared: 'b' } }, { fieldManager: 'beta' }).catch((x: unknown) => x)) as ApiError;
      expect(e).toBeInstanceOf(ApiError);
      expect(e.code).toBe(409);
      expect(isConflict(e)).toBe(true);
      expect(e.causes).toEqual([expect.objectContaining({ reason: 'FieldManagerConflict', field: '.data.shared' })]);
      const forced = await cms.apply('ssa', { data: { shared: 'b' } }, { fieldManager: 'beta', force: true });
      expect(forced.data).toEqual({ owner: 'alpha', shared: 'b' });
      expect(forced.metadata?.managedFields?.map((m) => m.manager).sort()).toEqual(['alpha', 'beta']);
    });

    it('entry.commit replays its change after a conflicting write', async () => {
      await cms.create(configMap('counter', { n: '0' }));
      const entry = await cms.entry('counter');
      // Someone else writes between our read and our write: the first replace must conflict.
      await kubectl(['patch', 'configmap', 'counter', '-n', ns, '--type=merge', '-p', '{"data":{"n":"10"}}']);
      let calls = 0;
      const saved = await entry
        .andModify((c) => {
          calls++;
          c.data = { n: String(Number(c.data?.n) + 1) };
        })
        .commit();
      expect(calls).toBe(2);
      expect(saved?.data).toEqual({ n: '11' });
    });

    it('watch sees ADDED, MODIFIED and DELETED for changes made with kubectl', async () => {
      const { metadata } = await cms.list({ limit: 1 });
      const events = new ReplaySubject<WatchEvent<ConfigMap>>();
      const sub = cms.watch({ resourceVersion: metadata.resourceVersion, fieldSelector: 'metadata.name=watched' }).subscribe(events);
      await kubectl(['create', 'configmap', 'watched', '-n', ns, '--from-literal=a=1']);
      await kubectl(['patch', 'configmap', 'watched', '-n', ns, '--type=merge', '-p', '{"data":{"a":"2"}}']);
      await kubectl(['delete', 'configmap', 'watched', '-n', ns]);
      const got = await firstValueFrom(events.pipe(filter((e) => e.type !== 'BOOKMARK'), take(3), toArray()));
      sub.unsubscribe();
      expect(got.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
      expect(got.map((e) => (e.type === 'MODIFIED' ? (e.object as ConfigMap).data?.a : undefined))).toEqual([undefined, '2', undefined]);
    });

    it('watchMetadata streams PartialObjectMetadata', async () => {
      const { metadata } = await cms.list({ limit: 1 });
      const first = firstValueFrom(cms.watchMetadata({ resourceVersion: metadata.resourceVersion, fieldSelector: 'metadata.name=meta-watched' }));
      await kubectl(['create', 'configmap', 'meta-watched', '-n', ns, '--from-literal=a=1']);
      const event = await first;
      expect(event.type).toBe('ADDED');
      expect(event.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'meta-watched' } });
      expect(event.object).not.toHaveProperty('data');
    });

    it('impersonating a user without RBAC bindings is Forbidden', async () => {
      const nobody = new Client({ ...configFromKubeconfig({ path: kubeconfigPath() }), impersonate: { user: 'nobody' } });
      const e = (await Api.namespaced(nobody, ConfigMapType, ns).list().catch((x: unknown) => x)) as ApiError;
      expect(isForbidden(e)).toBe(true);
      expect(e.message).toContain('User "nobody" cannot list resource "configmaps"');
    });
  });

  describe('Pods', () => {
    let pods: Api<Pod, 'Namespaced'>;
    beforeAll(() => {
      pods = Api.namespaced(client, PodType, ns);
    });

    it('creates, reads, patches and deletes a pod', async () => {
      const created = await pods.create(pod('web'));
      expect(created.status?.phase).toBe('Pending');
      const patched = await pods.patch('web', Patch.strategic({ metadata: { labels: { tier: 'fe' } } }));
      expect(patched.metadata?.labels).toEqual({ app: 'web', tier: 'fe' });
      const res = await pods.delete('web', { gracePeriodSeconds: 0 });
      expect(['object', 'status']).toContain(res.type);
      await eventually(async () => (await pods.getOpt('web')) === undefined);
    });

    it('evicts a pod', async () => {
      await pods.create(pod('evictee'));
      const res = await pods.evict('evictee');
      expect(res).toMatchObject({ kind: 'Status', status: 'Success' });
      await eventually(async () => (await pods.getOpt('evictee')) === undefined);
    });
  });

  describe('subresources', () => {
    it('reads and changes the scale of a Deployment', async () => {
      const deployments = Api.namespaced(client, DeploymentType, ns);
      await deployments.create({
        metadata: { name: 'scaled' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'scaled' } },
          template: { metadata: { labels: { app: 'scaled' } }, spec: { containers: [{ name: 'main', image: 'registry.invalid/none:1' }] } },
        },
      });
      const scale = await deployments.getScale('scaled');
      expect(scale).toMatchObject({ apiVersion: 'autoscaling/v1', kind: 'Scale', spec: { replicas: 1 } });
      await deployments.patchScale('scaled', Patch.merge({ spec: { replicas: 3 } }));
      expect((await deployments.get('scaled')).spec?.replicas).toBe(3);
      // A replace carries the resourceVersion it read; the deployment controller may update the object in
      // between (409 Conflict), so read-modify-write again, as any client must.
      for (let attempt = 1; ; attempt++) {
        const current = await deployments.getScale('scaled');
        try {
          await deployments.replaceScale('scaled', { ...current, spec: { replicas: 0 } });
          break;
        } catch (e) {
          if (!isConflict(e) || attempt === 5) throw e;
        }
      }
      expect((await deployments.get('scaled')).spec?.replicas).toBe(0);
    });

    describe('status of a custom resource', () => {
      const crdName = `widgets.${GROUP}`;
      beforeAll(async () => {
        const crd = {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: crdName },
          spec: {
            group: GROUP,
            names: { kind: 'Widget', plural: 'widgets', singular: 'widget' },
            scope: 'Namespaced',
            versions: [
              {
                name: 'v1',
                served: true,
                storage: true,
                subresources: { status: {} },
                schema: {
                  openAPIV3Schema: {
                    type: 'object',
                    properties: {
                      spec: { type: 'object', properties: { size: { type: 'integer' } } },
                      status: { type: 'object', properties: { ready: { type: 'boolean' }, observed: { type: 'integer' } } },
                    },
                  },
                },
              },
            ],
          },
        };
        await kubectl(['apply', '-f', '-'], { input: JSON.stringify(crd) });
        await kubectl(['wait', '--for=condition=Established', `crd/${crdName}`, '--timeout=60s']);
      });
      afterAll(async () => {
        await kubectl(['delete', 'crd', crdName, '--ignore-not-found', '--wait=false']);
      });

      it('changes status only through the status subresource', async () => {
        const widgets = Api.namespaced(client, WidgetType, ns);
        const created = await eventually(() => widgets.create({ apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 1 }, status: { ready: true } }), { timeoutMs: 30_000 });
        expect(created.status).toBeUndefined();
        const patched = await widgets.patchStatus('w1', Patch.merge({ status: { ready: true, observed: 1 } }));
        expect(patched.status).toEqual({ ready: true, observed: 1 });
        const viaMain = await widgets.replace('w1', { ...patched, spec: { size: 2 }, status: { ready: false, observed: 99 } });
        expect(viaMain.spec).toEqual({ size: 2 });
        expect(viaMain.status).toEqual({ ready: true, observed: 1 });
        const viaStatus = await widgets.replaceStatus('w1', { ...viaMain, spec: { size: 5 }, status: { ready: false, observed: 2 } });
        expect(viaStatus.status).toEqual({ ready: false, observed: 2 });
        expect(viaStatus.spec).toEqual({ size: 2 });
        expect((await widgets.getStatus('w1')).status).toEqual({ ready: false, observed: 2 });
      });
    });
  });
});
