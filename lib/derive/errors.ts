/**
 * Errors raised while defining custom resources and merging their versions into one CRD.
 * (Schema problems have their own: `StructuralSchemaError` in structural.ts and
 * `SchemaValidationError` in validator.ts.)
 *
 * @module
 */
import { ERROR_BRAND, KubeError, type KubeErrorOptions } from '../core/errors.js';

/** What is wrong with a definition passed to `defineCustomResource`. */
export type DefinitionErrorReason =
  | 'invalidGroup'
  | 'invalidVersion'
  | 'invalidKind'
  | 'invalidNames'
  | 'invalidScale'
  | 'invalidPrinterColumn'
  | 'invalidSelectableField'
  | 'invalidDeprecation';

/**
 * A custom resource definition is malformed (bad group, names, scale paths, printer columns...);
 * raised by `defineCustomResource` before any manifest exists.
 *
 * ## Example
 * ```ts
 * expect(() => defineCustomResource({ ...init, group: 'nodot' })).toThrow(DefinitionError);
 * ```
 */
export class DefinitionError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.DefinitionError';
  override readonly name: string = 'DefinitionError';
  constructor(
    readonly reason: DefinitionErrorReason,
    message: string,
    options: KubeErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** Why versions could not be merged into one CRD. */
export type CrdMergeErrorReason =
  | 'noVersions'
  | 'groupMismatch'
  | 'kindMismatch'
  | 'scopeMismatch'
  | 'namesMismatch'
  | 'duplicateVersion'
  | 'noStorageVersion'
  | 'multipleStorageVersions';

/**
 * Definitions given to `mergeCrdVersions` cannot form one CRD: they disagree on group, kind,
 * scope or names, repeat a version, or do not have exactly one storage version.
 *
 * ## Example
 * ```ts
 * try { mergeCrdVersions(WidgetV1, WidgetV2); } catch (e) {
 *   if (e instanceof CrdMergeError && e.reason === 'multipleStorageVersions') console.error(e.context.versions);
 * }
 * ```
 */
export class CrdMergeError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.CrdMergeError';
  override readonly name: string = 'CrdMergeError';
  constructor(
    readonly reason: CrdMergeErrorReason,
    message: string,
    options: KubeErrorOptions = {},
  ) {
    super(message, options);
  }
}
