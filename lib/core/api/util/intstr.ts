/**
 * Kubernetes v1.36.3 API types of `util/intstr`, generated from the API server's OpenAPI v3 documents by
 * `scripts/gen-builtins.mjs`; do not edit by hand (the e2e test `spec/e2e/core/builtins.spec.ts` regenerates
 * them and fails on drift).
 *
 * @module
 */
export {};

/**
 * IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.
 *
 * OpenAPI: `io.k8s.apimachinery.pkg.util.intstr.IntOrString`
 */
export type IntOrString = number | string;
