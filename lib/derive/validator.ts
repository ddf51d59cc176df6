/**
 * Client-side validation of objects against a CRD schema with ajv, reporting each problem at a
 * JSON pointer (`/spec/replicas`) and at the field path the API server would use
 * (`spec.replicas`).
 *
 * The schema is translated for ajv once, lazily: OpenAPI v3.0 `exclusiveMinimum: true` becomes
 * the draft-07 number form, `nullable` adds `null` to the type, `x-kubernetes-int-or-string`
 * accepts an integer or a string, an embedded resource must carry `apiVersion` and `kind`, and
 * the other `x-kubernetes-*` keywords are registered as annotations. CEL rules are the server's:
 * `validate()` does not evaluate them. Unknown fields are not errors (the server prunes them).
 *
 * @module
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { KubeError, type KubeErrorOptions } from '../core/errors.js';
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

/** The Kubernetes extension keywords, registered with ajv as annotations. */
const ANNOTATIONS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
  'example',
];

/**
 * Creates a {@link Validator} for a CRD root schema (`openAPIV3Schema`). `subject` names the
 * kind in error messages.
 *
 * ## Example
 * ```ts
 * const { validate } = createValidator<Widget>(Widget.crd().spec.versions[0].schema.openAPIV3Schema, 'Widget');
 * ```
 */
export function createValidator<K>(root: JsonSchema, subject: string): Validator<K> {
  let compiled: ValidateFunction | undefined;
  const validate = (value: unknown): ValidationResult<K> => {
    compiled ??= compile(root);
    if (compiled(value)) return { valid: true, value: value as K };
    const issues = (compiled.errors ?? []).map((e) => toIssue(e, value));
    const [first, ...rest] = issues;
    if (first === undefined) return { valid: true, value: value as K };
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

function compile(root: JsonSchema): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strictTypes: false, allowUnionTypes: true, strictTuples: false });
  addFormats(ajv, ['date', 'date-time', 'email', 'hostname', 'ipv4', 'ipv6', 'uri', 'uuid', 'byte', 'password', 'binary', 'int32', 'int64', 'float', 'double']);
  // The server's duration parser takes Go (`1h30m`), ISO 8601 (`P1D`) and other spellings: leave it to the server.
  ajv.addFormat('duration', true);
  for (const keyword of ANNOTATIONS) ajv.addKeyword({ keyword });
  return ajv.compile(toAjvSchema(root, (format) => ajv.formats[format] !== undefined));
}

/** Translates one Kubernetes schema node to what ajv (draft-07) means by it. */
function toAjvSchema(node: JsonSchema, knownFormat: (format: string) => boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...node };
  const recurse = (s: JsonSchema) => toAjvSchema(s, knownFormat);
  delete out['nullable'];
  delete out['default'];
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
