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
 * The static key under which an error class names its brand (`'rxkube.ApiError'`, ...): the name
 * `instanceof` and the `isXxx()` guards recognise across copies of rxkube (see {@link KubeError}).
 * A subclass without a brand of its own gets the ordinary `instanceof` of one copy; give yours one
 * (a name no other class uses) when the class may be loaded twice.
 *
 * ## Example
 * ```ts
 * class QuotaError extends KubeError {
 *   static override readonly [ERROR_BRAND]: string = 'example.com.QuotaError';
 * }
 * ```
 */
export const ERROR_BRAND: unique symbol = Symbol.for('rxkube.errorBrand');

/** The instance key holding the brands of every rxkube class an error was made by (non-enumerable). */
const INSTANCE_BRANDS: unique symbol = Symbol.for('rxkube.errorBrands');

type Branded = { readonly [ERROR_BRAND]?: string };

function ownBrand(c: unknown): string | undefined {
  return typeof c === 'function' && Object.prototype.hasOwnProperty.call(c, ERROR_BRAND) ? (c as Branded)[ERROR_BRAND] : undefined;
}

/**
 * Whether `instance` was made by the class `c` of any copy of rxkube: the same module (the prototype
 * test), or another copy such as the CommonJS build when `c` is from the ES module build (the dual
 * package hazard), recognised by the brand the constructor stamped on it.
 */
function isInstanceOf(c: abstract new (...args: never[]) => unknown, instance: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(c, instance)) return true;
  const brand = ownBrand(c);
  if (brand === undefined || typeof instance !== 'object' || instance === null) return false;
  const brands = (instance as { [INSTANCE_BRANDS]?: unknown })[INSTANCE_BRANDS];
  return Array.isArray(brands) && brands.includes(brand);
}

/**
 * Base class of every rxkube error.
 *
 * **Across copies of rxkube.** rxkube ships an ES module and a CommonJS build; an app that loads
 * both (`import` in one file, `require` in another, common with Jest and NestJS) has two copies of
 * every class. Each rxkube error class therefore carries a brand (`Symbol.for('rxkube.errorBrand')`),
 * every error records the brands of its classes, and `instanceof` (through `Symbol.hasInstance`) and
 * the `isXxx()` guards accept an error made by either copy. Subclasses you write get the ordinary
 * `instanceof` of one copy.
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
  static readonly [ERROR_BRAND]: string = 'rxkube.KubeError';

  /** `instanceof` for this class and every subclass: see "Across copies of rxkube" above. */
  static override [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, instance: unknown): instance is T {
    return isInstanceOf(this, instance);
  }

  override readonly name: string = 'KubeError';
  /** What was being worked on when the failure happened. */
  readonly context: ErrorContext;

  constructor(message: string, options: KubeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.context = options.context ?? {};
    // Keep `instanceof` working when compiled to older targets or across realms of the same class.
    Object.setPrototypeOf(this, new.target.prototype);
    const brands: string[] = [];
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      const brand = ownBrand(c);
      if (brand !== undefined) brands.push(brand);
    }
    Object.defineProperty(this, INSTANCE_BRANDS, { value: Object.freeze(brands), enumerable: false });
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
  static override readonly [ERROR_BRAND]: string = 'rxkube.InvalidRequestError';
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
