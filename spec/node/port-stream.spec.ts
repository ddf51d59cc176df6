/**
 * portStream against a scripted port-forward server: bytes round-trip through a Duplex, and a
 * 10 MiB burst to a Duplex nobody reads waits upstream, then arrives whole.
 */
import type { WebSocket } from 'ws';
import { Api } from '../../lib/client/api.js';
import { Client } from '../../lib/client/client.js';
import { webSocketConnector } from '../../lib/config/web-socket.js';
import { Pod } from '../../lib/core/builtins.js';
import { decodeFrame, encodeFrame } from '../../lib/core/channel-protocol.js';
import { encodePortPrefix } from '../../lib/core/port-forward-protocol.js';
import { portStream } from '../../lib/node/index.js';
import { type ScriptedWebSocketServer, startWebSocketServer } from '../client/support/scripted-web-socket-server.js';

const MIB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('portStream', () => {
  let server: ScriptedWebSocketServer;
  let pods: Api<Pod, 'Namespaced'>;
  beforeEach(async () => {
    server = await startWebSocketServer({ protocols: ['v4.channel.k8s.io'] });
    pods = Api.namespaced(new Client({ server: server.url, transport: { webSocket: webSocketConnector({ pingIntervalMs: 0 }) } }, { retry: false }), Pod, 'ns');
  });
  afterEach(() => server.close());

  it('should carry bytes both ways (an echo on the pod’s port)', async () => {
    server.onConnection((ws) => {
      ws.send(encodeFrame(0, encodePortPrefix(80)));
      ws.send(encodeFrame(1, encodePortPrefix(80)));
      ws.on('message', (data: Buffer) => {
        const frame = decodeFrame(new Uint8Array(data), { closeSignal: false });
        if (!(frame instanceof Error) && frame.type === 'data' && frame.channel === 0) {
          ws.send(encodeFrame(0, frame.data));
          if (new TextDecoder().decode(frame.data).includes('bye')) setTimeout(() => ws.close(1000), 20);
        }
      });
    });
    const forward = await pods.portForward('web', [80]);
    const duplex = portStream(forward, 80);
    duplex.write('hello ');
    duplex.end('bye');
    const chunks: Buffer[] = [];
    for await (const chunk of duplex) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello bye');
  });

  it('should pause the forward while the Duplex is full: a 10 MiB burst waits upstream, then arrives whole', async () => {
    let upstream!: WebSocket;
    server.onConnection((ws) => {
      upstream = ws;
      ws.send(encodeFrame(0, encodePortPrefix(80)));
      ws.send(encodeFrame(1, encodePortPrefix(80)));
      const chunk = encodeFrame(0, new Uint8Array(64 * 1024).fill(5));
      for (let i = 0; i < 160; i++) ws.send(chunk);
      ws.send(encodeFrame(0, new Uint8Array(0)), () => ws.close(1000));
    });
    const forward = await pods.portForward('web', [80]);
    const duplex = portStream(forward, 80);
    let received = 0;
    duplex.once('data', (chunk: Buffer) => {
      received += chunk.length;
      duplex.pause();
    });
    await sleep(1000);
    expect(upstream.bufferedAmount).toBeGreaterThan(4 * MIB);
    duplex.on('data', (chunk: Buffer) => (received += chunk.length));
    duplex.resume();
    await new Promise((resolve) => duplex.on('end', resolve));
    expect(received).toBe(10 * MIB);
  });
});
