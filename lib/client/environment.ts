/**
 * Tells Node from a browser without importing anything Node-specific, so the client can pick the
 * axios adapter (Node's `http` or `fetch`) and the headers a browser forbids.
 *
 * @module
 */

/**
 * Where the client runs.
 *
 * ## Example
 * ```ts
 * const where: Runtime = detectRuntime();
 * ```
 */
export type Runtime = 'node' | 'browser';

/**
 * Detects the runtime from `globalThis.process.versions.node`.
 *
 * ## Example
 * ```ts
 * detectRuntime(); // 'node' under Node.js, 'browser' in a bundle
 * ```
 */
export function detectRuntime(): Runtime {
  const proc = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof proc?.versions?.node === 'string' ? 'node' : 'browser';
}
