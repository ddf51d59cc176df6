/**
 * Type-level inference from a structural schema to the TypeScript type of the values it accepts.
 *
 * rxkube infers types itself instead of using `json-schema-to-ts`: structural schemas are a
 * small subset of JSON Schema (no `$ref`, no `patternProperties`, junctors only as value
 * validations), so a ~40-line recursive conditional type covers them; it knows the Kubernetes
 * extensions (`x-kubernetes-int-or-string`, `x-kubernetes-preserve-unknown-fields`,
 * `x-kubernetes-embedded-resource`, OpenAPI `nullable`) that the generic library does not; it
 * adds no dependency; and it keeps type checking cheap because it never expands the unions a
 * full JSON Schema inference builds for `anyOf`/`oneOf`/`not`.
 *
 * @module
 */
import type { ObjectMeta } from '../core/object.js';

/** Flattens an intersection into one object type, so inferred types read (and compare) plainly. */
export type Simplify<T> = { [P in keyof T]: T[P] } & {};

/** The metadata every embedded resource carries. */
export interface EmbeddedResourceMeta {
  apiVersion: string;
  kind: string;
  metadata?: ObjectMeta;
}

type RequiredKeys<S> = S extends { readonly required: readonly (infer R)[] } ? Extract<R, string> : never;

type PropertiesOf<P, R extends string> = {
  -readonly [N in Extract<keyof P, R>]-?: InferSchema<P[N]>;
} & {
  -readonly [N in Exclude<keyof P, R>]?: InferSchema<P[N]>;
};

type ObjectBody<S> = S extends { readonly properties: infer P }
  ? PropertiesOf<P, RequiredKeys<S>>
  : S extends { readonly additionalProperties: infer A }
    ? A extends true
      ? Record<string, unknown>
      : A extends object
        ? Record<string, InferSchema<A>>
        : Record<string, never>
    : S extends { readonly 'x-kubernetes-preserve-unknown-fields': true }
      ? {}
      : Record<string, never>;

type InferObject<S> = Simplify<
  ObjectBody<S> &
    (S extends { readonly 'x-kubernetes-preserve-unknown-fields': true } ? { [field: string]: unknown } : {}) &
    (S extends { readonly 'x-kubernetes-embedded-resource': true } ? EmbeddedResourceMeta : {})
>;

type InferBase<S> = S extends { readonly 'x-kubernetes-int-or-string': true }
  ? number | string
  : S extends { readonly enum: readonly (infer E)[] }
    ? E
    : S extends { readonly type: 'string' }
      ? string
      : S extends { readonly type: 'integer' | 'number' }
        ? number
        : S extends { readonly type: 'boolean' }
          ? boolean
          : S extends { readonly type: 'array' }
            ? S extends { readonly items: infer I }
              ? InferSchema<I>[]
              : unknown[]
            : S extends { readonly type: 'object' }
              ? InferObject<S>
              : unknown;

/**
 * The TypeScript type of the values a schema accepts. `properties` with `required` become
 * required fields, the others optional (a field with a `default` is still optional: the server
 * fills it in); `additionalProperties` becomes a record; `enum` a union of its literals;
 * `nullable: true` adds `null`; `x-kubernetes-int-or-string` is `number | string`;
 * `x-kubernetes-preserve-unknown-fields` adds an index signature of `unknown`; an embedded
 * resource gets `apiVersion`, `kind` and `metadata`. A node without a type is `unknown`.
 *
 * ## Example
 * ```ts
 * const schema = { type: 'object', required: ['size'], properties: { size: { type: 'integer' }, color: { type: 'string', enum: ['red', 'blue'] } } } as const;
 * type Spec = InferSchema<typeof schema>; // { size: number; color?: 'red' | 'blue' }
 * ```
 */
export type InferSchema<S> = S extends { readonly nullable: true } ? InferBase<S> | null : InferBase<S>;
