/**
 * A Node `Readable` over an Observable of bytes whose producer can be paused: the Observable is
 * subscribed at the first `read()`, and when `push()` says the Readable's buffer is full the producer
 * is paused until Node asks for more (`_read`), so a slow reader slows the WebSocket.
 *
 * @module
 */
import { Readable } from 'node:stream';
import type { Observable, Subscription } from 'rxjs';
import type { PauseGroup } from './pause-group.js';

/**
 * Options of the Node stream adapters.
 *
 * ## Example
 * ```ts
 * const { stdout } = execStreams(session, { highWaterMark: 256 * 1024 });
 * ```
 */
export interface NodeStreamOptions {
  /** Bytes buffered in each Node stream before it pushes back (the pod stream pauses, or writes wait). @default 64 KiB */
  highWaterMark?: number;
}

/** Default of {@link NodeStreamOptions.highWaterMark}. */
export const DEFAULT_NODE_HIGH_WATER_MARK = 64 * 1024;

/**
 * A Readable of `source`, holding `group` under `key` while its buffer is full.
 *
 * ## Example
 * ```ts
 * const stdout = observableReadable(session.stdout, pauseGroupOf(session), 'stdout', {});
 * stdout.pipe(process.stdout);
 * ```
 */
export function observableReadable(source: Observable<Uint8Array>, group: PauseGroup, key: string, options: NodeStreamOptions): Readable {
  let subscription: Subscription | undefined;
  const readable: Readable = new Readable({
    highWaterMark: options.highWaterMark ?? DEFAULT_NODE_HIGH_WATER_MARK,
    read() {
      group.hold(key, false);
      subscription ??= source.subscribe({
        next: (chunk) => {
          if (!readable.push(chunk)) group.hold(key, true);
        },
        complete: () => readable.push(null),
        error: (error: unknown) => readable.destroy(error instanceof Error ? error : new Error(String(error))),
      });
    },
    destroy(error, callback) {
      subscription?.unsubscribe();
      subscription = undefined;
      group.hold(key, false);
      callback(error);
    },
  });
  return readable;
}
