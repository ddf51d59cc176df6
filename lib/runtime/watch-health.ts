/**
 * Watch failures of a controller as data: the `watchError` result `run()` emits for every failure
 * a watch recovers from, and `WatchHealth`, which turns them into a liveness signal (are the
 * controller's watches progressing?) beside the store's readiness.
 *
 * @module
 */
import type { WatcherError } from './watcher-error.js';

/** Which watch of a controller: its primary watch, one made by `owns()`, or one made by `watches()`. */
export type WatchRole = 'primary' | 'owns' | 'watches';

/**
 * A failure of one of the controller's watches (a LIST or WATCH that failed and is retried with a
 * backoff), as an item of `run()`. `resource` is the watched kind when known.
 *
 * ## Example
 * ```ts
 * controller.run(reconcile, ErrorPolicy.backoff(), ctx).subscribe((r) => {
 *   if (r.type === 'watchError') console.warn(`${r.watch} watch of ${r.resource?.kind}: ${r.error.reason}`, r.error.message);
 * });
 * ```
 */
export interface WatchErrorResult {
  readonly type: 'watchError';
  readonly watch: WatchRole;
  readonly resource?: { readonly kind: string; readonly apiVersion: string } | undefined;
  readonly error: WatcherError;
}

interface WatchState {
  failing: boolean;
  lastErrorAt: number;
}

/**
 * The liveness of a controller's watches. A watch is failing from a failure until its next event,
 * or until `windowMs` pass without another failure (a watch that keeps failing reports again
 * within its largest backoff, 30 s; a recovered watch on a quiet resource sends no event). The
 * controller is live when no watch is failing.
 *
 * ## Example
 * ```ts
 * const health = new WatchHealth(60_000);
 * health.failed('primary', Date.now());
 * health.isLive(Date.now()); // false
 * health.progressed('primary');
 * health.isLive(Date.now()); // true
 * ```
 */
export class WatchHealth {
  private readonly watches = new Map<string, WatchState>();

  /** @param windowMs How long one failure keeps a watch failing when nothing follows. @default 60_000 */
  constructor(private readonly windowMs = 60_000) {}

  /** Watch `id` failed at `now`. */
  failed(id: string, now: number): void {
    const state = this.watches.get(id);
    if (state === undefined) this.watches.set(id, { failing: true, lastErrorAt: now });
    else {
      state.failing = true;
      state.lastErrorAt = now;
    }
  }

  /** Watch `id` delivered an event: it works. */
  progressed(id: string): void {
    const state = this.watches.get(id);
    if (state !== undefined) state.failing = false;
  }

  /** Forgets every watch (a new run starts). */
  reset(): void {
    this.watches.clear();
  }

  /** Whether no watch is failing at `now`. */
  isLive(now: number): boolean {
    for (const state of this.watches.values()) if (state.failing && now - state.lastErrorAt < this.windowMs) return false;
    return true;
  }
}
