/**
 * The default plural resource name of a kind, for definitions that do not give one.
 *
 * @module
 */
import { guessPlural } from '../core/api-resource.js';

/**
 * Lower-cases a kind and applies simple English pluralization (core's {@link guessPlural}): `-s`,
 * `-x`, `-z`, `-ch`, `-sh` take `-es` (`Ingress` → `ingresses`), a consonant followed by `-y`
 * becomes `-ies` (`Policy` → `policies`, but `Gateway` → `gateways`), anything else takes `-s`.
 * Irregular nouns are not handled: pass `plural` explicitly for those.
 *
 * ## Example
 * ```ts
 * pluralize('Widget'); // 'widgets'
 * pluralize('NetworkPolicy'); // 'networkpolicies'
 * ```
 */
export function pluralize(kind: string): string {
  return guessPlural(kind);
}
