/**
 * The retry delay policy of watchers (and anything else that retries a stream): exponential,
 * capped, jittered, and reset after a quiet period. Pure: the random source and the clock are
 * passed in, so tests pin every delay.
 *
 * @module
 */

/**
 * How retry delays grow. Delays are `initialMs × factor^attempt`, capped at `maxMs`, then spread
 * by `jitter`; `resetAfterMs` without a failure starts over at `initialMs`.
 */
export interface BackoffPolicy {
  /** The first delay. @default 800 */
  readonly initialMs: number;
  /** The longest delay. @default 30000 */
  readonly maxMs: number;
  /** Growth per consecutive failure. @default 2 */
  readonly factor: number;
  /**
   * Spread of each delay, from 0 (none) to 1: the delay is drawn uniformly from
   * `[d × (1 − jitter), d × (1 + jitter)]` and then capped at `maxMs`. @default 0.5
   */
  readonly jitter: number;
  /** A failure this long after the previous one starts again from `initialMs`. @default 120000 */
  readonly resetAfterMs: number;
  /**
   * The longest delay after a refused connection (`ECONNREFUSED`: nothing listens, e.g. the API
   * server is restarting), which costs the server nothing; used by watchers. @default 1000
   */
  readonly refusedMaxMs: number;
}

/** Where a backoff sequence stands: how many failures in a row, and when the last one happened. */
export interface BackoffState {
  readonly attempt: number;
  /** Scheduler time of the last failure, or `undefined` before the first one. */
  readonly lastFailureAt: number | undefined;
}

/** The state before any failure. */
export const INITIAL_BACKOFF_STATE: BackoffState = Object.freeze({ attempt: 0, lastFailureAt: undefined });

/**
 * The default policy, as kube-rs and client-go's reflector use it: 800 ms → 30 s, ×2, jittered,
 * reset after 120 s without errors.
 *
 * ## Example
 * ```ts
 * const slow = { ...defaultBackoffPolicy(), maxMs: 60_000 };
 * watcher(api, { backoff: slow });
 * ```
 */
export function defaultBackoffPolicy(): BackoffPolicy {
  return { initialMs: 800, maxMs: 30_000, factor: 2, jitter: 0.5, resetAfterMs: 120_000, refusedMaxMs: 1000 };
}

/**
 * Computes the delay before the next retry after a failure at time `now`, and the state to keep.
 * `random` returns a number in `[0, 1)`; `() => 0.5` gives the un-jittered delay.
 *
 * ## Example
 * ```ts
 * let s = INITIAL_BACKOFF_STATE;
 * const p = defaultBackoffPolicy();
 * const a = nextBackoff(p, s, 0, () => 0.5);      // a.delayMs === 800
 * const b = nextBackoff(p, a.state, 1000, () => 0.5); // b.delayMs === 1600
 * ```
 */
export function nextBackoff(
  policy: BackoffPolicy,
  state: BackoffState,
  now: number,
  random: () => number = Math.random,
): { delayMs: number; state: BackoffState } {
  const quiet = state.lastFailureAt === undefined || now - state.lastFailureAt >= policy.resetAfterMs;
  const attempt = quiet ? 0 : state.attempt;
  const base = Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.factor, attempt));
  const spread = base * policy.jitter * (2 * random() - 1);
  const delayMs = Math.max(0, Math.min(policy.maxMs, Math.round(base + spread)));
  return { delayMs, state: { attempt: attempt + 1, lastFailureAt: now } };
}

/**
 * A small stateful wrapper over {@link nextBackoff} for one retry sequence.
 *
 * ## Example
 * ```ts
 * const b = new Backoff(defaultBackoffPolicy(), () => 0.5);
 * b.next(scheduler.now()); // 800
 * b.next(scheduler.now()); // 1600
 * b.reset();
 * ```
 */
export class Backoff {
  private state: BackoffState = INITIAL_BACKOFF_STATE;

  constructor(
    readonly policy: BackoffPolicy = defaultBackoffPolicy(),
    private readonly random: () => number = Math.random,
  ) {}

  /** Records a failure at `now` and returns the delay before retrying. */
  next(now: number): number {
    const r = nextBackoff(this.policy, this.state, now, this.random);
    this.state = r.state;
    return r.delayMs;
  }

  /** Forgets past failures (after a success that proves the connection is healthy). */
  reset(): void {
    this.state = INITIAL_BACKOFF_STATE;
  }

  /** Consecutive failures so far. */
  get attempt(): number {
    return this.state.attempt;
  }
}
