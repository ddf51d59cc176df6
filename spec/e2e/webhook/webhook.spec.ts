// Admission and conversion webhooks against the real kube-apiserver, which calls an rxkube webhookServer over
// TLS on loopback (development certificates from openssl, the CA in each configuration's caBundle):
// a validating webhook denies and kubectl prints its message, a mutating webhook's JSON patch adds a label
// that is stored, dryRun=All reaches the handler marked dry-run, failurePolicy Fail vs Ignore with a
// handler that hangs, and a Widget written as v2, stored as v1 and read as v2 through the conversion webhook.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NEVER } from 'rxjs';
import { Admission, mutatingWebhookConfiguration, validatingWebhookConfiguration, withConversionWebhook, type AdmissionRequest, type WebhookRule } from '../../../lib/admission/index.js';
import { Api } from '../../../lib/client/api.js';
import { Client } from '../../../lib/client/client.js';
import { ApiError } from '../../../lib/client/errors.js';
import { ConfigMap, CustomResourceDefinition, MutatingWebhookConfiguration, ValidatingWebhookConfiguration } from '../../../lib/core/builtins.js';
import { configFromKubeconfig } from '../../../lib/config/from-kubeconfig.js';
import { awaitCondition } from '../../../lib/runtime/wait/await-condition.js';
import { isCrdEstablished } from '../../../lib/runtime/wait/conditions.js';
import { InMemoryMetrics } from '../../../lib/runtime/metrics.js';
import { createDevCertificates, Webhook, webhookServer, WEBHOOK_METRICS, type DevCertificates, type RunningWebhookServer, type WebhookLogEntry } from '../../../lib/webhook/index.js';
import { TAGS_ANNOTATION, WidgetV1, WidgetV2, widgetConversion, widgetCrd, type WidgetV2 as WidgetV2Object } from '../../../samples/webhook/widget.js';
import { kubeconfigPath, kubectl, KubectlError, useNamespace } from '../support/cluster.js';

const DENY_MESSAGE = 'ConfigMaps in this namespace must not have a key named forbidden';

/** Resolves with the ApiError the promise rejects with (fails the test when it does not reject). */
async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected the server to reject the request');
}

/** Retries `check` until it stops throwing: the API server picks up new configurations from an informer. */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function configMap(name: string, hook: string, data: Record<string, string> = {}): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { 'rxkube-e2e/hook': hook } }, data };
}

describe('admission and conversion webhooks (e2e)', () => {
  const ns = useNamespace('webhook');
  const suffix = ns.split('-').pop() as string;
  let dir: string;
  let certs: DevCertificates;
  let server: RunningWebhookServer;
  let client: Client;
  let configMaps: Api<ConfigMap, 'Namespaced'>;
  const seen: AdmissionRequest<ConfigMap>[] = [];
  const logs: WebhookLogEntry[] = [];
  const metrics = new InMemoryMetrics();
  let conversions = 0;
  const names = { validating: `rxkube-e2e-v-${suffix}`, mutating: `rxkube-e2e-m-${suffix}`, crd: 'widgets.conversion.rxkube.dev' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxkube-e2e-webhook-'));
    certs = await createDevCertificates({ dir, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    server = await webhookServer({
      tls: certs,
      logger: (e) => logs.push(e),
      metrics,
      routes: [
        Webhook.validating('/validate', ConfigMap, (r) => {
          seen.push(r);
          return r.object?.data?.forbidden !== undefined ? Admission.deny(r, DENY_MESSAGE, { field: 'data.forbidden' }) : Admission.allow(r);
        }),
        Webhook.mutating('/mutate', ConfigMap, (r) => Admission.mutate(r, { ...r.object!, metadata: { ...r.object!.metadata, labels: { ...r.object!.metadata?.labels, 'rxkube.dev/mutated': 'yes' } } })),
        Webhook.validating('/hang', ConfigMap, () => NEVER),
        Webhook.conversion('/convert', (request) => {
          conversions += 1;
          return widgetConversion.review(request);
        }),
      ],
    });
    client = new Client(configFromKubeconfig({ path: kubeconfigPath() }));
    configMaps = Api.namespaced(client, ConfigMap, ns);

    const inNamespace = { matchLabels: { 'kubernetes.io/metadata.name': ns } };
    const rules: WebhookRule[] = [{ type: ConfigMap, operations: ['CREATE', 'UPDATE'] }];
    const hook = (value: string) => ({ matchLabels: { 'rxkube-e2e/hook': value } });
    const endpoint = (path: string) => ({ url: `${server.url}${path}`, ca: certs.caPem });
    await Api.cluster(client, ValidatingWebhookConfiguration).create(
      validatingWebhookConfiguration({
        name: names.validating,
        webhooks: [
          { name: 'deny.rxkube.dev', endpoint: endpoint('/validate'), rules, namespaceSelector: inNamespace, objectSelector: hook('validate'), timeoutSeconds: 5 },
          { name: 'hang-fail.rxkube.dev', endpoint: endpoint('/hang'), rules, namespaceSelector: inNamespace, objectSelector: hook('hang-fail'), failurePolicy: 'Fail', timeoutSeconds: 2 },
          { name: 'hang-ignore.rxkube.dev', endpoint: endpoint('/hang'), rules, namespaceSelector: inNamespace, objectSelector: hook('hang-ignore'), failurePolicy: 'Ignore', timeoutSeconds: 2 },
        ],
      }),
    );
    await Api.cluster(client, MutatingWebhookConfiguration).create(
      mutatingWebhookConfiguration({
        name: names.mutating,
        webhooks: [{ name: 'label.rxkube.dev', endpoint: endpoint('/mutate'), rules, namespaceSelector: inNamespace, objectSelector: hook('mutate'), timeoutSeconds: 5 }],
      }),
    );
    // The API server loads webhook configurations through an informer: wait until the deny webhook answers.
    await eventually(async () => {
      const e = await rejection(configMaps.create(configMap('probe', 'validate', { forbidden: 'x' }), { dryRun: true }));
      if (e.code !== 403) throw e;
    });
    seen.length = 0;
  }, 120_000);

  afterAll(async () => {
    await Api.cluster(client, ValidatingWebhookConfiguration).delete(names.validating).catch(() => undefined);
    await Api.cluster(client, MutatingWebhookConfiguration).delete(names.mutating).catch(() => undefined);
    await Api.cluster(client, CustomResourceDefinition).delete(names.crd).catch(() => undefined);
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("denies a ConfigMap create and kubectl prints the handler's message", async () => {
    const manifest = JSON.stringify(configMap('denied', 'validate', { forbidden: 'x' }));
    let stderr = '';
    try {
      await kubectl(['create', '-n', ns, '-f', '-'], { input: manifest });
    } catch (e) {
      stderr = (e as KubectlError).stderr;
    }
    expect(stderr).toContain(`admission webhook "deny.rxkube.dev" denied the request: ${DENY_MESSAGE}`);
    // The same through rxkube: a 403 with the field the handler named.
    const e = await rejection(configMaps.create(configMap('denied', 'validate', { forbidden: 'x' })));
    expect([e.code, e.status.details?.causes?.[0]?.field]).toEqual([403, 'data.forbidden']);
    expect(await configMaps.getOpt('denied')).toBeUndefined();
    expect(await configMaps.create(configMap('allowed', 'validate', { fine: 'x' }))).toMatchObject({ metadata: { name: 'allowed' } });
    expect(metrics.value(WEBHOOK_METRICS.reviewsTotal, { webhook: '/validate', result: 'denied' })).toBeGreaterThanOrEqual(2);
  });

  it('adds a label through a JSON patch, and the stored object has it', async () => {
    const created = await configMaps.create(configMap('mutated', 'mutate', { a: '1' }));
    expect(created.metadata?.labels).toEqual({ 'rxkube-e2e/hook': 'mutate', 'rxkube.dev/mutated': 'yes' });
    const stored = JSON.parse(await kubectl(['get', 'configmap', 'mutated', '-n', ns, '-o', 'json'])) as ConfigMap;
    expect(stored.metadata?.labels?.['rxkube.dev/mutated']).toBe('yes');
    expect(stored.data).toEqual({ a: '1' });
  });

  it('marks dryRun=All requests as dry-run for the handler, and nothing is stored', async () => {
    seen.length = 0;
    await configMaps.create(configMap('dry', 'validate'), { dryRun: true });
    await kubectl(['create', '-n', ns, '-f', '-', '--dry-run=server'], { input: JSON.stringify(configMap('dry-kubectl', 'validate')) });
    await configMaps.create(configMap('wet', 'validate'));
    expect(seen.map((r) => [r.name, r.dryRun, r.operation, r.userInfo.username])).toEqual([
      ['dry', true, 'CREATE', 'admin'],
      ['dry-kubectl', true, 'CREATE', 'admin'],
      ['wet', false, 'CREATE', 'admin'],
    ]);
    expect(seen[0]?.options).toMatchObject({ kind: 'CreateOptions', dryRun: ['All'] });
    expect(await configMaps.getOpt('dry')).toBeUndefined();
  });

  it('answers a hanging handler before the API server gives up, so failurePolicy decides: Fail refuses, Ignore admits', async () => {
    const started = Date.now();
    const e = await rejection(configMaps.create(configMap('hang-fail', 'hang-fail')));
    const failMs = Date.now() - started;
    expect(e.code).toBe(500);
    expect(e.status.message).toMatch(/failed calling webhook "hang-fail\.rxkube\.dev".*the handler did not answer within 1600 ms/);
    // Our server answered (a 500 Status) before the 2 s the configuration allows.
    expect(failMs).toBeLessThan(2000 + 1500);
    const ignored = await configMaps.create(configMap('hang-ignore', 'hang-ignore'));
    expect(ignored.metadata?.name).toBe('hang-ignore');
    expect(logs.filter((l) => l.event === 'handlerTimedOut' && l.route === '/hang').length).toBeGreaterThanOrEqual(2);
  });

  it('stores a v2 Widget as v1 and reads it back as v2 through the conversion webhook, without loss', async () => {
    const crd = withConversionWebhook(widgetCrd(), { url: `${server.url}/convert`, ca: certs.caPem }, widgetConversion);
    await kubectl(['apply', '-f', '-'], { input: JSON.stringify(crd) });
    const crds = Api.cluster(client, CustomResourceDefinition);
    await awaitCondition(crds, names.crd, isCrdEstablished(), { timeout: 60_000 });
    const v2 = Api.namespaced(client, WidgetV2, ns);
    const v1 = Api.namespaced(client, WidgetV1, ns);
    const written: WidgetV2Object = {
      apiVersion: 'conversion.rxkube.dev/v2',
      kind: 'Widget',
      metadata: { name: 'w1', labels: { team: 'a' } },
      spec: { dimensions: { size: 3 }, color: 'blue', tags: ['x', 'y/z'] },
    };
    // A new CRD version is served once discovery and the conversion are set up: retry the first create briefly.
    const created = await eventually(() => v2.create(written), 30_000);
    expect(created.spec).toEqual(written.spec);
    // Read as v1 (the storage version): size moved, tags parked in the annotation.
    const asV1 = await v1.get('w1');
    expect(asV1.apiVersion).toBe('conversion.rxkube.dev/v1');
    expect(asV1.spec).toEqual({ size: 3, color: 'blue' });
    expect(asV1.metadata.annotations?.[TAGS_ANNOTATION]).toBe('["x","y/z"]');
    // Read as v2: everything came back.
    const asV2 = await v2.get('w1');
    expect(asV2.apiVersion).toBe('conversion.rxkube.dev/v2');
    expect(asV2.spec).toEqual(written.spec);
    expect(asV2.metadata.labels).toEqual({ team: 'a' });
    expect(asV2.metadata.annotations).toBeUndefined();
    const storedVersions = (await crds.get(names.crd)).status?.storedVersions;
    expect(storedVersions).toEqual(['v1']);
    // kubectl reads it as v2 as well, and a list converts every item.
    const byKubectl = JSON.parse(await kubectl(['get', 'widgets.v2.conversion.rxkube.dev', 'w1', '-n', ns, '-o', 'json'])) as WidgetV2Object;
    expect(byKubectl.spec).toEqual(written.spec);
    await v1.create({ apiVersion: 'conversion.rxkube.dev/v1', kind: 'Widget', metadata: { name: 'w2' }, spec: { size: 5 } });
    expect((await v2.list()).items.map((w) => [w.metadata.name, w.spec.dimensions.size])).toEqual([['w1', 3], ['w2', 5]]);
    expect(conversions).toBeGreaterThan(0);
  });
});
