/**
 * The parameters of a pod's streaming subresources (`exec`, `attach`, `portforward`) and the query
 * strings they become. `RequestBuilder.exec/attach/portForward` use them; the client opens the
 * request as a WebSocket.
 *
 * @module
 */
import { InvalidRequestError } from './errors.js';
import { checkPort } from './port-forward-protocol.js';

/**
 * Which standard streams a process gets, and whether it runs in a TTY (stderr is then merged into
 * stdout by the runtime, and `stderr` must be false).
 *
 * ## Example
 * ```ts
 * const io: StreamParams = { stdin: true, stdout: true, stderr: false, tty: true };
 * ```
 */
export interface StreamParams {
  /** The container; may be omitted for a pod with one container. */
  container?: string;
  /** Attach stdin. @default false */
  stdin?: boolean;
  /** Attach stdout. @default true */
  stdout?: boolean;
  /** Attach stderr. @default true unless `tty` */
  stderr?: boolean;
  /** Allocate a TTY. @default false */
  tty?: boolean;
}

/**
 * Parameters of `pods/exec`: the command (argv, not a shell line) and its streams.
 *
 * ## Example
 * ```ts
 * const p: ExecParams = { command: ['sh', '-c', 'echo hi'], container: 'app' };
 * ```
 */
export interface ExecParams extends StreamParams {
  command: readonly string[];
}

/**
 * Parameters of `pods/attach` (the container's main process's streams).
 *
 * ## Example
 * ```ts
 * const p: AttachParams = { container: 'app', stdin: true, tty: true };
 * ```
 */
export type AttachParams = StreamParams;

/**
 * Parameters of `pods/portforward`: the pod's ports, each becoming a data and an error channel.
 *
 * ## Example
 * ```ts
 * const p: PortForwardParams = { ports: [8080, 9090] };
 * ```
 */
export interface PortForwardParams {
  ports: readonly number[];
}

function streamQuery(p: StreamParams): Record<string, string> {
  const tty = p.tty ?? false;
  const stdout = p.stdout ?? true;
  const stderr = p.stderr ?? !tty;
  if (tty && stderr) {
    throw new InvalidRequestError('invalidParams', 'stderr cannot be attached separately with a TTY (the TTY merges it into stdout)', { context: { tty, stderr } });
  }
  if (!(p.stdin ?? false) && !stdout && !stderr) {
    throw new InvalidRequestError('invalidParams', 'at least one of stdin, stdout and stderr must be attached', { context: {} });
  }
  const q: Record<string, string> = {};
  if (p.container !== undefined) {
    if (p.container === '') throw new InvalidRequestError('invalidParams', 'container cannot be empty', { context: { container: '' } });
    q.container = p.container;
  }
  q.stdin = String(p.stdin ?? false);
  q.stdout = String(stdout);
  q.stderr = String(stderr);
  q.tty = String(tty);
  return q;
}

/**
 * The query of `pods/exec`; `command` is repeated once per argument, as the server reads it.
 * Throws {@link InvalidRequestError} for an empty command, a TTY with stderr, or no stream at all.
 *
 * ## Example
 * ```ts
 * execQuery({ command: ['ls', '-l'] });
 * // { command: ['ls', '-l'], stdin: 'false', stdout: 'true', stderr: 'true', tty: 'false' }
 * ```
 */
export function execQuery(p: ExecParams): Record<string, string | readonly string[]> {
  if (p.command.length === 0) throw new InvalidRequestError('invalidParams', 'exec needs a command (an argv array, at least one element)', { context: {} });
  return { command: [...p.command], ...streamQuery(p) };
}

/**
 * The query of `pods/attach`.
 *
 * ## Example
 * ```ts
 * attachQuery({ stdin: true, tty: true }); // { stdin: 'true', stdout: 'true', stderr: 'false', tty: 'true' }
 * ```
 */
export function attachQuery(p: AttachParams): Record<string, string> {
  return streamQuery(p);
}

/**
 * The query of `pods/portforward`: `ports=80,443`. Throws {@link InvalidRequestError} for no port,
 * a port outside 1–65535 or a repeated port.
 *
 * ## Example
 * ```ts
 * portForwardQuery({ ports: [80, 443] }); // { ports: '80,443' }
 * ```
 */
export function portForwardQuery(p: PortForwardParams): Record<string, string> {
  if (p.ports.length === 0) throw new InvalidRequestError('invalidParams', 'port-forward needs at least one port', { context: {} });
  if (p.ports.length > 127) throw new InvalidRequestError('invalidParams', `port-forward carries at most 127 ports, got ${p.ports.length}`, { context: {} });
  for (const port of p.ports) checkPort(port);
  if (new Set(p.ports).size !== p.ports.length) throw new InvalidRequestError('invalidParams', `a port is asked for twice: ${p.ports.join(',')}`, { context: { ports: [...p.ports] } });
  return { ports: p.ports.join(',') };
}
