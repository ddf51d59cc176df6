/**
 * A token bucket on a `SchedulerLike` clock: the overall limit on retries that controller-runtime
 * puts over its per-object backoff (`BucketRateLimiter`, 10 per second with a burst of 100), so
 * that a failure of every object at once (the API server is down) does not turn into a storm of
 * retries.
 *
 * @module
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';

/** Settings of a {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Tokens added per second. @default 10 */
  qps?: number;
  /** Tokens the bucket holds at most (and starts with). @default 100 */
  burst?: number;
}

/**
 * A token bucket whose reservations always succeed but may have to wait: {@link TokenBucket.reserve}
 * takes a token and returns how long to wait for it, as Go's `rate.Limiter.Reserve`. With the
 * default 10 qps and burst 100, the first 100 reservations wait 0 ms, and the next wait 100 ms,
 * 200 ms, … more each.
 *
 * ## Example
 * ```ts
 * const bucket = new TokenBucket({ qps: 10, burst: 100 });
 * const delayMs = Math.max(perObjectBackoffMs, bucket.reserve());
 * ```
 */
export class TokenBucket {
  private readonly qps: number;
  private readonly burst: number;
  private tokens: number;
  private last: number;

  /**
   * @param options Rate and burst.
   * @param clock The clock (a `TestScheduler` in tests).
   */
  constructor(
    options: TokenBucketOptions = {},
    private readonly clock: SchedulerLike = asyncScheduler,
  ) {
    const qps = options.qps ?? 10;
    const burst = options.burst ?? 100;
    if (!(qps > 0) || !(burst >= 1)) throw new RangeError(`TokenBucket: qps must be > 0 and burst ≥ 1, got qps ${qps}, burst ${burst}`);
    this.qps = qps;
    this.burst = burst;
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Takes one token; returns the ms to wait until it is really there (0 when the bucket had one). */
  reserve(): number {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.qps) / 1000);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.qps);
  }
}
