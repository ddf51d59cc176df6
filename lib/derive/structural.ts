/**
 * Structural-schema checks: the rules the API server applies to a CRD's `openAPIV3Schema`
 * (every node typed, `properties` xor `additionalProperties`, junctors as value validations
 * only, metadata constrained only in `name`/`generateName`, list and map types well-formed),
 * run locally so a broken definition fails at definition time, naming the path and the rule.
 *
 * @module
 */
import { ERROR_BRAND, KubeError, type KubeErrorOptions } from '../core/errors.js';
import type { JsonSchema, SchemaType } from './schema.js';

/** The structural rules, one code each. */
export type StructuralRule =
  | 'rootNotObject'
  | 'missingType'
  | 'nullableWithoutType'
  | 'propertiesWithAdditionalProperties'
  | 'arrayWithoutItems'
  | 'rootFieldType'
  | 'metadataConstrained'
  | 'forbiddenKeyword'
  | 'junctorNotValueValidation'
  | 'preserveUnknownFieldsFalse'
  | 'embeddedResource'
  | 'listType'
  | 'mapType'
  | 'validationRule'
  | 'invalidDefault';

/** One broken rule: where (schema path, Kubernetes style) and which value field it governs. */
export interface StructuralViolation {
  /** The schema node, as the API server names it: `openAPIV3Schema.properties[spec].properties[size]`. */
  readonly path: string;
  /** The value field the node describes: `.spec.size`, `.spec.items[*]`, `.spec.labels[*]`. */
  readonly field: string;
  readonly rule: StructuralRule;
  readonly message: string;
}

/**
 * A schema is not structural; the API server would reject the CRD. Carries every violation,
 * and the first one's `path` and `rule` for the common single-problem case.
 *
 * ## Example
 * ```ts
 * try { assertStructural(schema); } catch (e) {
 *   if (e instanceof StructuralSchemaError) console.error(e.rule, e.path); // 'missingType' 'openAPIV3Schema.properties[spec].properties[size]'
 * }
 * ```
 */
export class StructuralSchemaError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.StructuralSchemaError';
  override readonly name: string = 'StructuralSchemaError';
  /** Schema path of the first violation. */
  readonly path: string;
  /** Rule broken by the first violation. */
  readonly rule: StructuralRule;

  constructor(
    readonly violations: readonly [StructuralViolation, ...StructuralViolation[]],
    options: KubeErrorOptions = {},
  ) {
    const lines = violations.map((v) => `${v.path}: ${v.message} (${v.rule})`);
    super(`schema is not structural: ${lines.join('; ')}`, options);
    this.path = violations[0].path;
    this.rule = violations[0].rule;
  }
}

const FORBIDDEN_KEYWORDS = ['$ref', 'definitions', 'dependencies', 'patternProperties', 'additionalItems', 'id', '$schema'];
const JUNCTOR_FORBIDDEN = ['type', 'default', 'nullable', 'additionalProperties', 'description'] as const;
const RULE_REASONS = ['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'];
const SCALARS: readonly (SchemaType | undefined)[] = ['string', 'integer', 'number', 'boolean'];

interface Where {
  readonly path: string;
  readonly field: string;
}

/**
 * Checks a CRD's root schema (`openAPIV3Schema`) against the structural rules and returns every
 * violation (empty when the schema is structural).
 *
 * ## Example
 * ```ts
 * checkStructural({ type: 'object', properties: { spec: { properties: {} } } });
 * // [{ path: 'openAPIV3Schema.properties[spec]', field: '.spec', rule: 'missingType', ... }]
 * ```
 */
export function checkStructural(root: JsonSchema): StructuralViolation[] {
  const out: StructuralViolation[] = [];
  const report = (where: Where, rule: StructuralRule, message: string): void => {
    out.push({ path: where.path, field: where.field || '.', rule, message });
  };
  const top: Where = { path: 'openAPIV3Schema', field: '' };
  if (root.type !== 'object') report(top, 'rootNotObject', 'the root must be of type object');
  checkNode(root, top, report);
  checkRootFields(root, report);
  return out;
}

/**
 * Throws a {@link StructuralSchemaError} listing every violation when the schema is not
 * structural.
 *
 * ## Example
 * ```ts
 * assertStructural(crd.spec.versions[0].schema.openAPIV3Schema);
 * ```
 */
export function assertStructural(root: JsonSchema, context: Record<string, unknown> = {}): void {
  const [first, ...rest] = checkStructural(root);
  if (first) throw new StructuralSchemaError([first, ...rest], { context });
}

type Report = (where: Where, rule: StructuralRule, message: string) => void;

function child(where: Where, keyword: string, name: string | undefined, field: string): Where {
  return { path: `${where.path}.${keyword}${name === undefined ? '' : `[${name}]`}`, field: where.field + field };
}

function checkNode(node: JsonSchema, where: Where, report: Report): void {
  const raw = node as Record<string, unknown>;
  for (const keyword of FORBIDDEN_KEYWORDS) {
    if (keyword in raw) report(where, 'forbiddenKeyword', `${keyword} is not allowed in a structural schema`);
  }
  if (node.uniqueItems === true) {
    report(where, 'forbiddenKeyword', 'uniqueItems cannot be true (use x-kubernetes-list-type: set)');
  }

  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node.type === undefined && !intOrString && !preserve) {
    if (node.nullable === true) report(where, 'nullableWithoutType', 'nullable needs a type');
    else report(where, 'missingType', 'type is required unless x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields is true');
  }
  if (node['x-kubernetes-preserve-unknown-fields'] === false) {
    report(where, 'preserveUnknownFieldsFalse', 'x-kubernetes-preserve-unknown-fields must be true or absent');
  }

  if (node.properties !== undefined && node.additionalProperties !== undefined) {
    report(where, 'propertiesWithAdditionalProperties', 'properties and additionalProperties are mutually exclusive');
  }
  if (node.type === 'array' && node.items === undefined) {
    report(where, 'arrayWithoutItems', 'items must be set for type array');
  }
  checkEmbedded(node, where, report);
  checkListType(node, where, report);
  if (node['x-kubernetes-map-type'] !== undefined && node.type !== 'object') {
    report(where, 'mapType', 'x-kubernetes-map-type needs type object');
  }
  checkRules(node, where, report);
  if (node.default !== undefined) checkDefault(node, node.default, where, report);
  checkJunctors(node, where, report);

  for (const [name, prop] of Object.entries(node.properties ?? {})) {
    checkNode(prop, child(where, 'properties', name, `.${name}`), report);
  }
  if (typeof node.additionalProperties === 'object') {
    checkNode(node.additionalProperties, child(where, 'additionalProperties', undefined, '[*]'), report);
  }
  if (node.items !== undefined) checkNode(node.items, child(where, 'items', undefined, '[*]'), report);
}

function checkEmbedded(node: JsonSchema, where: Where, report: Report): void {
  if (node['x-kubernetes-embedded-resource'] !== true) return;
  if (node.type !== 'object') {
    report(where, 'embeddedResource', 'x-kubernetes-embedded-resource needs type object');
  } else if (node.properties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    report(where, 'embeddedResource', 'x-kubernetes-embedded-resource needs properties or x-kubernetes-preserve-unknown-fields');
  }
}

function checkListType(node: JsonSchema, where: Where, report: Report): void {
  const listType = node['x-kubernetes-list-type'];
  const keys = node['x-kubernetes-list-map-keys'];
  if (listType !== undefined && node.type !== 'array') {
    report(where, 'listType', 'x-kubernetes-list-type needs type array');
    return;
  }
  if (keys !== undefined && listType !== 'map') {
    report(where, 'listType', 'x-kubernetes-list-map-keys needs x-kubernetes-list-type: map');
  }
  const items = node.items;
  if (listType === 'set' && items !== undefined && !SCALARS.includes(items.type) && items['x-kubernetes-map-type'] !== 'atomic') {
    report(where, 'listType', 'items of a set list must be scalars or atomic');
  }
  if (listType !== 'map') return;
  if (items?.type !== 'object') {
    report(where, 'listType', 'items of a map list must be objects');
    return;
  }
  if (keys === undefined || keys.length === 0) {
    report(where, 'listType', 'a map list needs x-kubernetes-list-map-keys');
    return;
  }
  for (const key of keys) {
    const prop = items.properties?.[key];
    if (prop === undefined) {
      report(where, 'listType', `list map key ${key} is not a property of the items`);
    } else if (!SCALARS.includes(prop.type)) {
      report(where, 'listType', `list map key ${key} must be a scalar`);
    } else if (!(items.required ?? []).includes(key) && prop.default === undefined) {
      report(where, 'listType', `list map key ${key} must be required or have a default`);
    }
  }
}

function checkRules(node: JsonSchema, where: Where, report: Report): void {
  (node['x-kubernetes-validations'] ?? []).forEach((rule, i) => {
    const at = child(where, 'x-kubernetes-validations', String(i), '');
    if (rule.rule.trim() === '') report(at, 'validationRule', 'rule must not be empty');
    if (rule.reason !== undefined && !RULE_REASONS.includes(rule.reason)) {
      report(at, 'validationRule', `reason must be one of ${RULE_REASONS.join(', ')}`);
    }
    if (rule.fieldPath !== undefined && !/^(\.|\[)/.test(rule.fieldPath)) {
      report(at, 'validationRule', 'fieldPath must start with . or [');
    }
    if (rule.message !== undefined && (rule.message.trim() === '' || rule.message.includes('\n'))) {
      report(at, 'validationRule', 'message must be non-empty and on one line');
    }
  });
}

function checkJunctors(node: JsonSchema, where: Where, report: Report): void {
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    node[keyword]?.forEach((sub, i) => checkValueValidation(sub, child(where, keyword, String(i), ''), intOrString && keyword === 'anyOf', report));
  }
  if (node.not !== undefined) checkValueValidation(node.not, child(where, 'not', undefined, ''), false, report);
}

/** A junctor branch only validates values: it may not set what shapes them (type, default, ...). */
function checkValueValidation(sub: JsonSchema, where: Where, intOrStringBranch: boolean, report: Report): void {
  for (const keyword of JUNCTOR_FORBIDDEN) {
    if (sub[keyword] === undefined) continue;
    // The int-or-string pattern `anyOf: [{type: integer}, {type: string}]` is allowed.
    if (keyword === 'type' && intOrStringBranch && (sub.type === 'integer' || sub.type === 'string')) continue;
    report(where, 'junctorNotValueValidation', `${keyword} is not allowed inside allOf/anyOf/oneOf/not`);
  }
  for (const [name, prop] of Object.entries(sub.properties ?? {})) {
    checkValueValidation(prop, child(where, 'properties', name, `.${name}`), false, report);
  }
  if (typeof sub.additionalProperties === 'object') {
    checkValueValidation(sub.additionalProperties, child(where, 'additionalProperties', undefined, '[*]'), false, report);
  }
  if (sub.items !== undefined) checkValueValidation(sub.items, child(where, 'items', undefined, '[*]'), false, report);
}

/** At the root, `apiVersion`/`kind` are strings and `metadata` may only restrict name and generateName. */
function checkRootFields(root: JsonSchema, report: Report): void {
  for (const name of ['apiVersion', 'kind'] as const) {
    const prop = root.properties?.[name];
    if (prop !== undefined && prop.type !== 'string') {
      report(child({ path: 'openAPIV3Schema', field: '' }, 'properties', name, `.${name}`), 'rootFieldType', `${name} must be of type string`);
    }
  }
  const metadata = root.properties?.metadata;
  if (metadata === undefined) return;
  const where = child({ path: 'openAPIV3Schema', field: '' }, 'properties', 'metadata', '.metadata');
  if (metadata.type !== 'object') report(where, 'metadataConstrained', 'metadata must be of type object');
  const allowed = new Set(['type', 'properties', 'description']);
  for (const keyword of Object.keys(metadata)) {
    if (!allowed.has(keyword)) report(where, 'metadataConstrained', `metadata must not set ${keyword}`);
  }
  for (const [name, prop] of Object.entries(metadata.properties ?? {})) {
    const at = child(where, 'properties', name, `.${name}`);
    if (name !== 'name' && name !== 'generateName') {
      // Reported at metadata itself, as the API server does.
      report(where, 'metadataConstrained', `only metadata.name and metadata.generateName may be constrained, not metadata.${name}`);
    } else if (prop.type !== 'string') {
      report(at, 'metadataConstrained', `metadata.${name} must be of type string`);
    } else if (prop.default !== undefined) {
      report(at, 'metadataConstrained', `metadata.${name} cannot have a default`);
    }
  }
}

/**
 * A default must itself be valid where it applies (the API server rejects the CRD otherwise). This
 * checks its JSON type, enum membership and, for objects and arrays, their fields and items.
 */
function checkDefault(node: JsonSchema, value: unknown, where: Where, report: Report): void {
  const problem = defaultProblem(node, value, '');
  if (problem !== undefined) report(where, 'invalidDefault', `default ${problem}`);
}

function defaultProblem(node: JsonSchema, value: unknown, at: string): string | undefined {
  // The API server accepts (and prunes) null defaults, nullable or not.
  if (value === null) return undefined;
  if (node.enum !== undefined && !node.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    return `${at || 'value'} ${JSON.stringify(value)} is not one of the enum values`;
  }
  const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (node['x-kubernetes-int-or-string'] === true) {
    return actual === 'integer' || actual === 'string' ? undefined : `${at || 'value'} must be an integer or a string`;
  }
  const expected = node.type;
  if (expected === undefined) return undefined;
  const matches = expected === actual || (expected === 'number' && actual === 'integer');
  if (!matches) return `${at || 'value'} ${JSON.stringify(value)} is not of type ${expected}`;
  if (expected === 'array' && node.items !== undefined && Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const problem = defaultProblem(node.items, item, `${at}[${i}]`);
      if (problem !== undefined) return problem;
    }
  }
  if (expected === 'object' && typeof value === 'object') {
    const fields = value as Record<string, unknown>;
    for (const name of node.required ?? []) {
      // Required even when the field has a default of its own: the server does not default a default.
      if (!(name in fields)) return `${at}.${name} is required`;
    }
    for (const [name, field] of Object.entries(fields)) {
      const sub = node.properties?.[name] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
      const problem = sub === undefined ? undefined : defaultProblem(sub, field, `${at}.${name}`);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}
