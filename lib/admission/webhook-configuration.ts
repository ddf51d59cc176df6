/**
 * ValidatingWebhookConfiguration and MutatingWebhookConfiguration from resource descriptors: rules come
 * from each descriptor's group, version, plural and scope; failurePolicy, sideEffects, timeoutSeconds,
 * matchConditions (CEL), namespace and object selectors and the CA bundle are set in one place with the
 * API server's defaults written out. What the API server would refuse is refused here first, with the field.
 *
 * @module
 */
import type * as admission from '../core/api/admissionregistration/v1.js';
import type { LabelSelector } from '../core/api/meta/v1.js';
import type { ResourceType } from '../core/resource.js';
import { AdmissionConfigError } from './admission-config-error.js';
import type { AdmissionOperation } from './admission-review.js';
import { base64Encode } from './base64.js';

/**
 * Where the API server reaches a webhook: a URL (https, no query or fragment), or a Service in the
 * cluster. `ca` is the PEM text of the CA that signed the webhook's serving certificate (it is base64
 * encoded into `caBundle`); without it the API server's system roots are used.
 *
 * ## Example
 * ```ts
 * const local: WebhookEndpoint = { url: 'https://127.0.0.1:9443/validate', ca: readFileSync('ca.crt', 'utf8') };
 * const inCluster: WebhookEndpoint = { service: { namespace: 'ops', name: 'hooks', path: '/validate' }, ca };
 * ```
 */
export type WebhookEndpoint =
  | { readonly url: string; readonly ca?: string }
  | { readonly service: { readonly namespace: string; readonly name: string; readonly port?: number; readonly path?: string }; readonly ca?: string };

/**
 * Which requests a webhook is called for: one descriptor, its operations, and optionally subresources
 * (`status`; the main resource is then not included unless `''` is listed).
 *
 * ## Example
 * ```ts
 * const rule: WebhookRule = { type: ConfigMap, operations: ['CREATE', 'UPDATE'] };
 * ```
 */
export interface WebhookRule {
  readonly type: ResourceType;
  readonly operations: readonly (AdmissionOperation | '*')[];
  readonly subresources?: readonly string[];
}

/** A CEL condition the request must meet for the webhook to be called (all must be true). */
export interface MatchCondition {
  readonly name: string;
  readonly expression: string;
}

/**
 * One webhook of a configuration. Defaults: failurePolicy `Fail`, sideEffects `None`, timeoutSeconds
 * 10, matchPolicy `Equivalent`, admissionReviewVersions `['v1']`.
 *
 * ## Example
 * ```ts
 * const webhook: WebhookDefinition = {
 *   name: 'no-passwords.example.com',
 *   endpoint: { url: 'https://127.0.0.1:9443/validate', ca },
 *   rules: [{ type: ConfigMap, operations: ['CREATE', 'UPDATE'] }],
 *   failurePolicy: 'Fail',
 *   timeoutSeconds: 5,
 *   matchConditions: [{ name: 'not-system', expression: "!request.userInfo.username.startsWith('system:')" }],
 * };
 * ```
 */
export interface WebhookDefinition {
  /** Fully qualified, at least three DNS labels (`deny.example.com`). */
  readonly name: string;
  readonly endpoint: WebhookEndpoint;
  readonly rules: readonly WebhookRule[];
  /** What happens when the webhook cannot be called or fails (error, timeout, HTTP 500). @default 'Fail' */
  readonly failurePolicy?: 'Fail' | 'Ignore';
  /** `NoneOnDryRun` declares the webhook skips its side effects when `request.dryRun` is true. @default 'None' */
  readonly sideEffects?: 'None' | 'NoneOnDryRun';
  /** 1 to 30. @default 10 */
  readonly timeoutSeconds?: number;
  readonly matchConditions?: readonly MatchCondition[];
  readonly namespaceSelector?: LabelSelector;
  readonly objectSelector?: LabelSelector;
  /** @default 'Equivalent' */
  readonly matchPolicy?: 'Exact' | 'Equivalent';
}

/**
 * A mutating webhook: a {@link WebhookDefinition} plus the reinvocation policy.
 *
 * ## Example
 * ```ts
 * const m: MutatingWebhookDefinition = { ...webhook, reinvocationPolicy: 'IfNeeded' };
 * ```
 */
export interface MutatingWebhookDefinition extends WebhookDefinition {
  /** @default 'Never' */
  readonly reinvocationPolicy?: 'Never' | 'IfNeeded';
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT', '*']);

/**
 * The `clientConfig` of a webhook or a CRD conversion webhook for an endpoint, checked.
 *
 * ## Example
 * ```ts
 * webhookClientConfig({ url: 'https://127.0.0.1:9443/convert', ca }, 'widgets.example.com', 'spec.conversion.webhook.clientConfig');
 * // { url: 'https://127.0.0.1:9443/convert', caBundle: 'LS0t...' }
 * ```
 */
export function webhookClientConfig(endpoint: WebhookEndpoint, object: string, field: string): admission.WebhookClientConfig {
  const bad = (sub: string, message: string): never => {
    throw new AdmissionConfigError('invalidField', object, `${field}.${sub}`, message);
  };
  const out: admission.WebhookClientConfig = {};
  if ('url' in endpoint) {
    let url: URL;
    try {
      url = new URL(endpoint.url);
    } catch {
      return bad('url', `${JSON.stringify(endpoint.url)} is not a URL`);
    }
    if (url.protocol !== 'https:') bad('url', `must use https, not ${url.protocol.replace(':', '')}`);
    if (url.search !== '' || url.hash !== '') bad('url', 'must not have a query or fragment');
    if (url.username !== '' || url.password !== '') bad('url', 'must not hold user information');
    out.url = endpoint.url;
  } else {
    const { namespace, name, port, path } = endpoint.service;
    if (!DNS_LABEL.test(namespace)) bad('service.namespace', `${JSON.stringify(namespace)} is not a namespace name`);
    if (!DNS_LABEL.test(name)) bad('service.name', `${JSON.stringify(name)} is not a service name`);
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) bad('service.port', `${port} is not a port (1-65535)`);
    if (path !== undefined && !path.startsWith('/')) bad('service.path', `${JSON.stringify(path)} must start with /`);
    out.service = { namespace, name, ...(port === undefined ? {} : { port }), ...(path === undefined ? {} : { path }) };
  }
  if (endpoint.ca !== undefined) {
    if (!endpoint.ca.includes('-----BEGIN CERTIFICATE-----')) bad('caBundle', 'the ca must be PEM text holding at least one CERTIFICATE block');
    out.caBundle = base64Encode(endpoint.ca);
  }
  return out;
}

/**
 * The admission rules of a list of {@link WebhookRule}s (also used by admission policies).
 *
 * ## Example
 * ```ts
 * admissionRules([{ type: Deployment, operations: ['CREATE'], subresources: ['scale'] }], 'x', 'webhooks[0].rules');
 * // [{ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments/scale'], operations: ['CREATE'], scope: 'Namespaced' }]
 * ```
 */
export function admissionRules(rules: readonly WebhookRule[], object: string, field: string): admission.RuleWithOperations[] {
  if (rules.length === 0) throw new AdmissionConfigError('invalidField', object, field, 'needs at least one rule');
  return rules.map((rule, i) => {
    if (rule.operations.length === 0) throw new AdmissionConfigError('invalidField', object, `${field}[${i}].operations`, 'needs at least one operation');
    for (const op of rule.operations) {
      if (!OPERATIONS.has(op)) throw new AdmissionConfigError('invalidField', object, `${field}[${i}].operations`, `${JSON.stringify(op)} is not CREATE, UPDATE, DELETE, CONNECT or *`);
    }
    const subs = rule.subresources ?? [''];
    return {
      apiGroups: [rule.type.group],
      apiVersions: [rule.type.version],
      resources: subs.map((s) => (s === '' ? rule.type.plural : `${rule.type.plural}/${s}`)),
      operations: [...rule.operations],
      scope: rule.type.scope,
    };
  });
}

/**
 * Checks a list of CEL match conditions (names unique qualified names, expressions non-empty, at most 64).
 *
 * ## Example
 * ```ts
 * matchConditions([{ name: 'not-system', expression: "!request.userInfo.username.startsWith('system:')" }], 'x', 'webhooks[0].matchConditions');
 * ```
 */
export function matchConditions(conditions: readonly MatchCondition[], object: string, field: string): admission.MatchCondition[] {
  if (conditions.length > 64) throw new AdmissionConfigError('invalidField', object, field, `at most 64 conditions, not ${conditions.length}`);
  const seen = new Set<string>();
  return conditions.map((c, i) => {
    if (!QUALIFIED_NAME.test(c.name) || c.name.length > 63) throw new AdmissionConfigError('invalidField', object, `${field}[${i}].name`, `${JSON.stringify(c.name)} is not a qualified name`);
    if (seen.has(c.name)) throw new AdmissionConfigError('duplicateName', object, `${field}[${i}].name`, `${JSON.stringify(c.name)} is used twice`);
    seen.add(c.name);
    if (c.expression.trim() === '') throw new AdmissionConfigError('invalidField', object, `${field}[${i}].expression`, 'is empty');
    return { name: c.name, expression: c.expression };
  });
}

function webhook(def: WebhookDefinition, config: string, at: string): admission.ValidatingWebhook {
  const labels = def.name.split('.');
  if (labels.length < 3 || !labels.every((l) => DNS_LABEL.test(l)) || def.name.length > 253) {
    throw new AdmissionConfigError('invalidField', config, `${at}.name`, `${JSON.stringify(def.name)} must be a fully qualified DNS name of at least three labels (deny.example.com)`);
  }
  const timeoutSeconds = def.timeoutSeconds ?? 10;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 30) {
    throw new AdmissionConfigError('invalidField', config, `${at}.timeoutSeconds`, `must be a whole number of seconds from 1 to 30, not ${timeoutSeconds}`);
  }
  const sideEffects = def.sideEffects ?? 'None';
  if (sideEffects !== 'None' && sideEffects !== 'NoneOnDryRun') {
    throw new AdmissionConfigError('invalidField', config, `${at}.sideEffects`, `admissionregistration.k8s.io/v1 accepts None or NoneOnDryRun, not ${JSON.stringify(sideEffects)}`);
  }
  const failurePolicy = def.failurePolicy ?? 'Fail';
  if (failurePolicy !== 'Fail' && failurePolicy !== 'Ignore') throw new AdmissionConfigError('invalidField', config, `${at}.failurePolicy`, `must be Fail or Ignore, not ${JSON.stringify(failurePolicy)}`);
  return {
    name: def.name,
    admissionReviewVersions: ['v1'],
    clientConfig: webhookClientConfig(def.endpoint, config, `${at}.clientConfig`),
    rules: admissionRules(def.rules, config, `${at}.rules`),
    failurePolicy,
    sideEffects,
    timeoutSeconds,
    matchPolicy: def.matchPolicy ?? 'Equivalent',
    ...(def.matchConditions === undefined || def.matchConditions.length === 0 ? {} : { matchConditions: matchConditions(def.matchConditions, config, `${at}.matchConditions`) }),
    ...(def.namespaceSelector === undefined ? {} : { namespaceSelector: def.namespaceSelector }),
    ...(def.objectSelector === undefined ? {} : { objectSelector: def.objectSelector }),
  };
}

function webhooks<D extends WebhookDefinition>(name: string, defs: readonly D[], extra: (d: D) => object): admission.ValidatingWebhook[] {
  if (defs.length === 0) throw new AdmissionConfigError('invalidField', name, 'webhooks', 'needs at least one webhook');
  const seen = new Set<string>();
  return defs.map((d, i) => {
    if (seen.has(d.name)) throw new AdmissionConfigError('duplicateName', name, `webhooks[${i}].name`, `${JSON.stringify(d.name)} is used twice`);
    seen.add(d.name);
    return { ...webhook(d, name, `webhooks[${i}]`), ...extra(d) };
  });
}

/**
 * A ValidatingWebhookConfiguration (admissionregistration.k8s.io/v1). Throws {@link AdmissionConfigError}.
 *
 * ## Example
 * ```ts
 * const config = validatingWebhookConfiguration({ name: 'no-passwords', webhooks: [webhook] });
 * await Api.cluster(client, ValidatingWebhookConfiguration).create(config);
 * ```
 */
export function validatingWebhookConfiguration(init: { name: string; labels?: Readonly<Record<string, string>>; webhooks: readonly WebhookDefinition[] }): admission.ValidatingWebhookConfiguration {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: init.name, ...(init.labels === undefined ? {} : { labels: { ...init.labels } }) },
    webhooks: webhooks(init.name, init.webhooks, () => ({})),
  };
}

/**
 * A MutatingWebhookConfiguration (admissionregistration.k8s.io/v1). Throws {@link AdmissionConfigError}.
 *
 * ## Example
 * ```ts
 * const config = mutatingWebhookConfiguration({ name: 'add-team', webhooks: [{ ...webhook, reinvocationPolicy: 'IfNeeded' }] });
 * ```
 */
export function mutatingWebhookConfiguration(init: { name: string; labels?: Readonly<Record<string, string>>; webhooks: readonly MutatingWebhookDefinition[] }): admission.MutatingWebhookConfiguration {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: init.name, ...(init.labels === undefined ? {} : { labels: { ...init.labels } }) },
    webhooks: webhooks(init.name, init.webhooks, (d) => ({ reinvocationPolicy: d.reinvocationPolicy ?? 'Never' })),
  };
}
