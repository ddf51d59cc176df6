// Admission policies without a webhook, against the real kube-apiserver v1.36 (which serves
// ValidatingAdmissionPolicy and MutatingAdmissionPolicy at admissionregistration.k8s.io/v1): the CEL of a
// generated policy is proved to compile by a dry run before anything is stored, a broken expression is
// refused naming its field, the server's type check reports a field the kind does not have, and the stored
// policies reject (with their CEL message) and mutate ConfigMaps with no webhook server running.
import { AdmissionConfigError, mutatingAdmissionPolicy, typeCheckWarnings, validatingAdmissionPolicy, verifyAdmissionPolicy } from '../../../lib/admission/index.js';
import { Api } from '../../../lib/client/api.js';
import { Client } from '../../../lib/client/client.js';
import { ApiError } from '../../../lib/client/errors.js';
import { ConfigMap, MutatingAdmissionPolicy, MutatingAdmissionPolicyBinding, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from '../../../lib/core/builtins.js';
import { configFromKubeconfig } from '../../../lib/config/from-kubeconfig.js';
import { kubeconfigPath, kubectl, KubectlError, useNamespace } from '../support/cluster.js';

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

describe('admission policies without a webhook (e2e)', () => {
  const ns = useNamespace('policy');
  const suffix = ns.split('-').pop() as string;
  const client = new Client(configFromKubeconfig({ path: kubeconfigPath() }));
  const configMaps = Api.namespaced(client, ConfigMap, ns);
  const inNamespace = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } };
  const made: [typeof ValidatingAdmissionPolicy | typeof ValidatingAdmissionPolicyBinding | typeof MutatingAdmissionPolicy | typeof MutatingAdmissionPolicyBinding, string][] = [];

  afterAll(async () => {
    for (const [type, name] of made.reverse()) await Api.cluster(client, type as typeof ValidatingAdmissionPolicy).delete(name).catch(() => undefined);
  });

  it('finds both policy kinds in discovery at admissionregistration.k8s.io/v1', async () => {
    const resources = await kubectl(['api-resources', '--api-group=admissionregistration.k8s.io', '-o', 'name']);
    expect(resources.split('\n').filter(Boolean).sort()).toEqual(
      ['mutatingadmissionpolicies', 'mutatingadmissionpolicybindings', 'mutatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'validatingwebhookconfigurations'].map((r) => `${r}.admissionregistration.k8s.io`),
    );
  });

  it('refuses a policy whose CEL does not compile, naming the expression, before storing anything', async () => {
    const { policy } = validatingAdmissionPolicy({
      name: `rxkube-broken-${suffix}`,
      match: { rules: [{ type: ConfigMap, operations: ['CREATE'] }] },
      validations: [{ expression: 'size(object.data) <= 3' }, { expression: 'object.data.exists(k, k ==' }],
    });
    let caught: unknown;
    try {
      await verifyAdmissionPolicy(client, policy);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AdmissionConfigError);
    const error = caught as AdmissionConfigError;
    expect([error.reason, error.field]).toEqual(['notCompiled', 'spec.validations[1].expression']);
    expect(error.message).toMatch(/compilation failed/);
    expect(await Api.cluster(client, ValidatingAdmissionPolicy).getOpt(policy.metadata!.name!)).toBeUndefined();
  });

  it('rejects a ConfigMap with the CEL message of a generated ValidatingAdmissionPolicy, no webhook running', async () => {
    const name = `rxkube-no-passwords-${suffix}`;
    const { policy, binding } = validatingAdmissionPolicy({
      name,
      match: { rules: [{ type: ConfigMap, operations: ['CREATE', 'UPDATE'] }] },
      variables: [{ name: 'keys', expression: 'has(object.data) ? object.data.map(k, k) : []' }],
      validations: [{ expression: "!variables.keys.exists(k, k.contains('password'))", messageExpression: "'ConfigMap ' + object.metadata.name + ' must not hold a password; use a Secret'", reason: 'Invalid' }],
      binding: { match: { rules: [{ type: ConfigMap, operations: ['CREATE', 'UPDATE'] }], ...inNamespace } },
    });
    await verifyAdmissionPolicy(client, policy, binding);
    await Api.cluster(client, ValidatingAdmissionPolicy).create(policy);
    made.push([ValidatingAdmissionPolicy, name]);
    await Api.cluster(client, ValidatingAdmissionPolicyBinding).create(binding);
    made.push([ValidatingAdmissionPolicyBinding, binding.metadata!.name!]);
    expect(await typeCheckWarnings(client, name)).toEqual([]);

    const bad: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'creds' }, data: { db_password: 'x' } };
    const error = await eventually(async () => {
      try {
        await configMaps.create(bad, { dryRun: true });
      } catch (e) {
        if (e instanceof ApiError) return e;
        throw e;
      }
      throw new Error('the policy is not in force yet');
    });
    expect(error.code).toBe(422);
    expect(error.status.message).toContain('ConfigMap creds must not hold a password; use a Secret');
    let stderr = '';
    try {
      await kubectl(['create', 'configmap', 'creds', '-n', ns, '--from-literal=db_password=x']);
    } catch (e) {
      stderr = (e as KubectlError).stderr;
    }
    expect(stderr).toContain(`ValidatingAdmissionPolicy '${name}' with binding '${binding.metadata!.name}' denied request: ConfigMap creds must not hold a password; use a Secret`);
    expect((await configMaps.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fine' }, data: { a: '1' } })).metadata?.name).toBe('fine');
  });

  it("reports the server's type-check warning for a field the matched kind does not have", async () => {
    const name = `rxkube-typo-${suffix}`;
    const { policy } = validatingAdmissionPolicy({
      name,
      match: { rules: [{ type: ConfigMap, operations: ['CREATE'] }] },
      validations: [{ expression: 'object.spec.replicas < 5' }],
    });
    await verifyAdmissionPolicy(client, policy); // compiles: the type check needs the schema of the matched kind
    await Api.cluster(client, ValidatingAdmissionPolicy).create(policy);
    made.push([ValidatingAdmissionPolicy, name]);
    const warnings = await typeCheckWarnings(client, name, { timeoutMs: 60_000 });
    expect(warnings).toEqual([expect.objectContaining({ fieldRef: 'spec.validations[0].expression', warning: expect.stringMatching(/undefined field 'spec'/) })]);
  });

  it('adds a label with a generated MutatingAdmissionPolicy, no webhook running', async () => {
    const name = `rxkube-label-${suffix}`;
    const { policy, binding } = mutatingAdmissionPolicy({
      name,
      match: { rules: [{ type: ConfigMap, operations: ['CREATE'] }] },
      mutations: [{ patchType: 'ApplyConfiguration', expression: "Object{metadata: Object.metadata{labels: {'rxkube.dev/policy': 'mutated'}}}" }],
      binding: { match: { rules: [{ type: ConfigMap, operations: ['CREATE'] }], ...inNamespace } },
    });
    await verifyAdmissionPolicy(client, policy, binding);
    await Api.cluster(client, MutatingAdmissionPolicy).create(policy);
    made.push([MutatingAdmissionPolicy, name]);
    await Api.cluster(client, MutatingAdmissionPolicyBinding).create(binding);
    made.push([MutatingAdmissionPolicyBinding, binding.metadata!.name!]);
    const labelled = await eventually(async () => {
      const created = await configMaps.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `probe-${Date.now()}` } }, { dryRun: true });
      if (created.metadata?.labels?.['rxkube.dev/policy'] !== 'mutated') throw new Error('the mutating policy is not in force yet');
      return created;
    });
    expect(labelled.metadata?.labels).toEqual({ 'rxkube.dev/policy': 'mutated' });
    const stored = await configMaps.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'labelled' } });
    expect((await configMaps.get(stored.metadata!.name!)).metadata?.labels).toEqual({ 'rxkube.dev/policy': 'mutated' });
  });
});
