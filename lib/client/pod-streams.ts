/**
 * The pod streams behind `Api.exec`, `Api.execText`, `Api.attach` and `Api.portForward`: open the
 * request as a WebSocket through the client, then run the session over it.
 *
 * @module
 */
import { EXEC_PROTOCOLS, type TerminalSize } from '../core/channel-protocol.js';
import type { ExecExit } from '../core/exec-status.js';
import { PodStreamError } from '../core/pod-stream-error.js';
import type { StreamParams } from '../core/pod-stream-request.js';
import { PORT_FORWARD_PROTOCOLS } from '../core/port-forward-protocol.js';
import type { KubeRequest } from '../core/request.js';
import type { Client } from './client.js';
import { AbortedError } from './errors.js';
import { type ExecSession, execSession } from './exec-session.js';
import { type PortForward, portForwardSession } from './port-forward.js';

/**
 * Options of `Api.exec` and `Api.attach`: the streams (stdout and stderr on by default, stdin off),
 * a TTY and its first size, and a signal that cancels the upgrade (afterwards use `session.close()`).
 *
 * ## Example
 * ```ts
 * const session = await pods.exec('web-0', ['sh'], { stdin: true, tty: true, terminalSize: { width: 80, height: 24 } });
 * ```
 */
export interface ExecOptions extends StreamParams {
  /** The TTY's size, sent as soon as the session is open (only with `tty`). */
  terminalSize?: TerminalSize;
  /** Cancels opening the session. */
  signal?: AbortSignal;
  /** Output held for a stream not subscribed yet before the socket pauses, see `ExecSessionOptions`. @default 1 MiB */
  highWaterMark?: number;
}

/**
 * Options of `Api.execText`.
 *
 * ## Example
 * ```ts
 * await pods.execText('web-0', ['wc', '-c'], { stdin: 'hello' });
 * ```
 */
export interface ExecTextOptions {
  container?: string;
  /** Sent to the process's stdin, which is then closed (needs `v5.channel.k8s.io`). */
  stdin?: string | Uint8Array;
  /** Cancels the command: the session is closed and the Promise rejects with `AbortedError`. */
  signal?: AbortSignal;
}

/**
 * What `Api.execText` returns: the output as UTF-8 text and the exit code (non-zero is a value).
 *
 * ## Example
 * ```ts
 * const { stdout, exitCode } = await pods.execText('web-0', ['cat', '/etc/hostname']);
 * ```
 */
export interface ExecTextResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/**
 * Opens an exec or attach request and returns the running session.
 *
 * ## Example
 * ```ts
 * const session = await openExec(client, RequestBuilder.for(Pod, 'ns').exec('web', { command: ['ls'] }), {});
 * ```
 */
export async function openExec(client: Client, request: KubeRequest, options: ExecOptions, context: Readonly<Record<string, unknown>>): Promise<ExecSession> {
  const socket = await client.openWebSocket(request, EXEC_PROTOCOLS, options.signal === undefined ? {} : { signal: options.signal });
  const session = execSession(socket, context, options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark });
  if (options.tty === true && options.terminalSize !== undefined) session.resize(options.terminalSize);
  return session;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Runs a command to its end and collects its output.
 *
 * ## Example
 * ```ts
 * const { stdout, exitCode } = await runExecText(client, request, { stdin: 'x' }, { pod: 'web' });
 * ```
 */
export async function runExecText(client: Client, request: KubeRequest, options: ExecTextOptions, context: Readonly<Record<string, unknown>>): Promise<ExecTextResult> {
  const signal = options.signal;
  const session = await openExec(client, request, signal === undefined ? {} : { signal }, context);
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const outputs = Promise.all([
    new Promise<void>((resolve) => session.stdout.subscribe({ next: (c) => out.push(c), complete: resolve, error: () => resolve() })),
    new Promise<void>((resolve) => session.stderr.subscribe({ next: (c) => err.push(c), complete: resolve, error: () => resolve() })),
  ]);
  const onAbort = (): void => session.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (options.stdin !== undefined) {
      if (!session.stdin.canHalfClose) {
        session.close();
        throw new PodStreamError('unsupported', `the server speaks ${session.protocol}, which cannot end stdin; execText with stdin needs v5.channel.k8s.io`, { context });
      }
      session.stdin.write(options.stdin);
      session.stdin.end();
    }
    let exit: ExecExit;
    try {
      exit = await session.exit;
    } catch (error) {
      if (signal?.aborted) throw new AbortedError(request, { cause: error });
      throw error;
    }
    await outputs;
    const decoder = new TextDecoder();
    return { stdout: decoder.decode(concat(out)), stderr: decoder.decode(concat(err)), exitCode: exit.exitCode };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Opens a port-forward request for `ports`.
 *
 * ## Example
 * ```ts
 * const forward = await openPortForward(client, RequestBuilder.for(Pod, 'ns').portForward('web', { ports: [80] }), [80], {});
 * ```
 */
export async function openPortForward(
  client: Client,
  request: KubeRequest,
  ports: readonly number[],
  context: Readonly<Record<string, unknown>>,
  signal?: AbortSignal,
): Promise<PortForward> {
  const socket = await client.openWebSocket(request, PORT_FORWARD_PROTOCOLS, signal === undefined ? {} : { signal });
  return portForwardSession(socket, ports, context);
}
