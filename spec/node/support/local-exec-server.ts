/**
 * A pod whose exec runs the command on this machine, as kwok's does, behind the scripted WebSocket
 * server: the command's argv comes from the query, stdin frames go to its stdin, stdout and stderr come
 * back on their channels and the exit becomes the error channel's Status (a kubelet's NonZeroExitCode
 * for a non-zero exit). `passEof: false` copies kwok v0.8.0: the close signal never reaches the
 * command's stdin.
 */
import { spawn } from 'node:child_process';
import { Channel, decodeFrame, encodeFrame } from '../../../lib/core/channel-protocol.js';
import { type ScriptedWebSocketServer, startWebSocketServer } from '../../client/support/scripted-web-socket-server.js';

export interface LocalExecServer extends ScriptedWebSocketServer {
  /** Every byte the client sent on stdin, per connection. */
  readonly stdin: Buffer[][];
  /** Whether each connection's client sent the v5 close signal for stdin. */
  readonly halfClosed: boolean[];
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

export async function startLocalExecServer(options: { passEof: boolean; cwd?: string }): Promise<LocalExecServer> {
  const server = await startWebSocketServer({ protocols: ['v5.channel.k8s.io'] });
  const stdin: Buffer[][] = [];
  const halfClosed: boolean[] = [];
  server.onConnection((ws, upgrade) => {
    const index = stdin.length;
    stdin.push([]);
    halfClosed.push(false);
    const argv = new URL(upgrade.url, 'http://x').searchParams.getAll('command');
    const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => undefined); // the command may exit before reading everything
    child.stdout.on('data', (d: Buffer) => ws.send(encodeFrame(Channel.stdout, d)));
    child.stderr.on('data', (d: Buffer) => ws.send(encodeFrame(Channel.stderr, d)));
    ws.on('message', (data: Buffer) => {
      const frame = decodeFrame(new Uint8Array(data), { closeSignal: true });
      if (frame instanceof Error) return;
      if (frame.type === 'close' && frame.channel === Channel.stdin) {
        halfClosed[index] = true;
        if (options.passEof) child.stdin.end();
      } else if (frame.type === 'data' && frame.channel === Channel.stdin) {
        stdin[index]!.push(Buffer.from(frame.data));
        child.stdin.write(frame.data);
      }
    });
    ws.on('close', () => child.kill());
    child.on('close', (code) => {
      const status =
        code === 0
          ? { metadata: {}, status: 'Success' }
          : { metadata: {}, status: 'Failure', reason: 'NonZeroExitCode', message: `command terminated with non-zero exit code: exit status ${code}`, details: { causes: [{ reason: 'ExitCode', message: String(code) }] } };
      ws.send(encodeFrame(Channel.error, enc(JSON.stringify(status))), () => ws.close(1000));
    });
    child.on('error', (error) => {
      const status = { metadata: {}, status: 'Failure', reason: 'InternalError', message: error.message };
      ws.send(encodeFrame(Channel.error, enc(JSON.stringify(status))), () => ws.close(1000));
    });
  });
  return Object.assign(server, { stdin, halfClosed });
}
