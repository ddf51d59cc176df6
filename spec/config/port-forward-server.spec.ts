/**
 * portForwardServer against a scripted WebSocket server: a connection per local client, and back-pressure —
 * a 10 MiB burst to a local reader that does not read stays queued upstream (the server's WebSocket buffer),
 * not in this process, and arrives whole once the reader reads.
 */
import net from 'node:net';
import { Api } from '../../lib/client/api.js';
import { Client } from '../../lib/client/client.js';
import { portForwardServer } from '../../lib/config/port-forward-server.js';
import { webSocketConnector } from '../../lib/config/web-socket.js';
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
      for (let i = 0; i < 160; i++) ws.send(chunk); // 10 MiB
    });
    const pods = Api.namespaced(new Client({ server: server.url, transport: { webSocket: webSocketConnector({ pingIntervalMs: 0 }) } }), Pod, 'ns');
    const listener = await portForwardServer(pods, 'web', 80);
    const local = net.connect(listener.port, '127.0.0.1');
    local.pause();
    try {
      await new Promise((r) => setTimeout(r, 1000));
      // Without back-pressure the listener would read everything at once: nothing would wait upstream.
      expect(upstream.bufferedAmount).toBeGreaterThan(4 * MIB);
      let received = 0;
      local.on('data', (d: Buffer) => (received += d.length));
      local.resume();
      const deadline = Date.now() + 10_000;
      while (received < 10 * MIB && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(received).toBe(10 * MIB);
      expect(server.upgrades[0]?.url).toBe('/api/v1/namespaces/ns/pods/web/portforward?ports=80');
    } finally {
      local.destroy();
      await listener.close();
    }
  });
});
