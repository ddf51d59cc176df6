/**
 * `defineCustomResource`: one schema-first definition gives the TypeScript type of the objects,
 * the `ResourceType` descriptor (for `Api` and the runtime), the CRD manifest (object and YAML)
 * and a client-side validator, so the four can never disagree. The rxkube counterpart of
 * kube-rs's `#[derive(CustomResource)]`.
 *
 * @module
 */
import type { ObjectMeta } from '../core/object.js';
import { type KubeObject, type ResourceType, type Scope, resourceType } from '../core/resource.js';
import {
  type CrdNames,
  type CrdVersion,
  type CrdVersionSource,
  type CustomResourceDefinition,
  type PrinterColumn,
  type ScaleSubresource,
  mergeCrdVersions,
} from './crd.js';
import { DefinitionError } from './errors.js';
import type { InferSchema, Simplify } from './infer.js';
import { pluralize } from './pluralize.js';
import type { JsonSchema, ValidationRule } from './schema.js';
import { assertStructural } from './structural.js';
import { type ValidationResult, createValidator } from './validator.js';
import { toYaml } from './yaml.js';

/** Brand marking values made by {@link defineCustomResource} (shared across module copies). */
export const CUSTOM_RESOURCE: unique symbol = Symbol.for('rxkube.derive.CustomResource');

/**
 * Everything that describes one version of a custom resource.
 *
 * ## Example
 * ```ts
 * const init = { group: 'example.com', version: 'v1', kind: 'Widget', scope: 'Namespaced', spec: { type: 'object', properties: {} } } satisfies CustomResourceInit;
 * ```
 */
export interface CustomResourceInit {
  /** API group; must contain a dot (`example.com`). */
  readonly group: string;
  /** Version name, a DNS label such as `v1`, `v1beta2`. */
  readonly version: string;
  /** The kind, in UpperCamelCase. */
  readonly kind: string;
  readonly scope: Scope;
  /** Plural resource name; defaults to {@link pluralize}(kind). */
  readonly plural?: string;
  /** Singular name; defaults to the lower-cased kind. */
  readonly singular?: string;
  readonly shortNames?: readonly string[];
  /** Groups the kind belongs to for `kubectl get <category>` (e.g. `all`). */
  readonly categories?: readonly string[];
  /** Defaults to `${kind}List`. */
  readonly listKind?: string;
  /** Description of the whole object, put on the root schema. */
  readonly description?: string;
  /**
   * Constraints on `metadata.name` / `metadata.generateName` (string schemas, e.g. `maxLength`); the API
   * server allows no other metadata field to be constrained.
   */
  readonly metadata?: { readonly name?: JsonSchema; readonly generateName?: JsonSchema };
  /** Schema of `.spec` (required on every object). */
  readonly spec: JsonSchema;
  /** Schema of `.status`, when the kind has one. */
  readonly status?: JsonSchema;
  /** CEL rules on the whole object (`self.spec...`, `self.metadata.name`). */
  readonly validations?: readonly ValidationRule[];
  readonly printerColumns?: readonly PrinterColumn[];
  /** Fields usable in field selectors, as JSONPaths (`.spec.color`). */
  readonly selectableFields?: readonly string[];
  /** `status` defaults to on when a status schema is given. */
  readonly subresources?: { readonly status?: boolean; readonly scale?: ScaleSubresource };
  /** @default true */
  readonly served?: boolean;
  /** Whether objects are stored in this version; exactly one version of a CRD is. @default true */
  readonly storage?: boolean;
  readonly deprecated?: boolean;
  /** Warning returned to clients using a deprecated version. */
  readonly deprecationWarning?: string;
}

/**
 * The object type a definition describes: `apiVersion` and `kind` as literals, `metadata`,
 * `spec` inferred from the spec schema and, when there is a status schema, an optional `status`.
 *
 * ## Example
 * ```ts
 * type Widget = ObjectFromInit<typeof init>; // { apiVersion: 'example.com/v1'; kind: 'Widget'; metadata: ObjectMeta; spec: {...} }
 * ```
 */
export type ObjectFromInit<D extends CustomResourceInit> = Simplify<
  {
    apiVersion: `${D['group']}/${D['version']}`;
    kind: D['kind'];
    metadata: ObjectMeta;
    spec: InferSchema<D['spec']>;
  } & (D extends { readonly status: infer St } ? { status?: InferSchema<St> } : {})
>;

/**
 * A custom resource version: a typed {@link ResourceType} (usable with `Api.namespaced(...)`,
 * watchers, controllers) that also renders its CRD and validates objects.
 *
 * ## Example
 * ```ts
 * const api = Api.namespaced(client, Widget, 'default');
 * const crdYaml = Widget.crdYaml();
 * const result = Widget.validate(obj);
 * ```
 */
export interface CustomResource<K extends KubeObject = KubeObject, S extends Scope = Scope>
  extends ResourceType<K, S>, CrdVersionSource {
  readonly [CUSTOM_RESOURCE]: true;
  readonly scope: S;
  readonly served: boolean;
  readonly deprecated: boolean;
  readonly deprecationWarning?: string;
  /** The full root schema (`openAPIV3Schema`) of this version. */
  readonly schema: JsonSchema;
  /** The CRD with this version only. */
  crd(): CustomResourceDefinition;
  /** {@link crd} as YAML, for `kubectl apply -f -`. */
  crdYaml(): string;
  /** Checks a value against the schema (ajv, compiled on first use). CEL rules are left to the server. */
  validate(value: unknown): ValidationResult<K>;
  /** Returns the value typed as `K`, or throws a `SchemaValidationError` listing the issues. */
  assertValid(value: unknown): K;
}

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

/**
 * Defines one version of a custom resource from its schemas. The schemas are checked against
 * the structural rules immediately (a `StructuralSchemaError` names the path and rule), names
 * and paths too (`DefinitionError`). The spec and status types are inferred from the schema
 * literals (no `as const` needed).
 *
 * ## Example
 * ```ts
 * export const Widget = defineCustomResource({
 *   group: 'example.com', version: 'v1', kind: 'Widget', scope: 'Namespaced', shortNames: ['wd'],
 *   spec: { type: 'object', required: ['replicas'], properties: { replicas: { type: 'integer', minimum: 0 } } },
 *   status: { type: 'object', properties: { replicas: { type: 'integer' } } },
 *   subresources: { scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
 *   printerColumns: [{ name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' }],
 * });
 * type Widget = ObjectOf<typeof Widget>; // { apiVersion: 'example.com/v1'; kind: 'Widget'; metadata; spec: { replicas: number }; status?: {...} }
 * ```
 */
export function defineCustomResource<const D extends CustomResourceInit>(init: D): CustomResource<ObjectFromInit<D>, D['scope']> {
  type K = ObjectFromInit<D>;
  checkInit(init);
  const names: CrdNames = {
    kind: init.kind,
    listKind: init.listKind ?? `${init.kind}List`,
    plural: init.plural ?? pluralize(init.kind),
    singular: init.singular ?? init.kind.toLowerCase(),
    shortNames: [...(init.shortNames ?? [])],
    categories: [...(init.categories ?? [])],
  };
  checkNames(names, init);
  const schema = deepFreeze(rootSchema(init));
  assertStructural(schema, { kind: init.kind, version: init.version });
  const statusSubresource = init.subresources?.status ?? init.status !== undefined;
  const subresources = [...(statusSubresource ? ['status'] : []), ...(init.subresources?.scale ? ['scale'] : [])];

  const crdVersion = (): CrdVersion => {
    const version: CrdVersion = {
      name: init.version,
      served: init.served ?? true,
      storage: init.storage ?? true,
      schema: { openAPIV3Schema: cloneJson(schema) },
    };
    if (init.deprecated === true) version.deprecated = true;
    if (init.deprecationWarning !== undefined) version.deprecationWarning = init.deprecationWarning;
    if (subresources.length > 0) {
      version.subresources = {};
      if (statusSubresource) version.subresources.status = {};
      if (init.subresources?.scale) version.subresources.scale = { ...init.subresources.scale };
    }
    if (init.printerColumns !== undefined && init.printerColumns.length > 0) {
      version.additionalPrinterColumns = init.printerColumns.map((c) => ({ ...c }));
    }
    if (init.selectableFields !== undefined && init.selectableFields.length > 0) {
      version.selectableFields = init.selectableFields.map((jsonPath) => ({ jsonPath }));
    }
    return version;
  };

  const validator = createValidator<K>(schema, `${init.kind} ${init.group}/${init.version}`, {
    apiVersion: `${init.group}/${init.version}`,
    kind: init.kind,
  });
  const descriptor = resourceType<K, D['scope']>({
    group: init.group,
    version: init.version,
    kind: init.kind,
    plural: names.plural,
    scope: init.scope,
    singular: names.singular,
    shortNames: names.shortNames ?? [],
    subresources,
  });
  const self: CustomResource<K, D['scope']> = Object.freeze({
    ...descriptor,
    [CUSTOM_RESOURCE]: true as const,
    names: Object.freeze(names),
    served: init.served ?? true,
    storage: init.storage ?? true,
    deprecated: init.deprecated ?? false,
    ...(init.deprecationWarning === undefined ? {} : { deprecationWarning: init.deprecationWarning }),
    schema,
    crdVersion,
    crd: () => mergeCrdVersions(self),
    crdYaml: () => toYaml(mergeCrdVersions(self)),
    validate: validator.validate,
    assertValid: validator.assert,
  });
  return self;
}

/**
 * Tells whether a value was made by {@link defineCustomResource} (by any copy of rxkube).
 *
 * ## Example
 * ```ts
 * const definitions = Object.values(await import('./crds.js')).filter(isCustomResource);
 * ```
 */
export function isCustomResource(value: unknown): value is CustomResource {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[CUSTOM_RESOURCE] === true;
}

/** The root schema: type fields and metadata as the API server handles them, then spec and status. */
function rootSchema(init: CustomResourceInit): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: metadataSchema(init),
    spec: init.spec,
  };
  if (init.status !== undefined) properties['status'] = init.status;
  const schema: { -readonly [P in keyof JsonSchema]: JsonSchema[P] } = { type: 'object' };
  if (init.description !== undefined) schema.description = init.description;
  schema.required = ['spec'];
  schema.properties = properties;
  if (init.validations !== undefined && init.validations.length > 0) schema['x-kubernetes-validations'] = init.validations;
  return cloneJson(schema);
}

function metadataSchema(init: CustomResourceInit): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  if (init.metadata?.name !== undefined) properties['name'] = init.metadata.name;
  if (init.metadata?.generateName !== undefined) properties['generateName'] = init.metadata.generateName;
  return Object.keys(properties).length === 0 ? { type: 'object' } : { type: 'object', properties };
}

function checkInit(init: CustomResourceInit): void {
  const context = { group: init.group, version: init.version, kind: init.kind };
  if (!DNS_SUBDOMAIN.test(init.group)) {
    throw new DefinitionError('invalidGroup', `group ${JSON.stringify(init.group)} must be a lower-case DNS subdomain with at least one dot`, { context });
  }
  if (!DNS_LABEL.test(init.version)) {
    throw new DefinitionError('invalidVersion', `version ${JSON.stringify(init.version)} of ${init.kind} must be a DNS label such as v1 or v1beta1`, { context });
  }
  if (!KIND.test(init.kind)) {
    throw new DefinitionError('invalidKind', `kind ${JSON.stringify(init.kind)} must be UpperCamelCase letters and digits`, { context });
  }
  const scale = init.subresources?.scale;
  if (scale !== undefined) {
    if (!scale.specReplicasPath.startsWith('.spec.')) {
      throw new DefinitionError('invalidScale', `scale.specReplicasPath of ${init.kind} must be under .spec, got ${scale.specReplicasPath}`, { context });
    }
    if (!scale.statusReplicasPath.startsWith('.status.')) {
      throw new DefinitionError('invalidScale', `scale.statusReplicasPath of ${init.kind} must be under .status, got ${scale.statusReplicasPath}`, { context });
    }
    if (scale.labelSelectorPath !== undefined && !/^\.(spec|status)\./.test(scale.labelSelectorPath)) {
      throw new DefinitionError('invalidScale', `scale.labelSelectorPath of ${init.kind} must be under .spec or .status, got ${scale.labelSelectorPath}`, { context });
    }
  }
  const columns = new Set<string>();
  for (const column of init.printerColumns ?? []) {
    if (column.name === '' || columns.has(column.name) || !column.jsonPath.startsWith('.')) {
      throw new DefinitionError('invalidPrinterColumn', `printer column ${JSON.stringify(column.name)} of ${init.kind} needs a unique name and a jsonPath starting with .`, { context });
    }
    columns.add(column.name);
  }
  for (const path of init.selectableFields ?? []) {
    if (!/^\.(spec|status)\./.test(path)) {
      throw new DefinitionError('invalidSelectableField', `selectable field ${path} of ${init.kind} must be a JSONPath under .spec or .status`, { context });
    }
  }
  if (init.deprecationWarning !== undefined && init.deprecated !== true) {
    throw new DefinitionError('invalidDeprecation', `version ${init.version} of ${init.kind} has a deprecationWarning but is not deprecated`, { context });
  }
}

function checkNames(names: CrdNames, init: CustomResourceInit): void {
  for (const name of [names.plural, names.singular, ...(names.shortNames ?? [])]) {
    if (!DNS_LABEL.test(name)) {
      throw new DefinitionError('invalidNames', `name ${JSON.stringify(name)} of ${names.kind} must be a lower-case DNS label`, { context: { group: init.group, version: init.version, kind: init.kind } });
    }
  }
}

/** A deep copy of JSON data, so callers may edit a manifest without touching the definition. */
function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Freezes a JSON value all the way down, so the schema a definition exposes cannot drift from its CRD. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
