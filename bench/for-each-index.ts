// Runs an async step for every index below a count with a fixed number in flight: how the benchmarks create
// and change thousands of objects without opening thousands of requests at once.

/**
 * Calls `step(i)` for i = 0 … count-1, at most `parallel` at a time; rejects with the first failure.
 *
 * ## Example
 * ```ts
 * await forEachIndex(10_000, (i) => api.patch(`cm-${i}`, patch), 32);
 * ```
 */
export async function forEachIndex(count: number, step: (i: number) => Promise<unknown>, parallel = 32): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) await step(next++);
    }),
  );
}
