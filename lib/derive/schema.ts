/**
 * The JSON Schema dialect Kubernetes accepts in a CustomResourceDefinition (OpenAPI v3.0 with
 * `nullable` and the `x-kubernetes-*` extensions), as read-only TypeScript types.
 *
 * Every field is `readonly` so a schema written inline (or `as const`) keeps its literal types,
 * which is what lets {@link InferSchema} compute the object type from the schema itself.
 *
 * @module
 */

/** The `type` values a structural schema may use. */
export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

/** A value that can appear in `enum` or `default`. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** The reasons a validation rule may report (the `reason` of an `x-kubernetes-validations` rule). */
export type ValidationRuleReason =
  | 'FieldValueInvalid'
  | 'FieldValueForbidden'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate';

/**
 * One CEL rule of `x-kubernetes-validations`, evaluated by the API server with `self` bound to
 * the value of the schema node that carries it (and `oldSelf` to the previous value on updates).
 *
 * ## Example
 * ```ts
 * const rule: ValidationRule = { rule: 'self.minReplicas <= self.maxReplicas', message: 'min must not exceed max', fieldPath: '.minReplicas' };
 * ```
 */
export interface ValidationRule {
  /** The CEL expression; the object is valid when it evaluates to true. */
  readonly rule: string;
  /** Fixed message reported when the rule fails. */
  readonly message?: string;
  /** A CEL expression evaluating to the message (takes precedence over `message`). */
  readonly messageExpression?: string;
  /** The cause reason reported by the server (default `FieldValueInvalid`). */
  readonly reason?: ValidationRuleReason;
  /** Where to report the failure, relative to the node (`.spec.replicas`, `.items[0]`). */
  readonly fieldPath?: string;
  /** Run a transition rule even when there is no old value (`oldSelf` is then an optional). */
  readonly optionalOldSelf?: boolean;
}

/**
 * A schema node of a CRD's `openAPIV3Schema`: the structural subset (type, properties, items,
 * additionalProperties), value validations (enum, ranges, pattern, formats, junctors), defaults
 * and the Kubernetes extensions.
 *
 * ## Example
 * ```ts
 * const replicas = { type: 'integer', minimum: 0, default: 1 } as const satisfies JsonSchema;
 * ```
 */
export interface JsonSchema {
  readonly type?: SchemaType;
  readonly description?: string;
  readonly title?: string;
  /** `int32`, `int64`, `float`, `double`, `byte`, `date`, `date-time`, `duration`, `email`, `uri`, ... */
  readonly format?: string;
  readonly properties?: { readonly [name: string]: JsonSchema };
  readonly required?: readonly string[];
  /** A schema for the values of a map. Mutually exclusive with `properties`; never `false`. */
  readonly additionalProperties?: JsonSchema | boolean;
  readonly items?: JsonSchema;
  readonly enum?: readonly JsonValue[];
  readonly default?: JsonValue;
  readonly example?: JsonValue;
  readonly nullable?: boolean;

  readonly minimum?: number;
  readonly maximum?: number;
  /** OpenAPI v3.0 style: `true` makes `minimum` exclusive. */
  readonly exclusiveMinimum?: boolean;
  /** OpenAPI v3.0 style: `true` makes `maximum` exclusive. */
  readonly exclusiveMaximum?: boolean;
  readonly multipleOf?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly minProperties?: number;
  readonly maxProperties?: number;

  /** Value validations only: junctors may not set `type`, `default`, `nullable`, ... */
  readonly allOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly not?: JsonSchema;

  /** Accepts an integer or a string (e.g. `80` or `"http"`, `"25%"`); no `type` alongside. */
  readonly 'x-kubernetes-int-or-string'?: boolean;
  /** Keep fields the schema does not declare instead of pruning them. */
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  /** The value is a whole Kubernetes object (apiVersion, kind, metadata validated as such). */
  readonly 'x-kubernetes-embedded-resource'?: boolean;
  /** How server-side apply merges a list: replace it, treat it as a set, or as a map by keys. */
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  /** The keys identifying the items of a `map` list. */
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  /** How server-side apply merges an object: as a whole or field by field. */
  readonly 'x-kubernetes-map-type'?: 'atomic' | 'granular';
  /** CEL rules evaluated by the API server at this node. */
  readonly 'x-kubernetes-validations'?: readonly ValidationRule[];
}
