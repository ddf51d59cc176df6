/**
 * execStreams against a scripted WebSocket server: back-pressure both ways — a 10 MiB burst to a
 * Readable nobody reads waits upstream (the server's WebSocket buffer) and arrives whole once read; a
 * Writable fed faster than the server reads calls back only as the send buffer drains — the bytes and
 * the half-close reach the process, and a lost connection errors the Readables.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { WebSocket } from 'ws';
import { Api } from '../../lib/client/api.js';
import { Client } from '../../lib/client/client.js';
import { webSocketConnector } from '../../lib/config/web-socket.js';
import { Pod } from '../../lib/core/builtins.js';
import { encodeFrame } from '../../lib/core/channel-protocol.js';
import { PodStreamError } from '../../lib/core/pod-stream-error.js';
import { execStreams } from '../../lib/node/index.js';
import { type ScriptedWebSocketServer, startWebSocketServer } from '../client/support/scripted-web-socket-server.js';

const MIB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SUCCESS = encodeFrame(3, new TextEncoder().encode(JSON.stringify({ metadata: {}, status: 'Success' })));

describe('execStreams', () => {
  let server: ScriptedWebSocketServer;
  let pods: Api<Pod, 'Namespaced'>;
  beforeEach(async () => {
    server = await startWebSocketServer({ protocols: ['v5.channel.k8s.io'] });
    pods = Api.namespaced(new Client({ server: server.url, transport: { webSocket: webSocketConnector({ pingIntervalMs: 0 }) } }, { retry: false }), Pod, 'ns');
  });
  afterEach(() => server.close());

  it('should pause the session while stdout’s Readable is full: a 10 MiB burst waits upstream, then arrives whole', async () => {
    let upstream!: WebSocket;
    server.onConnection((ws) => {
      upstream = ws;
      const chunk = encodeFrame(1, new Uint8Array(64 * 1024).fill(9));
      for (let i = 0; i < 160; i++) ws.send(chunk);
      ws.send(SUCCESS, () => ws.close(1000));
    });
    const session = await pods.exec('web', ['yes']);
    const { stdout, stderr } = execStreams(session);
    stderr.resume();
    let received = 0;
    stdout.on('data', (chunk: Buffer) => {
      received += chunk.length;
      stdout.pause(); // a reader that stops after its first chunk
    });
    await sleep(1000);
    // Without the pause the whole burst would sit in this process (in the Readable's buffer).
    expect(upstream.bufferedAmount).toBeGreaterThan(4 * MIB);
    expect(stdout.readableLength).toBeLessThan(2 * MIB);
    stdout.removeAllListeners('data');
    stdout.on('data', (chunk: Buffer) => (received += chunk.length));
    stdout.resume();
    await new Promise((resolve) => stdout.on('end', resolve));
    expect(received).toBe(10 * MIB);
    await expect(session.exit).resolves.toMatchObject({ exitCode: 0 });
  });

  it('should call back writes to stdin only as the send buffer drains, and half-close it at the end', async () => {
    let upstream!: WebSocket;
    let got = 0;
    let closed = false;
    server.onConnection((ws) => {
      upstream = ws;
      ws.pause(); // a process that does not read yet
      ws.on('message', (data: Buffer) => {
        if (data[0] === 0) got += data.length - 1;
        if (data[0] === 255 && data[1] === 0) {
          closed = true;
          ws.send(SUCCESS, () => ws.close(1000));
        }
      });
    });
    const session = await pods.exec('web', ['cat'], { stdin: true, stdout: false, stderr: false });
    const { stdin } = execStreams(session);
    let produced = 0;
    const total = 64 * MIB;
    const source = Readable.from(
      (function* () {
        const chunk = Buffer.alloc(64 * 1024, 1);
        for (; produced < total; produced += chunk.length) yield chunk;
      })(),
    );
    const sent = pipeline(source, stdin);
    await sleep(1000);
    // Without waiting on bufferedAmount every write would call back at once: all 64 MiB queued in the WebSocket.
    expect(produced).toBeLessThan(total);
    expect(session.stdin.bufferedAmount).toBeLessThan(8 * MIB);
    upstream.resume();
    await sent;
    await expect(session.exit).resolves.toMatchObject({ exitCode: 0 });
    expect(got).toBe(total);
    expect(closed).toBe(true);
  });

  it('should error the Readables with the session’s PodStreamError when the connection is lost', async () => {
    server.onConnection((ws) => {
      ws.send(encodeFrame(1, new TextEncoder().encode('partial')), () => ws.terminate());
    });
    const { stdout } = execStreams(await pods.exec('web', ['x']));
    const chunks: Buffer[] = [];
    const error = await (async () => {
      for await (const chunk of stdout) chunks.push(chunk as Buffer);
    })().catch((e: unknown) => e);
    expect(Buffer.concat(chunks).toString()).toBe('partial');
    expect(error).toBeInstanceOf(PodStreamError);
    expect(error).toMatchObject({ reason: 'connectionLost' });
  });
});
