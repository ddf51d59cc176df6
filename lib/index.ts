/**
 * `rxkube`: the facade. Re-exports the browser-safe layers — `rxkube/core` (types and request
 * building), `rxkube/client` (axios `Client`, typed `Api<K>`), `rxkube/runtime` (watcher, reflector,
 * controller) and `rxkube/derive` (custom resources from JSON Schema).
 *
 * `rxkube/config` (kubeconfig files, exec plugins, in-cluster) is Node-only and is deliberately not
 * re-exported here, so that `import { Api } from 'rxkube'` stays bundleable for the browser; Node
 * programs import it from `rxkube/config`.
 *
 * ## Example
 * ```ts
 * import { RequestBuilder } from 'rxkube'; // same binding as 'rxkube/core'
 * // Node only, never through the facade: import { ... } from 'rxkube/config';
 * ```
 *
 * @module
 */
export * from './core/index.js';
export * from './client/index.js';
export * from './runtime/index.js';
export * from './derive/index.js';
// Names more than one layer exports: the facade gives core's resource descriptors. The other meanings
// stay under their subpath: the `Lease` object type re-exported by `rxkube/runtime`, and the
// `CustomResourceDefinition` manifest interface of `rxkube/derive`.
export { CustomResourceDefinition, Lease } from './core/index.js';
