/**
 * `rxkube/admission`: browser-safe admission and conversion webhooks' types and logic — AdmissionReview and
 * ConversionReview v1 typed by descriptors, response builders, "desired object" → JSON patch, typed
 * conversions between versions, webhook configurations and CRD conversion sections from descriptors, and
 * ValidatingAdmissionPolicy / MutatingAdmissionPolicy from TypeScript with CEL (no webhook needed). The
 * HTTPS server lives in the Node-only `rxkube/webhook`.
 *
 * @module
 */
export * from './admission-config-error.js';
export * from './admission-policy.js';
export * from './admission-response.js';
export * from './admission-review.js';
export * from './base64.js';
export * from './conversion-review.js';
export * from './conversion.js';
export * from './crd-conversion.js';
export * from './json-patch-diff.js';
export * from './verify-admission-policy.js';
export * from './webhook-configuration.js';
