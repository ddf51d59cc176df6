/**
 * Kubernetes' syntax rules for label keys and values (the same rules the API server applies to
 * `metadata.labels` and to label selectors), as small pure checks that explain what is wrong.
 *
 * @module
 */

/**
 * The longest label value, and the longest name part of a key.
 *
 * ## Example
 * ```ts
 * isValidLabelValue('x'.repeat(MAX_LABEL_NAME_LENGTH + 1)); // false
 * ```
 */
export const MAX_LABEL_NAME_LENGTH = 63;
/**
 * The longest key prefix (a DNS subdomain).
 *
 * ## Example
 * ```ts
 * isValidLabelKey(`${'a'.repeat(MAX_LABEL_PREFIX_LENGTH)}/x`); // true
 * ```
 */
export const MAX_LABEL_PREFIX_LENGTH = 253;

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Why `key` is not a valid label key, or `undefined` when it is. A key is an optional DNS
 * subdomain prefix (at most 253 characters) and `/`, then a name of at most 63 characters
 * matching `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`.
 *
 * ## Example
 * ```ts
 * labelKeyProblem('app.kubernetes.io/name'); // undefined
 * labelKeyProblem('-bad');                   // 'name part must ...'
 * ```
 */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    if (prefix.length === 0) return 'prefix part must not be empty';
    if (prefix.length > MAX_LABEL_PREFIX_LENGTH) return `prefix part must be at most ${MAX_LABEL_PREFIX_LENGTH} characters`;
    if (!prefix.split('.').every((part) => DNS_LABEL.test(part))) {
      return 'prefix part must be a lowercase DNS subdomain (e.g. example.com)';
    }
  }
  if (name.length === 0) return 'name part must not be empty';
  if (name.length > MAX_LABEL_NAME_LENGTH) return `name part must be at most ${MAX_LABEL_NAME_LENGTH} characters`;
  if (!NAME.test(name)) {
    return 'name part must be alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric character';
  }
  return undefined;
}

/**
 * Why `value` is not a valid label value, or `undefined` when it is. A value is empty, or at
 * most 63 characters matching `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`.
 *
 * ## Example
 * ```ts
 * labelValueProblem('v1.2'); // undefined
 * labelValueProblem('a b');  // 'must be ...'
 * ```
 */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > MAX_LABEL_NAME_LENGTH) return `must be at most ${MAX_LABEL_NAME_LENGTH} characters`;
  if (!NAME.test(value)) {
    return 'must be empty or alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric character';
  }
  return undefined;
}

/**
 * Whether `key` is a valid label key.
 *
 * ## Example
 * ```ts
 * isValidLabelKey('example.com/tier'); // true
 * ```
 */
export function isValidLabelKey(key: string): boolean {
  return labelKeyProblem(key) === undefined;
}

/**
 * Whether `value` is a valid label value.
 *
 * ## Example
 * ```ts
 * isValidLabelValue(''); // true
 * ```
 */
export function isValidLabelValue(value: string): boolean {
  return labelValueProblem(value) === undefined;
}
