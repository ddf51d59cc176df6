/**
 * A throw-away local WebSocket server for pod-stream unit tests: speaks the subprotocols a test allows,
 * records each upgrade request (URL, headers), may refuse upgrades with a status and body, and hands
 * each accepted socket to the test's script.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export interface Upgrade {
  url: string;
  headers: IncomingMessage['headers'];
  protocols: string[];
}

export type Refusal = { status: number; body: string } | undefined;

export interface ScriptedWebSocketServer {
  readonly url: string;
  readonly upgrades: Upgrade[];
  /** Decides per upgrade whether to refuse it (`{ status, body }`) or accept (undefined). */
  refuse(decide: (upgrade: Upgrade, index: number) => Refusal): void;
  /** The script run on each accepted socket. */
  onConnection(script: (ws: WebSocket, upgrade: Upgrade) => void): void;
  close(): Promise<void>;
}

/** Collects a socket's binary messages as Uint8Arrays. */
export function messages(ws: WebSocket): Uint8Array[] {
  const out: Uint8Array[] = [];
  ws.on('message', (data: Buffer) => out.push(new Uint8Array(data)));
  return out;
}

export async function startWebSocketServer(options: { protocols: readonly string[]; autoPong?: boolean }): Promise<ScriptedWebSocketServer> {
  const upgrades: Upgrade[] = [];
  let decide: (upgrade: Upgrade, index: number) => Refusal = () => undefined;
  let script: (ws: WebSocket, upgrade: Upgrade) => void = () => undefined;
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => res.writeHead(400).end());
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const wss = new WebSocketServer({
    noServer: true,
    autoPong: options.autoPong ?? true,
    handleProtocols: (offered) => options.protocols.find((p) => offered.has(p)) ?? false,
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const upgrade: Upgrade = {
      url: req.url ?? '',
      headers: req.headers,
      protocols: String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== ''),
    };
    upgrades.push(upgrade);
    const refusal = decide(upgrade, upgrades.length - 1);
    if (refusal !== undefined) {
      socket.end(`HTTP/1.1 ${refusal.status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(refusal.body)}\r\nConnection: close\r\n\r\n${refusal.body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => script(ws, upgrade));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    upgrades,
    refuse: (d) => {
      decide = d;
    },
    onConnection: (s) => {
      script = s;
    },
    close: async () => {
      for (const client of wss.clients) client.terminate();
      for (const s of sockets) s.destroy();
      wss.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
