/**
 * Node streams over an exec or attach session, for code that pipes: stdout and stderr as `Readable`s,
 * stdin as a `Writable`. Back-pressure both ways: a full Readable pauses the session (the process's
 * output waits in the network and the server, and a process that writes more blocks), and a write
 * calls back only once the WebSocket's send buffer is below the high-water mark.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import type { ExecSession } from '../client/exec-session.js';
import { DEFAULT_NODE_HIGH_WATER_MARK, type NodeStreamOptions, observableReadable } from './observable-readable.js';
import { pauseGroupOf } from './pause-group.js';
import { whenDrained } from './when-drained.js';

/**
 * The Node streams of an {@link ExecSession}.
 *
 * ## Example
 * ```ts
 * const { stdout, stderr, stdin } = execStreams(await pods.exec('web-0', ['gzip'], { stdin: true }));
 * await Promise.all([pipeline(createReadStream('big.log'), stdin), pipeline(stdout, createWriteStream('big.log.gz'))]);
 * ```
 */
export interface ExecStreams {
  /**
   * The process's stdout; subscribed at its first read. Errors with the session's `PodStreamError`
   * (`connectionLost`, `execFailed`): listen for `'error'` or use `pipeline`.
   */
  readonly stdout: Readable;
  /** The process's stderr; read it too (or ask for `stderr: false`), or a full stderr stalls stdout. */
  readonly stderr: Readable;
  /** The process's stdin; `end()` half-closes it (v5.channel.k8s.io). */
  readonly stdin: Writable;
}

/**
 * Adapts `session` to Node streams. Make them once per session.
 *
 * ## Example
 * ```ts
 * const session = await pods.exec('web-0', ['cat'], { stdin: true });
 * const { stdout, stdin } = execStreams(session);
 * stdout.pipe(process.stdout);
 * process.stdin.pipe(stdin);
 * ```
 */
export function execStreams(session: ExecSession, options: NodeStreamOptions = {}): ExecStreams {
  const group = pauseGroupOf(session);
  const highWaterMark = options.highWaterMark ?? DEFAULT_NODE_HIGH_WATER_MARK;
  let ended = false;
  const markEnded = (): void => {
    ended = true;
  };
  session.exit.then(markEnded, markEnded);
  const stdin = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, callback) {
      session.stdin.write(chunk);
      whenDrained(() => session.stdin.bufferedAmount, highWaterMark, () => ended, () => callback());
    },
    final(callback) {
      session.stdin.end();
      callback();
    },
  });
  return {
    stdout: observableReadable(session.stdout, group, 'stdout', options),
    stderr: observableReadable(session.stderr, group, 'stderr', options),
    stdin,
  };
}
