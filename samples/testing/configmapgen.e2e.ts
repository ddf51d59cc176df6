// A user's own test of the ConfigMapGenerator operator, written against rxkube/testing as an application would:
// a real API server (started by rxkube/testing's Jest global setup, reused here), the CRD installed, the operator
// running in the test process, and its effect checked through the API.
//
// In this repository it runs in the e2e project; spec/e2e/samples/packed-testing.spec.ts also packs rxkube,
// installs it in a fresh project and runs this file there, with jest.config.js pointing at
// 'rxkube/testing/jest-global-setup' and 'rxkube/testing/jest-global-teardown'.
import { Api } from 'rxkube/client';
import { ConfigMap, Patch } from 'rxkube/core';
import { awaitCondition } from 'rxkube/runtime';
import { startTestCluster, type TestCluster } from 'rxkube/testing';
import type { Subscription } from 'rxjs';
import { configMapGeneratorController } from '../configmapgen-controller';
import { ConfigMapGenerator } from '../configmapgenerator';
import { installCrd } from '../crd-define';

describe('ConfigMapGenerator operator', () => {
  let cluster: TestCluster;
  let ns: string;
  let operator: Subscription;

  beforeAll(async () => {
    cluster = await startTestCluster();
    ns = await cluster.namespace('cmg');
    await installCrd(cluster.client);
    operator = configMapGeneratorController(cluster.client, { namespace: ns }).subscribe();
  }, 900_000); // the first run on a machine builds the control plane

  afterAll(async () => {
    operator?.unsubscribe();
    await cluster?.stop();
  });

  it('writes the ConfigMap a generator asks for, and rewrites it when the generator changes', async () => {
    const generators = Api.namespaced(cluster.client, ConfigMapGenerator, ns);
    const configMaps = Api.namespaced(cluster.client, ConfigMap, ns);
    await generators.create({ apiVersion: 'samples.rxkube.dev/v1', kind: 'ConfigMapGenerator', metadata: { name: 'greeting' }, spec: { content: 'hello', copies: 2 } });

    const made = await awaitCondition(configMaps, 'greeting-gen', (cm) => cm?.data?.['content'] === 'hello', { timeout: 30_000 });
    expect(made?.data).toEqual({ content: 'hello', 'content-1': 'hello' });
    expect(made?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ConfigMapGenerator', name: 'greeting', controller: true });

    // A merge patch, not get + replace: the operator writes the generator too (finalizer, status).
    await generators.patch('greeting', Patch.merge({ spec: { content: 'bonjour', copies: 1 } }));
    const remade = await awaitCondition(configMaps, 'greeting-gen', (cm) => cm?.data?.['content'] === 'bonjour', { timeout: 30_000 });
    expect(remade?.data).toEqual({ content: 'bonjour' });
  });
});
