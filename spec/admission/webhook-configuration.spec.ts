/** Webhook configurations and admission policies from descriptors: the generated manifests and the refusals. */
import { AdmissionConfigError } from '../../lib/admission/admission-config-error';
import { mutatingAdmissionPolicy, validatingAdmissionPolicy } from '../../lib/admission/admission-policy';
import { mutatingWebhookConfiguration, validatingWebhookConfiguration, type WebhookDefinition } from '../../lib/admission/webhook-configuration';
import { ConfigMap, Deployment, Namespace } from '../../lib/core/builtins';

const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const webhook: WebhookDefinition = {
  name: 'deny.rxkube.dev',
  endpoint: { url: 'https://127.0.0.1:9443/validate', ca },
  rules: [{ type: ConfigMap, operations: ['CREATE', 'UPDATE'] }, { type: Deployment, operations: ['*'], subresources: ['', 'scale'] }, { type: Namespace, operations: ['DELETE'] }],
  matchConditions: [{ name: 'not-system', expression: "!request.userInfo.username.startsWith('system:')" }],
  namespaceSelector: { matchLabels: { 'rxkube.dev/webhooks': 'on' } },
};

function configError(f: () => unknown): AdmissionConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof AdmissionConfigError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('validatingWebhookConfiguration', () => {
  it('writes rules from descriptors and the server defaults out', () => {
    const config = validatingWebhookConfiguration({ name: 'rxkube-deny', webhooks: [webhook] });
    expect(config).toEqual({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'rxkube-deny' },
      webhooks: [
        {
          name: 'deny.rxkube.dev',
          admissionReviewVersions: ['v1'],
          clientConfig: { url: 'https://127.0.0.1:9443/validate', caBundle: Buffer.from(ca).toString('base64') },
          rules: [
            { apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' },
            { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments', 'deployments/scale'], operations: ['*'], scope: 'Namespaced' },
            { apiGroups: [''], apiVersions: ['v1'], resources: ['namespaces'], operations: ['DELETE'], scope: 'Cluster' },
          ],
          failurePolicy: 'Fail',
          sideEffects: 'None',
          timeoutSeconds: 10,
          matchPolicy: 'Equivalent',
          matchConditions: [{ name: 'not-system', expression: "!request.userInfo.username.startsWith('system:')" }],
          namespaceSelector: { matchLabels: { 'rxkube.dev/webhooks': 'on' } },
        },
      ],
    });
  });

  it('adds reinvocationPolicy to mutating webhooks and points at a service', () => {
    const config = mutatingWebhookConfiguration({ name: 'm', webhooks: [{ ...webhook, endpoint: { service: { namespace: 'ops', name: 'hooks', path: '/mutate', port: 8443 } }, reinvocationPolicy: 'IfNeeded', failurePolicy: 'Ignore' }] });
    expect(config.webhooks?.[0]).toMatchObject({ clientConfig: { service: { namespace: 'ops', name: 'hooks', path: '/mutate', port: 8443 } }, reinvocationPolicy: 'IfNeeded', failurePolicy: 'Ignore' });
  });

  it('refuses what the API server would refuse, naming the field', () => {
    const cases: [Partial<WebhookDefinition>, string][] = [
      [{ name: 'deny.local' }, 'webhooks[0].name'],
      [{ timeoutSeconds: 31 }, 'webhooks[0].timeoutSeconds'],
      [{ timeoutSeconds: 0.5 }, 'webhooks[0].timeoutSeconds'],
      [{ sideEffects: 'Some' as never }, 'webhooks[0].sideEffects'],
      [{ failurePolicy: 'Retry' as never }, 'webhooks[0].failurePolicy'],
      [{ endpoint: { url: 'http://127.0.0.1/x' } }, 'webhooks[0].clientConfig.url'],
      [{ endpoint: { url: 'https://127.0.0.1/x?a=1' } }, 'webhooks[0].clientConfig.url'],
      [{ endpoint: { url: 'https://127.0.0.1/x', ca: 'not pem' } }, 'webhooks[0].clientConfig.caBundle'],
      [{ endpoint: { service: { namespace: 'Ops', name: 'h' } } }, 'webhooks[0].clientConfig.service.namespace'],
      [{ endpoint: { service: { namespace: 'ops', name: 'h', path: 'x' } } }, 'webhooks[0].clientConfig.service.path'],
      [{ rules: [] }, 'webhooks[0].rules'],
      [{ rules: [{ type: ConfigMap, operations: ['PATCH' as never] }] }, 'webhooks[0].rules[0].operations'],
      [{ matchConditions: [{ name: 'a', expression: 'true' }, { name: 'a', expression: 'true' }] }, 'webhooks[0].matchConditions[1].name'],
      [{ matchConditions: [{ name: 'a', expression: ' ' }] }, 'webhooks[0].matchConditions[0].expression'],
    ];
    for (const [change, field] of cases) {
      const e = configError(() => validatingWebhookConfiguration({ name: 'c', webhooks: [{ ...webhook, ...change }] }));
      expect([field, e.field, e.message.startsWith(`c: ${field}: `)]).toEqual([field, field, true]);
    }
    expect(configError(() => validatingWebhookConfiguration({ name: 'c', webhooks: [webhook, webhook] })).field).toBe('webhooks[1].name');
    expect(configError(() => validatingWebhookConfiguration({ name: 'c', webhooks: [] })).field).toBe('webhooks');
  });
});

describe('validatingAdmissionPolicy', () => {
  const init = {
    name: 'configmap-no-passwords',
    match: { rules: [{ type: ConfigMap, operations: ['CREATE', 'UPDATE'] as const }] },
    validations: [{ expression: "!has(object.data) || !('password' in object.data)", message: 'ConfigMaps must not hold passwords' }],
  };

  it('makes the policy and a Deny binding', () => {
    const { policy, binding } = validatingAdmissionPolicy(init);
    expect(policy).toEqual({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'configmap-no-passwords' },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' }],
          matchPolicy: 'Equivalent',
          namespaceSelector: {},
          objectSelector: {},
        },
        validations: [{ expression: "!has(object.data) || !('password' in object.data)", message: 'ConfigMaps must not hold passwords' }],
      },
    });
    expect(binding).toEqual({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'configmap-no-passwords-binding' },
      spec: { policyName: 'configmap-no-passwords', validationActions: ['Deny'] },
    });
  });

  it('refuses bad names, empty expressions, Deny with Warn, and duplicate variables', () => {
    expect(configError(() => validatingAdmissionPolicy({ ...init, name: 'Bad_Name' })).field).toBe('metadata.name');
    expect(configError(() => validatingAdmissionPolicy({ ...init, validations: [{ expression: '' }] })).field).toBe('spec.validations[0].expression');
    expect(configError(() => validatingAdmissionPolicy({ ...init, validations: [] })).field).toBe('spec.validations');
    expect(configError(() => validatingAdmissionPolicy({ ...init, validationActions: ['Deny', 'Warn'] })).message).toMatch(/Deny and Warn may not be used together/);
    expect(configError(() => validatingAdmissionPolicy({ ...init, variables: [{ name: 'x', expression: '1' }, { name: 'x', expression: '2' }] })).field).toBe('spec.variables[1].name');
    expect(configError(() => validatingAdmissionPolicy({ ...init, variables: [{ name: 'a-b', expression: '1' }] })).field).toBe('spec.variables[0].name');
  });
});

describe('mutatingAdmissionPolicy', () => {
  it('makes the policy and its binding', () => {
    const { policy, binding } = mutatingAdmissionPolicy({
      name: 'label-checked',
      match: { rules: [{ type: ConfigMap, operations: ['CREATE'] }] },
      mutations: [{ patchType: 'ApplyConfiguration', expression: "Object{metadata: Object.metadata{labels: {'checked': 'yes'}}}" }],
    });
    expect(policy.spec).toMatchObject({
      failurePolicy: 'Fail',
      reinvocationPolicy: 'Never',
      mutations: [{ patchType: 'ApplyConfiguration', applyConfiguration: { expression: "Object{metadata: Object.metadata{labels: {'checked': 'yes'}}}" } }],
    });
    expect(binding).toEqual({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingAdmissionPolicyBinding', metadata: { name: 'label-checked-binding' }, spec: { policyName: 'label-checked' } });
  });
});
