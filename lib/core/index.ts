/**
 * `rxkube/core`: pure types and request building. No HTTP, no RxJS, no Node built-ins.
 *
 * @module
 */
export * from './api/index.js';
export * from './api-resource.js';
export * from './builtins.js';
export * from './dynamic.js';
export * from './channel-protocol.js';
export * from './error-boundary.js';
export * from './errors.js';
export * from './exec-status.js';
export * from './field-selector.js';
export * from './gvk.js';
export * from './label-selector.js';
export * from './label-validation.js';
export * from './object-ref.js';
export * from './object.js';
export * from './params.js';
export * from './patch.js';
export * from './pod-stream-error.js';
export * from './pod-stream-request.js';
export * from './port-forward-protocol.js';
export * from './request.js';
export * from './resource-ext.js';
export * from './resource.js';
export * from './response.js';
export * from './shard-hash.js';
export * from './shard-selector.js';
export * from './source-text.js';
