// awaitCondition and deleteAndFinalize against the real API server: a CRD becoming Established,
// and an object that only goes away once its finalizer is removed.
import type { ConfigMap as ConfigMapObject } from '../../../lib/core/api/core/v1.js';
import { Api } from '../../../lib/client/api.js';
import { Client } from '../../../lib/client/client.js';
import { ConfigMap, CustomResourceDefinition } from '../../../lib/core/builtins.js';
import { Patch } from '../../../lib/core/patch.js';
import { configFromKubeconfig } from '../../../lib/config/from-kubeconfig.js';
import { awaitCondition, WaitTimeoutError } from '../../../lib/runtime/wait/await-condition.js';
import { isCrdEstablished, isDeleted } from '../../../lib/runtime/wait/conditions.js';
import { deleteAndFinalize } from '../../../lib/runtime/wait/delete-and-finalize.js';
import { kubeconfigPath, kubectl, useNamespace } from '../support/cluster.js';

const GROUP = 'e2ewait.rxkube.test';

describe('wait (e2e)', () => {
  const ns = useNamespace('runtime-wait');
  let client: Client;
  beforeAll(() => {
    client = new Client(configFromKubeconfig({ path: kubeconfigPath() }));
  });

  it('awaits a CRD until it is Established, then until it is deleted', async () => {
    const crds = Api.cluster(client, CustomResourceDefinition);
    const suffix = Math.random().toString(36).slice(2, 8);
    const plural = `gadgets${suffix}`;
    const name = `${plural}.${GROUP}`;
    const established = awaitCondition(crds, name, isCrdEstablished(), { timeout: 30_000 });
    await crds.create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name },
      spec: {
        group: GROUP,
        names: { kind: `Gadget${suffix}`, plural, singular: `gadget${suffix}`, listKind: `Gadget${suffix}List` },
        scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
      },
    });
    const crd = await established;
    expect(crd?.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');
    const uid = crd?.metadata?.uid ?? '';
    const gone = awaitCondition(crds, name, isDeleted(uid), { timeout: 30_000 });
    await crds.delete(name);
    await expect(gone).resolves.toBeUndefined();
  });

  it('times out with WaitTimeoutError when the condition never holds', async () => {
    const cms = Api.namespaced(client, ConfigMap, ns);
    await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stays' } });
    const uid = (await cms.get('stays')).metadata?.uid ?? '';
    await expect(awaitCondition(cms, 'stays', isDeleted(uid), { timeout: 1500 })).rejects.toBeInstanceOf(WaitTimeoutError);
  });

  it('deleteAndFinalize resolves only once the finalizer is gone', async () => {
    const cms = Api.namespaced(client, ConfigMap, ns);
    await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['e2e.rxkube.test/hold'] } } as ConfigMapObject);
    let done = false;
    const deleting = deleteAndFinalize(cms, 'held', { timeout: 30_000 }).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 1500));
    expect(done).toBe(false);
    expect((await cms.get('held')).metadata?.deletionTimestamp).toBeDefined();
    await cms.patch('held', Patch.merge({ metadata: { finalizers: null } }));
    await deleting;
    expect(done).toBe(true);
    expect(await cms.getOpt('held')).toBeUndefined();
    expect(await kubectl(['get', 'configmap', '-n', ns, '--ignore-not-found', 'held'])).toBe('');
  });
});
