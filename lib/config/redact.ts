/**
 * Redaction for objects that hold secrets (tokens, keys, passwords): `util.inspect`, `console.log`
 * and `JSON.stringify` see a secret-free view instead of the object itself.
 *
 * @module
 */

/** The symbol `util.inspect` looks for; shared through the global registry, so `util` need not be imported. */
export const inspectSymbol: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;

/** What a secret is replaced with in every view. */
export const REDACTED = '<redacted>';

/**
 * Makes `util.inspect(target)` and `JSON.stringify(target)` show `view()` instead of `target`'s own
 * fields. The hooks are non-enumerable, so spreading or `toEqual` see the plain data unchanged.
 *
 * ## Example
 * ```ts
 * const tls = withRedactedView({ key: pem }, () => ({ key: REDACTED }));
 * util.inspect(tls); // "{ key: '<redacted>' }"
 * ```
 */
export function withRedactedView<T extends object>(target: T, view: () => unknown): T {
  Object.defineProperty(target, 'toJSON', { value: view, enumerable: false, configurable: true });
  Object.defineProperty(target, inspectSymbol, { value: view, enumerable: false, configurable: true });
  return target;
}

/**
 * Describes a secret by its size only, e.g. `'<redacted, 1675 chars>'`; `undefined` stays `undefined`.
 *
 * ## Example
 * ```ts
 * redactValue('abc'); // '<redacted, 3 chars>'
 * ```
 */
export function redactValue(secret: string | undefined): string | undefined {
  return secret === undefined ? undefined : `<redacted, ${secret.length} chars>`;
}
