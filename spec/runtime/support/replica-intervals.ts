// Intervals during which a replica was reconciling a key, as recorded by the sharding simulations, and the one
// check they all make of them: no key ran in two places at once.

/** One reconcile of `key` by `replica`, from `start` to `end` (open while it runs). */
export interface ReplicaInterval {
  readonly key: string;
  readonly replica: string;
  readonly start: number;
  end?: number;
}

/**
 * The overlapping pairs among `intervals`, per key, each described with both replicas and both intervals
 * (an open interval overlaps everything that starts after it).
 *
 * ## Example
 * ```ts
 * overlappingIntervals([{ key: 'a', replica: 'r1', start: 0, end: 5 }, { key: 'a', replica: 'r2', start: 3, end: 4 }]);
 * // → ['a: r1 [0, 5) and r2 [3, 4)']
 * ```
 */
export function overlappingIntervals(intervals: Iterable<ReplicaInterval>): string[] {
  const byKey = new Map<string, ReplicaInterval[]>();
  for (const interval of intervals) {
    const list = byKey.get(interval.key);
    if (list) list.push(interval);
    else byKey.set(interval.key, [interval]);
  }
  const out: string[] = [];
  for (const [key, list] of byKey) {
    const sorted = [...list].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      if (cur.start < (prev.end ?? Infinity)) out.push(`${key}: ${prev.replica} [${prev.start}, ${prev.end}) and ${cur.replica} [${cur.start}, ${cur.end})`);
    }
  }
  return out;
}
