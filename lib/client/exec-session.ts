/**
 * A running `exec` or `attach`: the channel protocol of `rxkube/core` driven over an open
 * {@link StreamSocket}. stdout and stderr are Observables of bytes, stdin is written to and ended
 * (on `v5.channel.k8s.io` ending it half-closes, so the process reads EOF; `v4` has no way to say so),
 * a TTY can be resized, and `exit` settles once: with the exit code (a non-zero exit is a value), or a
 * {@link PodStreamError}.
 *
 * Back-pressure: output is read from the socket only as fast as it is taken. Output waiting for the
 * first subscriber of stdout or stderr is held up to a high-water mark (1 MiB each by default), past
 * which the socket is paused until that stream is subscribed; a consumer that cannot keep up with
 * synchronous delivery calls {@link ExecSession.pause} / {@link ExecSession.resume} (the Node adapters
 * of `rxkube/node` do). Paused, the bytes wait in the network and the server, so memory stays bounded.
 * Runtimes whose WebSocket cannot pause (browsers) hold output until it is subscribed.
 *
 * @module
 */
import type { Observable } from 'rxjs';
import { Channel, decodeFrame, encodeClose, encodeFrame, encodeResize, supportsCloseSignal, type TerminalSize } from '../core/channel-protocol.js';
import { DecodeError } from '../core/error-boundary.js';
import { type ExecExit, exitFromStatus, parseErrorChannel } from '../core/exec-status.js';
import { PodStreamError } from '../core/pod-stream-error.js';
import { ByteStream } from './byte-stream.js';
import type { StreamSocket } from './web-socket.js';

/**
 * The stdin of a session.
 *
 * ## Example
 * ```ts
 * session.stdin.write('hello\n');
 * session.stdin.end(); // the process reads EOF (v5.channel.k8s.io)
 * ```
 */
export interface StdinWriter {
  /** Sends bytes (a string is sent as UTF-8). Ignored after `end()` or once the session ended. */
  write(data: Uint8Array | string): void;
  /** No more input: on v5 the process reads EOF; on v4 nothing can be sent (see `canHalfClose`). */
  end(): void;
  /** Whether `end()` reaches the process (the server speaks `v5.channel.k8s.io`). */
  readonly canHalfClose: boolean;
  /** Bytes written and not yet sent to the network (for pacing writes; the Node `Writable` of `rxkube/node` waits on it). */
  readonly bufferedAmount: number;
}

/**
 * A running exec or attach.
 *
 * ## Example
 * ```ts
 * const session = await pods.exec('web-0', ['sh', '-c', 'cat; echo done >&2'], { stdin: true });
 * session.stdout.subscribe((b) => process.stdout.write(b));
 * session.stdin.write('hi\n');
 * session.stdin.end();
 * const { exitCode } = await session.exit;
 * ```
 */
export interface ExecSession {
  /** The negotiated subprotocol (`v5.channel.k8s.io` or `v4.channel.k8s.io`). */
  readonly protocol: string;
  /** The process's stdout; what arrived before the first subscriber is given to it first. Completes at the end. */
  readonly stdout: Observable<Uint8Array>;
  /** The process's stderr (empty with a TTY, which merges it into stdout). */
  readonly stderr: Observable<Uint8Array>;
  readonly stdin: StdinWriter;
  /** Resizes the TTY. Throws `InvalidRequestError` for sizes outside 0–65535. */
  resize(size: TerminalSize): void;
  /**
   * How the process ended: `{ exitCode }` (0 or not), or a {@link PodStreamError}: `execFailed` (the
   * command could not run; the Status says why), `connectionLost` (closed without an exit status,
   * also after {@link ExecSession.close}), `protocolError`. Never an unhandled rejection.
   */
  readonly exit: Promise<ExecExit>;
  /**
   * Stops reading from the WebSocket (back-pressure for a consumer that cannot keep up: the process's
   * output waits in the network and the server, and a process that writes more blocks). Affects stdout,
   * stderr and the exit status alike. A no-op where the runtime cannot pause (browsers).
   */
  pause(): void;
  /** Reads again after {@link ExecSession.pause}, unless output held for a missing subscriber still holds it. */
  resume(): void;
  /** Closes the WebSocket; the remote process's stdin reaches EOF and its output is no longer read. */
  close(): void;
}

/**
 * Options of {@link execSession}.
 *
 * ## Example
 * ```ts
 * const session = execSession(socket, { pod: 'web-0' }, { highWaterMark: 256 * 1024 });
 * ```
 */
export interface ExecSessionOptions {
  /**
   * Bytes of stdout (and, apart, of stderr) held for a stream nobody has subscribed to yet, past which
   * the socket is paused until it is subscribed. Subscribe to both streams you asked for, or a process
   * that fills the one you ignore stalls the other. @default 1 MiB
   */
  highWaterMark?: number;
}

/** Default of {@link ExecSessionOptions.highWaterMark}. */
export const DEFAULT_EXEC_HIGH_WATER_MARK = 1024 * 1024;

/** The longest error-channel message kept (a Status is a few hundred bytes). */
const MAX_ERROR_BYTES = 64 * 1024;

/**
 * Runs the channel protocol over `socket` (already open) and returns the session.
 * `context` (pod, namespace, container) goes into every error.
 *
 * ## Example
 * ```ts
 * const session = execSession(await client.openWebSocket(request, EXEC_PROTOCOLS), { pod: 'web-0', namespace: 'default' });
 * ```
 */
export function execSession(socket: StreamSocket, context: Readonly<Record<string, unknown>> = {}, options: ExecSessionOptions = {}): ExecSession {
  const protocol = socket.protocol;
  const closeSignal = supportsCloseSignal(protocol);
  const highWaterMark = options.highWaterMark ?? DEFAULT_EXEC_HIGH_WATER_MARK;
  const errorChunks: Uint8Array[] = [];
  let errorBytes = 0;
  let stdinEnded = false;
  let finished = false;
  let closedByUs = false;
  let pausedByUser = false;
  let socketPaused = false;
  // Pauses the socket while the user asks so or a stream's held output passes the high-water mark;
  // once the session ends or we close it, reading goes on (the close handshake needs it).
  const flow = (): void => {
    const wanted = !finished && !closedByUs && (pausedByUser || stdout.heldBytes > highWaterMark || stderr.heldBytes > highWaterMark);
    if (wanted === socketPaused) return;
    socketPaused = wanted;
    if (wanted) socket.pause?.();
    else socket.resume?.();
  };
  const stdout: ByteStream = new ByteStream({ onRelease: flow });
  const stderr: ByteStream = new ByteStream({ onRelease: flow });
  let settle!: { resolve: (v: ExecExit) => void; reject: (e: unknown) => void };
  const exit = new Promise<ExecExit>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Whoever holds the session decides whether to look at `exit`; an unobserved failure is not a crash.
  exit.catch(() => undefined);

  const fail = (error: PodStreamError | DecodeError): void => {
    if (finished) return;
    finished = true;
    const e = error instanceof DecodeError ? new PodStreamError('protocolError', error.message, { cause: error, context }) : error;
    stdout.fail(e);
    stderr.fail(e);
    settle.reject(e);
    flow();
    socket.close(1000);
  };

  const finish = (code: number, reason: string): void => {
    if (finished) return;
    if (errorBytes === 0 && !closedByUs) {
      // No exit status and not our doing: the stream was cut, and so was the output.
      const tail = reason === '' ? '' : `, ${reason}`;
      return fail(new PodStreamError('connectionLost', `the server closed the stream without an exit status (close code ${code}${tail})`, { context }));
    }
    finished = true;
    flow();
    stdout.end();
    stderr.end();
    if (errorBytes === 0) {
      settle.reject(new PodStreamError('connectionLost', 'the session was closed before the process ended', { context }));
      return;
    }
    const data = new Uint8Array(errorBytes);
    let at = 0;
    for (const chunk of errorChunks) {
      data.set(chunk, at);
      at += chunk.length;
    }
    const status = parseErrorChannel(data);
    const outcome = status instanceof DecodeError ? new PodStreamError('protocolError', status.message, { cause: status, context }) : exitFromStatus(status, context);
    if (outcome instanceof PodStreamError) settle.reject(outcome);
    else settle.resolve(outcome);
  };

  socket.listen({
    message(message) {
      if (finished) return;
      const frame = decodeFrame(message, { closeSignal });
      if (frame instanceof DecodeError) return fail(frame);
      if (frame.type === 'close') {
        if (frame.channel === Channel.stdout) stdout.end();
        else if (frame.channel === Channel.stderr) stderr.end();
        return;
      }
      switch (frame.channel) {
        case Channel.stdout:
          stdout.push(frame.data.slice());
          return flow();
        case Channel.stderr:
          stderr.push(frame.data.slice());
          return flow();
        case Channel.error:
          if (errorBytes + frame.data.length > MAX_ERROR_BYTES) {
            return fail(new PodStreamError('protocolError', `the error channel carried more than ${MAX_ERROR_BYTES} bytes`, { context }));
          }
          errorChunks.push(frame.data.slice());
          errorBytes += frame.data.length;
          return;
        default:
          // Channels the server has no business writing to (stdin, resize) are ignored, as the kubelet does.
          return;
      }
    },
    close: finish,
    error(error) {
      fail(error instanceof PodStreamError ? error : new PodStreamError('connectionLost', error.message, { cause: error, context }));
    },
  });

  const encoder = new TextEncoder();
  return {
    protocol,
    stdout: stdout.observable,
    stderr: stderr.observable,
    stdin: {
      canHalfClose: closeSignal,
      get bufferedAmount() {
        return socket.bufferedAmount;
      },
      write(data) {
        if (stdinEnded || finished) return;
        const bytes = typeof data === 'string' ? encoder.encode(data) : data;
        if (bytes.length > 0) socket.send(encodeFrame(Channel.stdin, bytes));
      },
      end() {
        if (stdinEnded) return;
        stdinEnded = true;
        if (closeSignal && !finished) socket.send(encodeClose(Channel.stdin));
      },
    },
    resize(size) {
      const frame = encodeResize(size);
      if (!finished) socket.send(frame);
    },
    exit,
    pause() {
      pausedByUser = true;
      flow();
    },
    resume() {
      pausedByUser = false;
      flow();
    },
    close() {
      if (finished) return;
      closedByUs = true;
      flow();
      socket.close(1000);
    },
  };
}
