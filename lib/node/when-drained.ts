/**
 * Waiting for a WebSocket's send buffer to drain, for the Writable side of the Node adapters.
 *
 * @module
 */

/**
 * Calls `done` once `buffered()` is at most `limit` or `ended()` is true, checking every few
 * milliseconds (a WebSocket has no drain event).
 *
 * ## Example
 * ```ts
 * whenDrained(() => session.stdin.bufferedAmount, 64 * 1024, () => ended, callback);
 * ```
 */
export function whenDrained(buffered: () => number, limit: number, ended: () => boolean, done: () => void): void {
  if (buffered() <= limit || ended()) return done();
  const timer = setInterval(() => {
    if (buffered() <= limit || ended()) {
      clearInterval(timer);
      done();
    }
  }, 2);
}
