/**
 * The root of rxkube's error hierarchy. Every error rxkube throws or emits is a `KubeError`,
 * so callers can tell library failures from their own with one `instanceof` check.
 *
 * @module
 */

/** Free-form context attached to an error (the object, field, file, or request involved). */
export type ErrorContext = Readonly<Record<string, unknown>>;

/** Options accepted by every rxkube error constructor. */
export interface KubeErrorOptions {
  /** The underlying failure, kept intact for debugging. */
  cause?: unknown;
  /** What was being worked on when the failure happened. Never put credentials here. */
  context?: ErrorContext;
}

/**
 * Base class of every rxkube error.
 *
 * ## Example
 * ```ts
 * try {
 *   await api.get('missing');
 * } catch (e) {
 *   if (e instanceof KubeError) console.error(e.name, e.message, e.context);
 * }
 * ```
 */
export class KubeError extends Error {
  override readonly name: string = 'KubeError';
  /** What was being worked on when the failure happened. */
  readonly context: ErrorContext;

  constructor(message: string, options: KubeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.context = options.context ?? {};
    // Keep `instanceof` working when compiled to older targets or across realms of the same class.
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** Reason codes of {@link InvalidRequestError}. */
export type InvalidRequestReason =
  | 'invalidParams'
  | 'missingName'
  | 'missingNamespace'
  | 'unsupportedPatch'
  | 'invalidSelector';

/**
 * Raised by `core` before any request exists, when parameters cannot form a valid request
 * (for example `force` without server-side apply, or an apply patch without a field manager).
 *
 * ## Example
 * ```ts
 * expect(() => builder.patch('x', Patch.merge({}), { force: true })).toThrow(InvalidRequestError);
 * ```
 */
export class InvalidRequestError extends KubeError {
  override readonly name: string = 'InvalidRequestError';
  constructor(
    readonly reason: InvalidRequestReason,
    message: string,
    options: KubeErrorOptions = {},
  ) {
    super(message, options);
  }
}

/**
 * Type guard for {@link KubeError}.
 *
 * ## Example
 * ```ts
 * if (isKubeError(err)) console.log(err.context);
 * ```
 */
export function isKubeError(e: unknown): e is KubeError {
  return e instanceof KubeError;
}
