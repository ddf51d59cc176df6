/**
 * Change predicates for {@link predicateFilter}: did an object's generation, resourceVersion,
 * labels, annotations or finalizers change since it was last seen? Each predicate is a compact
 * fingerprint of one aspect of an object; `and`, `or` and `not` combine them.
 *
 * @module
 */
import type { KubeObject } from '../core/resource.js';

/**
 * A change predicate: a tree of fingerprint functions. A leaf "changed" when its fingerprint
 * differs from the one last seen for the same object (a first sighting counts as changed).
 *
 * ## Example
 * ```ts
 * const p: Predicate<Deployment> = Predicates.or(Predicates.generation, Predicates.labels);
 * ```
 */
export type Predicate<K> =
  | { readonly kind: 'fingerprint'; readonly name: string; readonly fingerprint: (object: K) => string | number | undefined }
  | { readonly kind: 'and'; readonly of: readonly Predicate<K>[] }
  | { readonly kind: 'or'; readonly of: readonly Predicate<K>[] }
  | { readonly kind: 'not'; readonly of: Predicate<K> };

function sortedEntries(record: Readonly<Record<string, string>> | undefined): string {
  if (record === undefined) return '';
  const keys = Object.keys(record).sort();
  let out = '';
  for (const k of keys) out += `${k}\u0000${record[k]}\u0001`;
  return out;
}

/**
 * A predicate from a fingerprint function: it holds when the fingerprint changed.
 *
 * ## Example
 * ```ts
 * const replicas = predicate('replicas', (d: Deployment) => d.spec?.replicas);
 * ```
 */
export function predicate<K>(name: string, fingerprint: (object: K) => string | number | undefined): Predicate<K> {
  return { kind: 'fingerprint', name, fingerprint };
}

/**
 * The stock predicates (as controller-runtime's) and the combinators.
 *
 * ## Example
 * ```ts
 * watcher(api).pipe(predicateFilter(Predicates.and(Predicates.generation, Predicates.not(Predicates.finalizers))));
 * ```
 */
export const Predicates = Object.freeze({
  /** `metadata.generation` changed (spec changes; status-only updates are skipped). */
  generation: predicate<KubeObject>('generation', (o) => o.metadata?.generation),
  /** `metadata.resourceVersion` changed (any change at all). */
  resourceVersion: predicate<KubeObject>('resourceVersion', (o) => o.metadata?.resourceVersion),
  /** `metadata.labels` changed. */
  labels: predicate<KubeObject>('labels', (o) => sortedEntries(o.metadata?.labels)),
  /** `metadata.annotations` changed. */
  annotations: predicate<KubeObject>('annotations', (o) => sortedEntries(o.metadata?.annotations)),
  /** `metadata.finalizers` changed. */
  finalizers: predicate<KubeObject>('finalizers', (o) => (o.metadata?.finalizers ?? []).join('\u0000')),
  /** Every predicate holds. */
  and<K>(...of: Predicate<K>[]): Predicate<K> {
    return { kind: 'and', of };
  },
  /** At least one predicate holds. */
  or<K>(...of: Predicate<K>[]): Predicate<K> {
    return { kind: 'or', of };
  },
  /** The predicate does not hold. */
  not<K>(of: Predicate<K>): Predicate<K> {
    return { kind: 'not', of };
  },
});

/**
 * The fingerprint leaves of a predicate, in a fixed order (used by {@link predicateFilter}).
 *
 * ## Example
 * ```ts
 * predicateLeaves(Predicates.or(Predicates.generation, Predicates.labels)).length; // 2
 * ```
 */
export function predicateLeaves<K>(p: Predicate<K>, out: ((object: K) => string | number | undefined)[] = []): ((object: K) => string | number | undefined)[] {
  switch (p.kind) {
    case 'fingerprint':
      out.push(p.fingerprint);
      break;
    case 'and':
    case 'or':
      for (const q of p.of) predicateLeaves(q, out);
      break;
    case 'not':
      predicateLeaves(p.of, out);
      break;
  }
  return out;
}

/**
 * Evaluates a predicate given which leaves changed (`changed[i]` for the i-th leaf of
 * {@link predicateLeaves}). Returns the verdict and the next leaf position.
 *
 * ## Example
 * ```ts
 * evaluatePredicate(Predicates.not(Predicates.labels), [false]).holds; // true
 * ```
 */
export function evaluatePredicate<K>(p: Predicate<K>, changed: readonly boolean[], at = 0): { holds: boolean; next: number } {
  switch (p.kind) {
    case 'fingerprint':
      return { holds: changed[at] === true, next: at + 1 };
    case 'not': {
      const r = evaluatePredicate(p.of, changed, at);
      return { holds: !r.holds, next: r.next };
    }
    case 'and':
    case 'or': {
      let holds = p.kind === 'and';
      let next = at;
      for (const q of p.of) {
        const r = evaluatePredicate(q, changed, next);
        next = r.next;
        holds = p.kind === 'and' ? holds && r.holds : holds || r.holds;
      }
      return { holds, next };
    }
  }
}
