/**
 * Admission policies that need no webhook: ValidatingAdmissionPolicy + Binding and MutatingAdmissionPolicy
 * + Binding (admissionregistration.k8s.io/v1; served by the v1.36 API server), generated from a TypeScript
 * description whose checks are CEL expressions evaluated inside the API server. Names, actions and the
 * shape are checked here; whether the CEL compiles is proved by the API server (see `verifyAdmissionPolicy`).
 *
 * @module
 */
import type * as admission from '../core/api/admissionregistration/v1.js';
import type { LabelSelector, ObjectMeta } from '../core/api/meta/v1.js';
import type { ResourceType } from '../core/resource.js';
import { AdmissionConfigError } from './admission-config-error.js';
import { admissionRules, matchConditions, type MatchCondition, type WebhookRule } from './webhook-configuration.js';

/**
 * One CEL check of a ValidatingAdmissionPolicy: `expression` must evaluate to true; otherwise the request
 * fails with `message` (or the string `messageExpression` evaluates to).
 *
 * ## Example
 * ```ts
 * const v: PolicyValidation = { expression: "!has(object.data) || !('password' in object.data)", message: 'no passwords in ConfigMaps', reason: 'Invalid' };
 * ```
 */
export interface PolicyValidation {
  readonly expression: string;
  readonly message?: string;
  readonly messageExpression?: string;
  /** @default 'Invalid' on the server */
  readonly reason?: 'Unauthorized' | 'Forbidden' | 'Invalid' | 'RequestEntityTooLarge';
}

/** A named CEL expression available to later expressions as `variables.<name>`. */
export interface PolicyVariable {
  readonly name: string;
  readonly expression: string;
}

/**
 * Where a policy applies, from descriptors, plus selectors.
 *
 * ## Example
 * ```ts
 * const on: PolicyMatch = { rules: [{ type: ConfigMap, operations: ['CREATE', 'UPDATE'] }], namespaceSelector: { matchLabels: { team: 'a' } } };
 * ```
 */
export interface PolicyMatch {
  readonly rules: readonly WebhookRule[];
  readonly namespaceSelector?: LabelSelector;
  readonly objectSelector?: LabelSelector;
  /** @default 'Equivalent' */
  readonly matchPolicy?: 'Exact' | 'Equivalent';
}

/**
 * The binding that puts a policy in force (one binding per policy here; add more by hand if needed).
 *
 * ## Example
 * ```ts
 * const b: PolicyBindingInit = { validationActions: ['Deny'], match: { rules: [...], namespaceSelector: { matchLabels: { env: 'prod' } } } };
 * ```
 */
export interface PolicyBindingInit {
  /** @default `<policy name>-binding` */
  readonly name?: string;
  /** Narrows where the policy applies (within the policy's own match). */
  readonly match?: PolicyMatch;
  readonly paramRef?: admission.ParamRef;
}

/**
 * A ValidatingAdmissionPolicy described in TypeScript.
 *
 * ## Example
 * ```ts
 * const { policy, binding } = validatingAdmissionPolicy({
 *   name: 'configmap-no-passwords',
 *   match: { rules: [{ type: ConfigMap, operations: ['CREATE', 'UPDATE'] }] },
 *   validations: [{ expression: "!has(object.data) || !('password' in object.data)", message: 'ConfigMaps must not hold passwords' }],
 * });
 * ```
 */
export interface ValidatingAdmissionPolicyInit {
  readonly name: string;
  readonly match: PolicyMatch;
  readonly validations: readonly PolicyValidation[];
  readonly variables?: readonly PolicyVariable[];
  readonly matchConditions?: readonly MatchCondition[];
  readonly auditAnnotations?: readonly { key: string; valueExpression: string }[];
  /** @default 'Fail' */
  readonly failurePolicy?: 'Fail' | 'Ignore';
  readonly paramKind?: ResourceType;
  readonly labels?: Readonly<Record<string, string>>;
  /** @default ['Deny'] */
  readonly validationActions?: readonly ('Deny' | 'Warn' | 'Audit')[];
  readonly binding?: PolicyBindingInit;
}

/**
 * One mutation of a MutatingAdmissionPolicy: a CEL expression that yields an apply configuration
 * (`Object{ metadata: Object.metadata{ labels: {'a': 'b'} } }`) or a list of JSON patch operations.
 *
 * ## Example
 * ```ts
 * const m: PolicyMutation = { patchType: 'ApplyConfiguration', expression: "Object{metadata: Object.metadata{labels: {'checked': 'yes'}}}" };
 * ```
 */
export interface PolicyMutation {
  readonly patchType: 'ApplyConfiguration' | 'JSONPatch';
  readonly expression: string;
}

/**
 * A MutatingAdmissionPolicy described in TypeScript.
 *
 * ## Example
 * ```ts
 * const { policy, binding } = mutatingAdmissionPolicy({ name: 'add-checked', match, mutations: [mutation] });
 * ```
 */
export interface MutatingAdmissionPolicyInit {
  readonly name: string;
  readonly match: PolicyMatch;
  readonly mutations: readonly PolicyMutation[];
  readonly variables?: readonly PolicyVariable[];
  readonly matchConditions?: readonly MatchCondition[];
  /** @default 'Fail' */
  readonly failurePolicy?: 'Fail' | 'Ignore';
  /** @default 'Never' */
  readonly reinvocationPolicy?: 'Never' | 'IfNeeded';
  readonly paramKind?: ResourceType;
  readonly labels?: Readonly<Record<string, string>>;
  readonly binding?: PolicyBindingInit;
}

/** admissionregistration.k8s.io/v1 MutatingAdmissionPolicy (hand-written here; the generated admissionregistrationV1 types declare it too). */
export interface MutatingAdmissionPolicyObject {
  apiVersion: 'admissionregistration.k8s.io/v1';
  kind: 'MutatingAdmissionPolicy';
  metadata: ObjectMeta;
  spec: {
    paramKind?: admission.ParamKind;
    matchConstraints: admission.MatchResources;
    variables?: admission.Variable[];
    mutations: ({ patchType: 'ApplyConfiguration'; applyConfiguration: { expression: string } } | { patchType: 'JSONPatch'; jsonPatch: { expression: string } })[];
    failurePolicy: 'Fail' | 'Ignore';
    matchConditions?: admission.MatchCondition[];
    reinvocationPolicy: 'Never' | 'IfNeeded';
  };
}

/** admissionregistration.k8s.io/v1 MutatingAdmissionPolicyBinding. */
export interface MutatingAdmissionPolicyBindingObject {
  apiVersion: 'admissionregistration.k8s.io/v1';
  kind: 'MutatingAdmissionPolicyBinding';
  metadata: ObjectMeta;
  spec: { policyName: string; paramRef?: admission.ParamRef; matchResources?: admission.MatchResources };
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkName(name: string, field: string, object: string): void {
  if (!NAME.test(name) || name.length > 253) throw new AdmissionConfigError('invalidField', object, field, `${JSON.stringify(name)} is not a DNS subdomain name`);
}

function matchResources(match: PolicyMatch, object: string, field: string): admission.MatchResources {
  return {
    resourceRules: admissionRules(match.rules, object, `${field}.resourceRules`),
    matchPolicy: match.matchPolicy ?? 'Equivalent',
    namespaceSelector: match.namespaceSelector ?? {},
    objectSelector: match.objectSelector ?? {},
  };
}

function variables(vars: readonly PolicyVariable[], object: string): admission.Variable[] {
  const seen = new Set<string>();
  return vars.map((v, i) => {
    if (!VARIABLE.test(v.name)) throw new AdmissionConfigError('invalidField', object, `spec.variables[${i}].name`, `${JSON.stringify(v.name)} is not a CEL identifier`);
    if (seen.has(v.name)) throw new AdmissionConfigError('duplicateName', object, `spec.variables[${i}].name`, `${JSON.stringify(v.name)} is used twice`);
    seen.add(v.name);
    if (v.expression.trim() === '') throw new AdmissionConfigError('invalidField', object, `spec.variables[${i}].expression`, 'is empty');
    return { name: v.name, expression: v.expression };
  });
}

function common(init: { name: string; variables?: readonly PolicyVariable[]; matchConditions?: readonly MatchCondition[]; paramKind?: ResourceType; failurePolicy?: string }) {
  checkName(init.name, 'metadata.name', init.name);
  const failurePolicy = init.failurePolicy ?? 'Fail';
  if (failurePolicy !== 'Fail' && failurePolicy !== 'Ignore') throw new AdmissionConfigError('invalidField', init.name, 'spec.failurePolicy', `must be Fail or Ignore, not ${JSON.stringify(failurePolicy)}`);
  return {
    failurePolicy: failurePolicy as 'Fail' | 'Ignore',
    ...(init.paramKind === undefined ? {} : { paramKind: { apiVersion: init.paramKind.apiVersion, kind: init.paramKind.kind } }),
    ...(init.variables === undefined || init.variables.length === 0 ? {} : { variables: variables(init.variables, init.name) }),
    ...(init.matchConditions === undefined || init.matchConditions.length === 0 ? {} : { matchConditions: matchConditions(init.matchConditions, init.name, 'spec.matchConditions') }),
  };
}

function bindingSpec(policy: string, binding: PolicyBindingInit | undefined) {
  const name = binding?.name ?? `${policy}-binding`;
  checkName(name, 'metadata.name', name);
  return {
    name,
    spec: {
      policyName: policy,
      ...(binding?.paramRef === undefined ? {} : { paramRef: binding.paramRef }),
      ...(binding?.match === undefined ? {} : { matchResources: matchResources(binding.match, name, 'spec.matchResources') }),
    },
  };
}

/**
 * A ValidatingAdmissionPolicy and the binding that enforces it. Throws {@link AdmissionConfigError}.
 *
 * ## Example
 * ```ts
 * const { policy, binding } = validatingAdmissionPolicy({
 *   name: 'small-configmaps',
 *   match: { rules: [{ type: ConfigMap, operations: ['CREATE', 'UPDATE'] }] },
 *   validations: [{ expression: '!has(object.data) || size(object.data) <= 3', messageExpression: "'at most 3 keys, not ' + string(size(object.data))" }],
 * });
 * await verifyAdmissionPolicy(client, policy); // the API server compiles the CEL in a dry run
 * ```
 */
export function validatingAdmissionPolicy(init: ValidatingAdmissionPolicyInit): { policy: admission.ValidatingAdmissionPolicy; binding: admission.ValidatingAdmissionPolicyBinding } {
  const base = common(init);
  if (init.validations.length === 0 && (init.auditAnnotations ?? []).length === 0) {
    throw new AdmissionConfigError('invalidField', init.name, 'spec.validations', 'needs at least one validation (or audit annotation)');
  }
  const validations = init.validations.map((v, i) => {
    if (v.expression.trim() === '') throw new AdmissionConfigError('invalidField', init.name, `spec.validations[${i}].expression`, 'is empty');
    if (v.message !== undefined && /[\r\n]/.test(v.message)) throw new AdmissionConfigError('invalidField', init.name, `spec.validations[${i}].message`, 'must be one line');
    return {
      expression: v.expression,
      ...(v.message === undefined ? {} : { message: v.message }),
      ...(v.messageExpression === undefined ? {} : { messageExpression: v.messageExpression }),
      ...(v.reason === undefined ? {} : { reason: v.reason }),
    };
  });
  const actions = init.validationActions ?? ['Deny'];
  if (actions.length === 0 || new Set(actions).size !== actions.length || actions.some((a) => !['Deny', 'Warn', 'Audit'].includes(a))) {
    throw new AdmissionConfigError('invalidField', init.name, 'spec.validationActions', `must be distinct values of Deny, Warn, Audit, not ${JSON.stringify(actions)}`);
  }
  if (actions.includes('Deny') && actions.includes('Warn')) {
    throw new AdmissionConfigError('invalidField', init.name, 'spec.validationActions', 'Deny and Warn may not be used together');
  }
  const { name: bindingName, spec } = bindingSpec(init.name, init.binding);
  const labels = init.labels === undefined ? {} : { labels: { ...init.labels } };
  return {
    policy: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: init.name, ...labels },
      spec: {
        ...base,
        matchConstraints: matchResources(init.match, init.name, 'spec.matchConstraints'),
        validations,
        ...(init.auditAnnotations === undefined || init.auditAnnotations.length === 0 ? {} : { auditAnnotations: init.auditAnnotations.map((a) => ({ ...a })) }),
      },
    },
    binding: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: bindingName, ...labels },
      spec: { ...spec, validationActions: [...actions] },
    },
  };
}

/**
 * A MutatingAdmissionPolicy and its binding (admissionregistration.k8s.io/v1, served by Kubernetes 1.36).
 * Throws {@link AdmissionConfigError}.
 *
 * ## Example
 * ```ts
 * const { policy, binding } = mutatingAdmissionPolicy({
 *   name: 'label-checked',
 *   match: { rules: [{ type: ConfigMap, operations: ['CREATE'] }] },
 *   mutations: [{ patchType: 'ApplyConfiguration', expression: "Object{metadata: Object.metadata{labels: {'checked': 'yes'}}}" }],
 * });
 * ```
 */
export function mutatingAdmissionPolicy(init: MutatingAdmissionPolicyInit): { policy: MutatingAdmissionPolicyObject; binding: MutatingAdmissionPolicyBindingObject } {
  const base = common(init);
  if (init.mutations.length === 0) throw new AdmissionConfigError('invalidField', init.name, 'spec.mutations', 'needs at least one mutation');
  const mutations = init.mutations.map((m, i) => {
    if (m.expression.trim() === '') throw new AdmissionConfigError('invalidField', init.name, `spec.mutations[${i}].expression`, 'is empty');
    if (m.patchType === 'ApplyConfiguration') return { patchType: 'ApplyConfiguration' as const, applyConfiguration: { expression: m.expression } };
    if (m.patchType === 'JSONPatch') return { patchType: 'JSONPatch' as const, jsonPatch: { expression: m.expression } };
    throw new AdmissionConfigError('invalidField', init.name, `spec.mutations[${i}].patchType`, `must be ApplyConfiguration or JSONPatch, not ${JSON.stringify((m as { patchType: unknown }).patchType)}`);
  });
  const { name: bindingName, spec } = bindingSpec(init.name, init.binding);
  const labels = init.labels === undefined ? {} : { labels: { ...init.labels } };
  return {
    policy: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingAdmissionPolicy',
      metadata: { name: init.name, ...labels },
      spec: {
        ...base,
        matchConstraints: matchResources(init.match, init.name, 'spec.matchConstraints'),
        mutations,
        reinvocationPolicy: init.reinvocationPolicy ?? 'Never',
      },
    },
    binding: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingAdmissionPolicyBinding', metadata: { name: bindingName, ...labels }, spec },
  };
}
