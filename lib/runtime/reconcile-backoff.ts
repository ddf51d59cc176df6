/**
 * Per-object exponential backoff for failed reconciles, the algorithm of controller-runtime's
 * `ItemExponentialFailureRateLimiter`: each key has its own failure count, so one failing object
 * never delays the others.
 *
 * @module
 */

/** Settings of {@link ReconcileBackoff}. */
export interface ReconcileBackoffOptions {
  /** Delay after the first failure, in ms. @default 5 */
  baseMs?: number;
  /** Upper bound of the delay, in ms. @default 1_000_000 (1000 s) */
  maxMs?: number;
  /** Growth factor per consecutive failure. @default 2 */
  factor?: number;
}

/**
 * Failure counts per key and the delay each count earns: `baseMs × factor^(failures−1)`, capped at
 * `maxMs`. {@link ReconcileBackoff.forget} (on success) resets a key. Memory is one number per
 * currently failing key.
 *
 * ## Example
 * ```ts
 * const backoff = new ReconcileBackoff();
 * backoff.fail('ns/a'); // 5
 * backoff.fail('ns/a'); // 10
 * backoff.fail('ns/b'); // 5: other keys are unaffected
 * backoff.forget('ns/a');
 * backoff.fail('ns/a'); // 5 again
 * ```
 */
export class ReconcileBackoff {
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly counts = new Map<string, number>();

  constructor(options: ReconcileBackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 5;
    this.maxMs = options.maxMs ?? 1_000_000;
    this.factor = options.factor ?? 2;
  }

  /** Records a failure of `key`; returns its consecutive failure count and delay. */
  fail(key: string): { failures: number; backoffMs: number } {
    const failures = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, failures);
    return { failures, backoffMs: this.delay(failures) };
  }

  /** The delay earned by the `failures`-th consecutive failure. */
  delay(failures: number): number {
    const raw = this.baseMs * Math.pow(this.factor, Math.max(0, failures - 1));
    return Number.isFinite(raw) ? Math.min(raw, this.maxMs) : this.maxMs;
  }

  /** Consecutive failures of `key` so far (0 when it last succeeded). */
  failures(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Resets `key` after a success (or when the object is gone). */
  forget(key: string): void {
    this.counts.delete(key);
  }

  /** Number of keys currently failing. */
  get size(): number {
    return this.counts.size;
  }
}
