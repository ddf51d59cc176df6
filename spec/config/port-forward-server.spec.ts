/**
 * portForwardServer against a scripted WebSocket server: a connection per local client, and back-pressure
 * both ways — a 10 MiB burst to a local reader that does not read stays queued upstream (the server's
 * WebSocket buffer), not in this process, and arrives whole once the reader reads; a local writer faster
 * than the pod's side is paused once its WebSocket holds `highWaterMark` bytes, so its bytes wait in the
 * writer, and all of them arrive in order once the pod's side reads.
 */
import net from 'node:net';
import type { WebSocket } from 'ws';
import { Api } from '../../lib/client/api.js';
import { Client } from '../../lib/client/client.js';
import { portForwardServer } from '../../lib/config/port-forward-server.js';
import { webSocketConnector } from '../../lib/config/web-socket.js';
import type { PortForward } from '../../lib/client/port-forward.js';
import { Pod } from '../../lib/core/builtins.js';
import { encodeFrame } from '../../lib/core/channel-protocol.js';
import { encodePortPrefix } from '../../lib/core/port-forward-protocol.js';
import { type ScriptedWebSocketServer, startWebSocketServer } from '../client/support/scripted-web-socket-server.js';

const MIB = 1024 * 1024;

describe('portForwardServer', () => {
  let server: ScriptedWebSocketServer;
  afterEach(() => server?.close());

  it('should keep a burst to a slow local reader upstream (paused WebSocket), then deliver every byte', async () => {
    server = await startWebSocketServer({ protocols: ['v4.channel.k8s.io'] });
    let upstream!: { bufferedAmount: number };
    server.onConnection((ws) => {
      upstream = ws;
      ws.send(encodeFrame(0, encodePortPrefix(80)));
      ws.send(encodeFrame(1, encodePortPrefix(80)));
      const chunk = encodeFrame(0, new Uint8Array(64 * 1024).fill(7));
      // 64 MiB: far more than the kernel's socket buffers on the way can take (they grow to several MiB while the
      // listener reads; with 10 MiB the whole burst sometimes fit there, 1 run in 10).
      for (let i = 0; i < 1024; i++) ws.send(chunk);
    });
    const pods = Api.namespaced(new Client({ server: server.url, transport: { webSocket: webSocketConnector({ pingIntervalMs: 0 }) } }), Pod, 'ns');
    const listener = await portForwardServer(pods, 'web', 80);
    const local = net.connect(listener.port, '127.0.0.1');
    local.pause();
    try {
      await new Promise((r) => setTimeout(r, 1000));
      // Without back-pressure the listener would read everything at once: nothing would wait upstream.
      expect(upstream.bufferedAmount).toBeGreaterThan(16 * MIB);
      let received = 0;
      local.on('data', (d: Buffer) => (received += d.length));
      local.resume();
      const deadline = Date.now() + 20_000;
      while (received < 64 * MIB && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(received).toBe(64 * MIB);
      expect(server.upgrades[0]?.url).toBe('/api/v1/namespaces/ns/pods/web/portforward?ports=80');
    } finally {
      local.destroy();
      await listener.close();
    }
  }, 30_000);

  it('should pause a fast local writer while its WebSocket holds more than highWaterMark bytes, then deliver every byte in order', async () => {
    server = await startWebSocketServer({ protocols: ['v4.channel.k8s.io'] });
    let upstream!: WebSocket;
    let received = 0;
    let inOrder = true;
    server.onConnection((ws) => {
      upstream = ws;
      ws.send(encodeFrame(0, encodePortPrefix(80)));
      ws.send(encodeFrame(1, encodePortPrefix(80)));
      ws.on('message', (data: Buffer) => {
        // Client frames: channel 0, then the bytes (no port prefix from the client).
        for (let i = 1; i < data.length; i++, received++) if (data[i] !== received % 251) inOrder = false;
      });
      ws.pause(); // the pod's side does not read: what the listener sends waits in its WebSocket
    });
    const pods = Api.namespaced(new Client({ server: server.url, transport: { webSocket: webSocketConnector({ pingIntervalMs: 0 }) } }), Pod, 'ns');
    // The listener's forwards, to read their bufferedAmount.
    const forwards: PortForward[] = [];
    const spied = Object.create(pods) as typeof pods;
    spied.portForward = async function (this: typeof pods, ...args: Parameters<typeof pods.portForward>) {
      const forward = await pods.portForward(...args);
      forwards.push(forward);
      return forward;
    };
    const total = 24 * MIB;
    const payload = Buffer.alloc(total, Buffer.from(Array.from({ length: 251 }, (_, i) => i)));
    const listener = await portForwardServer(spied, 'web', 80, { highWaterMark: MIB });
    const local = net.connect(listener.port, '127.0.0.1');
    try {
      await new Promise((r) => local.once('connect', r));
      for (let offset = 0; offset < total; offset += 64 * 1024) local.write(payload.subarray(offset, offset + 64 * 1024));
      let peak = 0;
      const deadline = Date.now() + 1500;
      while (Date.now() < deadline) {
        peak = Math.max(peak, forwards[0]?.bufferedAmount ?? 0);
        await new Promise((r) => setTimeout(r, 10));
      }
      // The bound: highWaterMark plus at most the one chunk read (64 KiB) when it was passed and its frame
      // header. Without the pause the WebSocket took (nearly) everything (seen with 64 MiB: 62.9 MiB, writer's buffer empty).
      expect(forwards).toHaveLength(1);
      expect(peak).toBeGreaterThan(MIB / 2);
      expect(peak).toBeLessThanOrEqual(MIB + 64 * 1024 + 16);
      // The rest waits in the writer (and the kernel's socket buffers), not in the listener.
      expect(local.writableLength).toBeGreaterThan(12 * MIB);
      upstream.resume();
      const until = Date.now() + 20_000;
      while (received < total && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(received).toBe(total);
      expect(inOrder).toBe(true);
    } finally {
      local.destroy();
      await listener.close();
    }
  }, 30_000);

  it('should refuse a highWaterMark that is not a number of bytes, naming it', async () => {
    const pods = Api.namespaced(new Client({ server: 'http://127.0.0.1:1', transport: { webSocket: webSocketConnector({ pingIntervalMs: 0 }) } }), Pod, 'ns');
    await expect(portForwardServer(pods, 'web', 80, { highWaterMark: -1 })).rejects.toThrow(/highWaterMark must be a number of bytes.*-1/);
    await expect(portForwardServer(pods, 'web', 80, { highWaterMark: Number.NaN })).rejects.toThrow(/highWaterMark/);
  });

  it('should send what the local side wrote in one go as few large messages, every byte in order', async () => {
    server = await startWebSocketServer({ protocols: ['v4.channel.k8s.io'] });
    const sizes: number[] = [];
    let inOrder = true;
    let received = 0;
    server.onConnection((ws) => {
      ws.send(encodeFrame(0, encodePortPrefix(80)));
      ws.send(encodeFrame(1, encodePortPrefix(80)));
      ws.on('message', (data: Buffer) => {
        sizes.push(data.length - 1);
        for (let i = 1; i < data.length; i++, received++) if (data[i] !== received % 251) inOrder = false;
      });
    });
    const pods = Api.namespaced(new Client({ server: server.url, transport: { webSocket: webSocketConnector({ pingIntervalMs: 0 }) } }), Pod, 'ns');
    const listener = await portForwardServer(pods, 'web', 80);
    const local = net.connect(listener.port, '127.0.0.1');
    const total = 4 * MIB;
    const payload = Buffer.alloc(total, Buffer.from(Array.from({ length: 251 }, (_, i) => i)));
    try {
      await new Promise((r) => local.once('connect', r));
      // Give the forward time to open, then write 64 chunks of 64 KiB at once.
      await new Promise((r) => setTimeout(r, 200));
      for (let offset = 0; offset < total; offset += 64 * 1024) local.write(payload.subarray(offset, offset + 64 * 1024));
      const deadline = Date.now() + 10_000;
      while (received < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(received).toBe(total);
      expect(inOrder).toBe(true);
      // One message per 64 KiB read would be 64 or more (seen without the batching: 82); reads of one turn of the
      // event loop go together (seen: 5).
      expect(sizes.length).toBeLessThan(32);
    } finally {
      local.destroy();
      await listener.close();
    }
  });

  it('should keep spare forwards open ahead of connections, hand them out, drop one the pod side closed, and close the rest', async () => {
    server = await startWebSocketServer({ protocols: ['v4.channel.k8s.io'] });
    const sockets: WebSocket[] = [];
    server.onConnection((ws) => {
      const index = sockets.length;
      sockets.push(ws);
      ws.send(encodeFrame(0, encodePortPrefix(80)));
      ws.send(encodeFrame(1, encodePortPrefix(80)));
      // The first spare's connection is closed by the pod's side before anyone uses it.
      if (index === 0) setTimeout(() => ws.close(1000), 50);
      ws.on('message', (data: Buffer) => ws.send(encodeFrame(0, new TextEncoder().encode(`${index}:${new TextDecoder().decode(data.subarray(1))}`))));
    });
    const pods = Api.namespaced(new Client({ server: server.url, transport: { webSocket: webSocketConnector({ pingIntervalMs: 0 }) } }), Pod, 'ns');
    const errors: unknown[] = [];
    const listener = await portForwardServer(pods, 'web', 80, { spare: 2, onError: (e) => errors.push(e) });
    const ask = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const local = net.connect(listener.port, '127.0.0.1');
        local.on('data', (d: Buffer) => {
          resolve(d.toString());
          local.destroy();
        });
        local.on('error', reject);
        local.write(text);
      });
    try {
      // Two spares are open before any local connection.
      const until = Date.now() + 5000;
      while (sockets.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 150));
      expect(server.upgrades).toHaveLength(2);
      // The first spare was closed by the pod's side: the connection gets the second one, a new spare is opened.
      expect(await ask('a')).toBe('1:a');
      expect(await ask('b')).toBe('2:b');
      expect(errors).toEqual([]);
      await new Promise((r) => setTimeout(r, 100));
      expect(server.upgrades.length).toBe(5); // 2 at the start, one more per connection and one for the dropped spare
    } finally {
      await listener.close();
    }
    // Closing the listener closes its spares too.
    const deadline = Date.now() + 5000;
    while (sockets.some((ws) => ws.readyState !== ws.CLOSED) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(sockets.map((ws) => ws.readyState)).toEqual(sockets.map((ws) => ws.CLOSED));
  });

  it('should refuse a spare count that is not a whole number', async () => {
    const pods = Api.namespaced(new Client({ server: 'http://127.0.0.1:1', transport: { webSocket: webSocketConnector({ pingIntervalMs: 0 }) } }), Pod, 'ns');
    await expect(portForwardServer(pods, 'web', 80, { spare: 1.5 })).rejects.toThrow(/spare must be a whole number.*1\.5/);
  });
});
