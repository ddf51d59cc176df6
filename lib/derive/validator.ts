/**
 * Client-side validation of objects against a CRD schema with ajv, reporting each problem at a
 * JSON pointer (`/spec/replicas`) and at the field path the API server would use
 * (`spec.replicas`).
 *
 * The schema is translated for ajv once, lazily: OpenAPI v3.0 `exclusiveMinimum: true` becomes
 * the draft-07 number form, `nullable` adds `null` to the type, `x-kubernetes-int-or-string`
 * accepts an integer or a string, an embedded resource must carry `apiVersion` and `kind`, and
 * the other `x-kubernetes-*` keywords are registered as annotations. CEL rules are the server's:
 * `validate()` does not evaluate them. Unknown fields are not errors (the server prunes them), and
 * `null` in a non-nullable object field counts as absent (the server drops it too).
 *
 * @module
 */
import Ajv, { type AnySchemaObject, type ErrorObject, type FuncKeywordDefinition, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ERROR_BRAND, KubeError, type KubeErrorOptions } from '../core/errors.js';
import type { JsonSchema } from './schema.js';

/** One problem found by {@link Validator.validate}. */
export interface ValidationIssue {
  /** JSON pointer to the offending value: `/spec/replicas`, `/spec/ports/0/name`. */
  readonly pointer: string;
  /** The same place as a Kubernetes field path: `spec.replicas`, `spec.ports[0].name`. */
  readonly field: string;
  /** What is wrong: `must be integer`, `must have required property 'size'`. */
  readonly message: string;
  /** The schema keyword that failed (`type`, `required`, `minimum`, `enum`, ...). */
  readonly keyword: string;
}

/** The outcome of a validation: the typed value, or every issue found. */
export type ValidationResult<K> =
  | { readonly valid: true; readonly value: K }
  | { readonly valid: false; readonly issues: readonly [ValidationIssue, ...ValidationIssue[]] };

/**
 * An object does not match its schema. Thrown by {@link Validator.assert}.
 *
 * ## Example
 * ```ts
 * try { Widget.assertValid(obj); } catch (e) {
 *   if (e instanceof SchemaValidationError) e.issues.map((i) => i.pointer); // ['/spec/replicas']
 * }
 * ```
 */
export class SchemaValidationError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.SchemaValidationError';
  override readonly name: string = 'SchemaValidationError';
  constructor(
    readonly issues: readonly [ValidationIssue, ...ValidationIssue[]],
    subject: string,
    options: KubeErrorOptions = {},
  ) {
    super(`${subject} is invalid: ${issues.map((i) => `${i.field || '(root)'}: ${i.message}`).join('; ')}`, options);
  }
}

/**
 * A validator for one schema; ajv compiles the schema on the first call and reuses it.
 *
 * ## Example
 * ```ts
 * const validator = createValidator<Widget>(rootSchema, 'Widget');
 * const result = validator.validate(obj);
 * if (!result.valid) console.log(result.issues[0].pointer);
 * ```
 */
export interface Validator<K> {
  validate(value: unknown): ValidationResult<K>;
  /** Returns the value typed as `K`, or throws a {@link SchemaValidationError}. */
  assert(value: unknown): K;
}

/** The Kubernetes extension keywords ajv only carries along (list types are checked, see below). */
const ANNOTATIONS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
  'example',
];

/**
 * `x-kubernetes-list-type`: a `set` holds no value twice, a `map` no two items with the same keys
 * (a missing key counts as its default). Like the API server, each repeat is reported at its index.
 */
const LIST_TYPE: FuncKeywordDefinition = {
  keyword: 'x-kubernetes-list-type',
  schemaType: 'string',
  errors: true,
  validate: function checkListType(listType: string, data: unknown, parent?: AnySchemaObject, cxt?: { instancePath: string }): boolean {
    if (!Array.isArray(data) || (listType !== 'set' && listType !== 'map')) return true;
    const keys = listType === 'map' ? ((parent?.['x-kubernetes-list-map-keys'] as string[] | undefined) ?? []) : [];
    const itemProps = (parent?.['items'] as AnySchemaObject | undefined)?.['properties'] as Record<string, AnySchemaObject> | undefined;
    const keyValues = (item: unknown): unknown[] =>
      keys.map((k) => (item as Record<string, unknown> | null)?.[k] ?? itemProps?.[k]?.['default'] ?? null);
    const seen = new Set<string>();
    const errors: Partial<ErrorObject>[] = [];
    data.forEach((item, i) => {
      const values = listType === 'map' ? keyValues(item) : [];
      const id = listType === 'set' ? canonical(item) : canonical(values);
      if (seen.has(id)) {
        const what = listType === 'set' ? `value ${id}` : `key ${keys.map((k, j) => `${k}=${canonical(values[j])}`).join(', ')}`;
        errors.push({ instancePath: `${cxt?.instancePath ?? ''}/${i}`, keyword: 'x-kubernetes-list-type', message: `duplicate ${what}`, params: { listType } });
      }
      seen.add(id);
    });
    (checkListType as { errors?: Partial<ErrorObject>[] }).errors = errors;
    return errors.length === 0;
  },
};

/** JSON with object keys sorted, so equal values give equal strings. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What an object must name itself when it carries `apiVersion` / `kind` (absent ones are not errors). */
export interface ExpectedType {
  readonly apiVersion?: string;
  readonly kind?: string;
}

/**
 * Creates a {@link Validator} for a CRD root schema (`openAPIV3Schema`). `subject` names the
 * kind in error messages; `expected` pins `apiVersion` and `kind` when an object has them (the
 * API server refuses a body naming another type than its URL).
 *
 * ## Example
 * ```ts
 * const { validate } = createValidator<Widget>(Widget.schema, 'Widget', { apiVersion: 'example.com/v1', kind: 'Widget' });
 * ```
 */
export function createValidator<K>(root: JsonSchema, subject: string, expected: ExpectedType = {}): Validator<K> {
  let compiled: ValidateFunction | undefined;
  const validate = (value: unknown): ValidationResult<K> => {
    compiled ??= compile(root, expected);
    const pruned = pruneNulls(value, root);
    if (compiled(pruned)) return { valid: true, value: pruned as K };
    const issues = (compiled.errors ?? []).map((e) => toIssue(e, pruned));
    const [first, ...rest] = issues;
    if (first === undefined) return { valid: true, value: pruned as K };
    return { valid: false, issues: [first, ...rest] };
  };
  return {
    validate,
    assert(value: unknown): K {
      const result = validate(value);
      if (result.valid) return result.value;
      throw new SchemaValidationError(result.issues, subject, { context: { kind: subject, name: nameOf(value) } });
    },
  };
}

/**
 * Drops `null` from object fields whose schema is not nullable, as the API server does before
 * defaulting and validation (a required field dropped this way is then reported missing). List
 * items are left alone. Returns the value itself when there is nothing to drop.
 */
function pruneNulls(value: unknown, schema: JsonSchema | undefined): unknown {
  if (schema === undefined || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const next = pruneNulls(item, schema.items);
      if (next !== item) (copy ??= [...value])[i] = next;
    });
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, field] of Object.entries(value)) {
    const additional = schema.additionalProperties;
    const sub = schema.properties?.[key] ?? (typeof additional === 'object' ? additional : undefined);
    if (sub === undefined) continue;
    if (field === null) {
      if (sub.nullable !== true) {
        copy ??= { ...value };
        delete copy[key];
      }
      continue;
    }
    const next = pruneNulls(field, sub);
    if (next !== field) (copy ??= { ...value })[key] = next;
  }
  return copy ?? value;
}

function compile(root: JsonSchema, expected: ExpectedType): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strictTypes: false, allowUnionTypes: true, strictTuples: false });
  addFormats(ajv, ['date', 'date-time', 'email', 'hostname', 'ipv4', 'ipv6', 'uri', 'uuid', 'byte', 'password', 'binary', 'int32', 'int64', 'float', 'double']);
  // The server's duration parser takes Go (`1h30m`), ISO 8601 (`P1D`) and other spellings: leave it to the server.
  ajv.addFormat('duration', true);
  for (const keyword of ANNOTATIONS) ajv.addKeyword({ keyword });
  ajv.addKeyword(LIST_TYPE);
  const schema = toAjvSchema(root, (format) => ajv.formats[format] !== undefined);
  const pinned: Record<string, unknown> = {};
  for (const field of ['apiVersion', 'kind'] as const) {
    const value = expected[field];
    if (value !== undefined) pinned[field] = { type: 'string', const: value };
  }
  if (Object.keys(pinned).length > 0) schema['properties'] = { ...(schema['properties'] as object), ...pinned };
  return ajv.compile(schema);
}

/** Translates one Kubernetes schema node to what ajv (draft-07) means by it. */
function toAjvSchema(node: JsonSchema, knownFormat: (format: string) => boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...node };
  const recurse = (s: JsonSchema) => toAjvSchema(s, knownFormat);
  delete out['nullable'];
  if (node.format !== undefined && !knownFormat(node.format)) delete out['format'];

  if (node.exclusiveMinimum !== undefined) {
    delete out['exclusiveMinimum'];
    if (node.exclusiveMinimum && node.minimum !== undefined) {
      delete out['minimum'];
      out['exclusiveMinimum'] = node.minimum;
    }
  }
  if (node.exclusiveMaximum !== undefined) {
    delete out['exclusiveMaximum'];
    if (node.exclusiveMaximum && node.maximum !== undefined) {
      delete out['maximum'];
      out['exclusiveMaximum'] = node.maximum;
    }
  }

  let types: string[] | undefined = node.type === undefined ? undefined : [node.type];
  if (node['x-kubernetes-int-or-string'] === true && types === undefined) types = ['integer', 'string'];
  if (node.nullable === true && types !== undefined) {
    types = [...types, 'null'];
    if (node.enum !== undefined && !node.enum.includes(null)) out['enum'] = [...node.enum, null];
  }
  if (types !== undefined) out['type'] = types.length === 1 ? types[0] : types;

  if (node.properties !== undefined) {
    out['properties'] = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, recurse(v)]));
  }
  if (node['x-kubernetes-embedded-resource'] === true) {
    const props = (out['properties'] ?? {}) as Record<string, unknown>;
    out['properties'] = {
      ...props,
      apiVersion: props['apiVersion'] ?? { type: 'string', minLength: 1 },
      kind: props['kind'] ?? { type: 'string', minLength: 1 },
      metadata: props['metadata'] ?? { type: 'object' },
    };
    out['required'] = [...new Set([...(node.required ?? []), 'apiVersion', 'kind'])];
  }
  if (typeof node.additionalProperties === 'object') out['additionalProperties'] = recurse(node.additionalProperties);
  if (node.items !== undefined) out['items'] = recurse(node.items);
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = node[keyword];
    if (list !== undefined) out[keyword] = list.map(recurse);
  }
  if (node.not !== undefined) out['not'] = recurse(node.not);
  return out;
}

function toIssue(error: ErrorObject, value: unknown): ValidationIssue {
  let pointer = error.instancePath;
  const params = error.params as Record<string, unknown>;
  // ajv reports a missing property at its parent; Kubernetes (and users) name the property itself.
  if (error.keyword === 'required' && typeof params['missingProperty'] === 'string') {
    pointer += `/${escapePointer(params['missingProperty'])}`;
  }
  return { pointer, field: fieldPath(pointer, value), message: messageOf(error), keyword: error.keyword };
}

function messageOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'enum' && Array.isArray(params['allowedValues'])) {
    return `must be one of ${params['allowedValues'].map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (error.keyword === 'type' && Array.isArray(params['type'])) return `must be ${params['type'].join(' or ')}`;
  if (error.keyword === 'const') return `must be ${JSON.stringify(params['allowedValue'])}`;
  return error.message ?? error.keyword;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `/spec/ports/0/name` → `spec.ports[0].name`, using the value to tell list indexes from map keys. */
function fieldPath(pointer: string, value: unknown): string {
  if (pointer === '') return '';
  const segments = pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = '';
  let current: unknown = value;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      path += `[${segment}]`;
      current = current[Number(segment)];
    } else {
      path += path === '' ? segment : `.${segment}`;
      current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

function nameOf(value: unknown): string | undefined {
  const metadata = typeof value === 'object' && value !== null ? (value as { metadata?: { name?: unknown } }).metadata : undefined;
  return typeof metadata?.name === 'string' ? metadata.name : undefined;
}
