/**
 * The default plural resource name of a kind, for definitions that do not give one.
 *
 * @module
 */

/**
 * Lower-cases a kind and applies simple English pluralization: `-s`, `-x`, `-z`, `-ch`, `-sh`
 * take `-es` (`Ingress` → `ingresses`), a consonant followed by `-y` becomes `-ies`
 * (`Policy` → `policies`, but `Gateway` → `gateways`), anything else takes `-s`. Irregular
 * nouns are not handled: pass `plural` explicitly for those.
 *
 * ## Example
 * ```ts
 * pluralize('Widget'); // 'widgets'
 * pluralize('NetworkPolicy'); // 'networkpolicies'
 * ```
 */
export function pluralize(kind: string): string {
  const word = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}
