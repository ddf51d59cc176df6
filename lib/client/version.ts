/**
 * The version of rxkube, sent in the default `User-Agent` (`rxkube/<version> (node|browser)`).
 * Kept equal to `package.json` by `spec/client/version.spec.ts`.
 *
 * @module
 */

/**
 * rxkube's version.
 *
 * ## Example
 * ```ts
 * console.log(`running rxkube ${VERSION}`);
 * ```
 */
export const VERSION = '0.1.0';
