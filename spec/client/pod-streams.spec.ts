/**
 * exec, attach and port-forward against a scripted WebSocket server: v5/v4 negotiation, the channels,
 * stdin's half-close (v5 only), resize, the exit status (a non-zero exit is a value, other failures
 * PodStreamErrors), refused upgrades as ApiErrors with the server's Status, a 401 answered by one
 * credential refresh, impersonation headers, keepalive pings, and the port prefix of port-forward.
 */
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { Api } from '../../lib/client/api.js';
import { Client } from '../../lib/client/client.js';
import type { AuthProvider, ClientConfig } from '../../lib/client/config.js';
import { ApiError, isForbidden } from '../../lib/client/errors.js';
import { webSocketConnector } from '../../lib/config/web-socket.js';
import { Pod } from '../../lib/core/builtins.js';
import { encodeFrame, decodeResize } from '../../lib/core/channel-protocol.js';
import { encodePortPrefix } from '../../lib/core/port-forward-protocol.js';
import { PodStreamError } from '../../lib/core/pod-stream-error.js';
import { messages, type ScriptedWebSocketServer, startWebSocketServer } from './support/scripted-web-socket-server.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (chunks: Uint8Array[]): string => Buffer.concat(chunks).toString('utf8');
const statusFrame = (status: unknown): Uint8Array => encodeFrame(3, enc(JSON.stringify(status)));
const SUCCESS = { metadata: {}, status: 'Success' };
const exitStatus = (code: number) => ({
  metadata: {},
  status: 'Failure',
  message: `command terminated with non-zero exit code: exit status ${code}`,
  reason: 'NonZeroExitCode',
  details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
});

describe('pod streams', () => {
  let server: ScriptedWebSocketServer;
  let config: ClientConfig;
  let pods: Api<Pod, 'Namespaced'>;

  async function start(protocols: readonly string[], extra: Partial<ClientConfig> = {}, autoPong = true): Promise<void> {
    server = await startWebSocketServer({ protocols, autoPong });
    config = { server: server.url, transport: { webSocket: webSocketConnector({ pingIntervalMs: 0 }) }, ...extra };
    pods = Api.namespaced(new Client(config, { retry: false }), Pod, 'ns');
  }
  afterEach(() => server?.close());

  describe('exec over v5.channel.k8s.io', () => {
    beforeEach(() => start(['v5.channel.k8s.io', 'v4.channel.k8s.io']));

    it('should ask for the exec URL with the command repeated, offering v5 then v4', async () => {
      server.onConnection((ws) => ws.send(statusFrame(SUCCESS), () => ws.close()));
      const session = await pods.exec('web', ['sh', '-c', 'echo hi'], { container: 'app' });
      await session.exit;
      expect(server.upgrades[0]?.url).toBe('/api/v1/namespaces/ns/pods/web/exec?command=sh&command=-c&command=echo+hi&container=app&stdin=false&stdout=true&stderr=true&tty=false');
      expect(server.upgrades[0]?.protocols).toEqual(['v5.channel.k8s.io', 'v4.channel.k8s.io']);
      expect(session.protocol).toBe('v5.channel.k8s.io');
    });

    it('should keep stdout and stderr apart, hand output sent before subscribe to the first subscriber, and give exit code 0', async () => {
      server.onConnection((ws) => {
        ws.send(encodeFrame(1, new Uint8Array(0))); // the server's "connected" empty frame
        ws.send(encodeFrame(1, enc('out1 ')));
        ws.send(encodeFrame(2, enc('err1')));
        ws.send(encodeFrame(1, enc('out2')));
        ws.send(statusFrame(SUCCESS), () => ws.close(1000));
      });
      const session = await pods.exec('web', ['x']);
      await new Promise((r) => setTimeout(r, 50)); // everything has arrived before anyone subscribes
      const [out, err, exit] = await Promise.all([lastValueFrom(session.stdout.pipe(toArray())), lastValueFrom(session.stderr.pipe(toArray())), session.exit]);
      expect(dec(out)).toBe('out1 out2');
      expect(dec(err)).toBe('err1');
      expect(exit).toEqual({ exitCode: 0, status: SUCCESS });
    });

    it('should make a NonZeroExitCode Status a value: execText resolves with the exit code', async () => {
      server.onConnection((ws) => {
        ws.send(encodeFrame(1, enc('partial\n')));
        ws.send(statusFrame(exitStatus(3)), () => ws.close());
      });
      await expect(pods.execText('web', ['false'])).resolves.toEqual({ stdout: 'partial\n', stderr: '', exitCode: 3 });
    });

    it('should send stdin on channel 0 and half-close it with [255, 0], after which the process answers', async () => {
      let received: Uint8Array[] = [];
      server.onConnection((ws) => {
        received = messages(ws);
        ws.on('message', (data: Buffer) => {
          if (data[0] === 255 && data[1] === 0) {
            const input = received.filter((m) => m[0] === 0).map((m) => m.subarray(1));
            ws.send(encodeFrame(1, enc(`read ${dec(input).length} bytes`)));
            ws.send(statusFrame(SUCCESS), () => ws.close());
          }
        });
      });
      const result = await pods.execText('web', ['wc', '-c'], { stdin: 'hello world' });
      expect(result).toEqual({ stdout: 'read 11 bytes', stderr: '', exitCode: 0 });
      expect(server.upgrades[0]?.url).toContain('stdin=true');
      expect(Array.from(received.at(-1) ?? [])).toEqual([255, 0]);
    });

    it('should send resize messages for a TTY, the first one from terminalSize', async () => {
      const sizes: unknown[] = [];
      server.onConnection((ws) => {
        ws.on('message', (data: Buffer) => {
          if (data[0] === 4) sizes.push(decodeResize(new Uint8Array(data.subarray(1))));
          if (sizes.length === 2) ws.send(statusFrame(SUCCESS), () => ws.close());
        });
      });
      const session = await pods.exec('web', ['sh'], { stdin: true, tty: true, terminalSize: { width: 80, height: 24 } });
      session.resize({ width: 120, height: 40 });
      await session.exit;
      expect(sizes).toEqual([{ width: 80, height: 24 }, { width: 120, height: 40 }]);
      expect(server.upgrades[0]?.url).toContain('stderr=false&tty=true');
    });

    it('should reject exit with PodStreamError execFailed for a Failure that is not an exit code', async () => {
      const status = { metadata: {}, status: 'Failure', reason: 'InternalError', message: 'exec: "nope": executable file not found in $PATH' };
      server.onConnection((ws) => ws.send(statusFrame(status), () => ws.close()));
      const error = await pods.execText('web', ['nope']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PodStreamError);
      expect(error).toMatchObject({ reason: 'execFailed', status, context: { pod: 'web', namespace: 'ns', command: 'nope' } });
      expect((error as Error).message).toBe('the command failed: InternalError: exec: "nope": executable file not found in $PATH');
    });

    it('should reject with connectionLost when the stream ends without an exit status, and error the outputs', async () => {
      server.onConnection((ws) => {
        ws.send(encodeFrame(1, enc('half')));
        setTimeout(() => ws.terminate(), 20);
      });
      const session = await pods.exec('web', ['x']);
      const out = lastValueFrom(session.stdout.pipe(toArray())).catch((e: unknown) => e);
      await expect(session.exit).rejects.toMatchObject({ reason: 'connectionLost' });
      expect(await out).toBeInstanceOf(PodStreamError);
    });

    it('should call a malformed message a protocolError', async () => {
      server.onConnection((ws) => ws.send(Uint8Array.of(255, 1, 2)));
      const session = await pods.exec('web', ['x']);
      await expect(session.exit).rejects.toMatchObject({ reason: 'protocolError' });
    });

    it('should close the socket on close(): the server sees it, exit rejects with connectionLost', async () => {
      let closedOnServer!: Promise<number>;
      server.onConnection((ws) => {
        closedOnServer = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
      });
      const session = await pods.exec('web', ['sleep', '100']);
      session.close();
      await expect(session.exit).rejects.toMatchObject({ reason: 'connectionLost', message: 'the session was closed before the process ended' });
      expect(await closedOnServer).toBe(1000);
    });
  });

  describe('exec back-pressure (a 10 MiB burst)', () => {
    const MIB = 1024 * 1024;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let upstream!: { bufferedAmount: number };
    // The process prints 10 MiB on stdout at once, then exits 0: whatever this side does not read waits in
    // the server's WebSocket buffer (bufferedAmount), not in this process.
    beforeEach(async () => {
      await start(['v5.channel.k8s.io']);
      server.onConnection((ws) => {
        upstream = ws;
        const chunk = encodeFrame(1, new Uint8Array(64 * 1024).fill(7));
        for (let i = 0; i < 160; i++) ws.send(chunk);
        ws.send(statusFrame(SUCCESS), () => ws.close(1000));
      });
    });
    const receiveAll = async (count: () => number): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (count() < 10 * MIB && Date.now() < deadline) await sleep(20);
    };

    it('should hold at most the high-water mark for a stream nobody subscribed to yet (the socket pauses), then deliver every byte', async () => {
      const session = await pods.exec('web', ['yes'], { highWaterMark: MIB });
      await sleep(1000);
      // Without the pause this side would have read (and held) all 10 MiB: nothing would wait upstream.
      expect(upstream.bufferedAmount).toBeGreaterThan(4 * MIB);
      let received = 0;
      session.stdout.subscribe((c) => (received += c.length));
      await receiveAll(() => received);
      expect(received).toBe(10 * MIB);
      await expect(session.exit).resolves.toMatchObject({ exitCode: 0 });
    });

    it('should stop reading while a subscriber has paused the session, and read on after resume()', async () => {
      const session = await pods.exec('web', ['yes']);
      let received = 0;
      session.stdout.subscribe((c) => {
        received += c.length;
        session.pause();
      });
      await sleep(1000);
      expect(received).toBeLessThan(2 * MIB);
      expect(upstream.bufferedAmount).toBeGreaterThan(4 * MIB);
      const readOn = setInterval(() => session.resume(), 1);
      try {
        await receiveAll(() => received);
      } finally {
        clearInterval(readOn);
      }
      expect(received).toBe(10 * MIB);
      await expect(session.exit).resolves.toMatchObject({ exitCode: 0 });
    });

    it('should end promptly when closed while paused (reading resumes for the close handshake)', async () => {
      server.onConnection((ws) => {
        const chunk = encodeFrame(1, new Uint8Array(64 * 1024).fill(7));
        for (let i = 0; i < 160; i++) ws.send(chunk); // and the process goes on running
      });
      const session = await pods.exec('web', ['yes']);
      session.pause();
      await sleep(200);
      const started = Date.now();
      session.close();
      await expect(session.exit).rejects.toMatchObject({ reason: 'connectionLost' });
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });

  describe('exec over v4.channel.k8s.io (fallback)', () => {
    beforeEach(() => start(['v4.channel.k8s.io']));

    it('should fall back to v4: no half-close, execText with stdin refuses instead of hanging', async () => {
      const received: Uint8Array[][] = [];
      server.onConnection((ws) => {
        received.push(messages(ws));
        setTimeout(() => ws.send(statusFrame(SUCCESS), () => ws.close()), 50);
      });
      const session = await pods.exec('web', ['cat'], { stdin: true });
      expect(session.protocol).toBe('v4.channel.k8s.io');
      expect(session.stdin.canHalfClose).toBe(false);
      session.stdin.write('x');
      session.stdin.end();
      await expect(session.exit).resolves.toMatchObject({ exitCode: 0 });
      expect(received[0]?.map((m) => Array.from(m))).toEqual([[0, 120]]);
      await expect(pods.execText('web', ['cat'], { stdin: 'x' })).rejects.toMatchObject({ reason: 'unsupported' });
    });
  });

  describe('the upgrade', () => {
    it('should turn a refused upgrade into an ApiError with the server’s Status', async () => {
      await start(['v5.channel.k8s.io']);
      const status = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'pods "web" is forbidden: User "nobody" cannot create resource "pods/exec"' };
      server.refuse(() => ({ status: 403, body: JSON.stringify(status) }));
      const error = await pods.exec('web', ['ls']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect(isForbidden(error)).toBe(true);
      expect((error as ApiError).message).toBe(`GET /api/v1/namespaces/ns/pods/web/exec: 403 Forbidden: ${status.message}`);
      expect((error as ApiError).verb).toBe('exec');
    });

    it('should refresh credentials once after a 401 and send them with the retried upgrade, with impersonation and user agent', async () => {
      let token = 'old';
      const invalidated: string[] = [];
      const auth: AuthProvider = {
        kind: 'token',
        headers: async () => ({ Authorization: `Bearer ${token}` }),
        invalidate: () => {
          invalidated.push(token);
          token = 'new';
        },
      };
      await start(['v5.channel.k8s.io'], { auth, impersonate: { user: 'jane', groups: ['dev', 'ops'] }, userAgent: 'tests/1' });
      server.refuse((u) => (u.headers.authorization === 'Bearer old' ? { status: 401, body: '{"kind":"Status","status":"Failure","reason":"Unauthorized","code":401}' } : undefined));
      server.onConnection((ws) => ws.send(statusFrame(SUCCESS), () => ws.close()));
      await expect(pods.execText('web', ['true'])).resolves.toMatchObject({ exitCode: 0 });
      expect(invalidated).toEqual(['old']);
      expect(server.upgrades.map((u) => u.headers.authorization)).toEqual(['Bearer old', 'Bearer new']);
      expect(server.upgrades[1]?.headers).toMatchObject({ 'impersonate-user': 'jane', 'impersonate-group': 'dev, ops', 'user-agent': 'tests/1' });
    });

    it('should end a socket whose keepalive ping goes unanswered with connectionLost', async () => {
      server = await startWebSocketServer({ protocols: ['v5.channel.k8s.io'], autoPong: false });
      pods = Api.namespaced(new Client({ server: server.url, transport: { webSocket: webSocketConnector({ pingIntervalMs: 30 }) } }), Pod, 'ns');
      const session = await pods.exec('web', ['sleep', '100']);
      const error = await session.exit.catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'connectionLost', message: 'no answer to a keepalive ping within 30 ms' });
    });

    it('should not count a pong unread while the session is paused (back-pressure) as unanswered', async () => {
      server = await startWebSocketServer({ protocols: ['v5.channel.k8s.io'] });
      pods = Api.namespaced(new Client({ server: server.url, transport: { webSocket: webSocketConnector({ pingIntervalMs: 20 }) } }), Pod, 'ns');
      server.onConnection((ws) => {
        ws.send(encodeFrame(1, enc('x')));
        setTimeout(() => ws.send(statusFrame(SUCCESS), () => ws.close()), 300);
      });
      const session = await pods.exec('web', ['sleep', '0.3']);
      session.pause();
      await new Promise((r) => setTimeout(r, 200)); // ten ping intervals without reading
      session.resume();
      await expect(session.exit).resolves.toMatchObject({ exitCode: 0 });
    });

    it('should keep a socket whose pings are answered', async () => {
      server = await startWebSocketServer({ protocols: ['v5.channel.k8s.io'] });
      pods = Api.namespaced(new Client({ server: server.url, transport: { webSocket: webSocketConnector({ pingIntervalMs: 20 }) } }), Pod, 'ns');
      server.onConnection((ws) => setTimeout(() => ws.send(statusFrame(SUCCESS), () => ws.close()), 200));
      const session = await pods.exec('web', ['sleep', '0.2']);
      await expect(session.exit).resolves.toMatchObject({ exitCode: 0 });
    });
  });

  describe('port-forward', () => {
    beforeEach(() => start(['v4.channel.k8s.io']));

    it('should strip the port prefix, carry bytes on each port’s data channel and report the error channel per port', async () => {
      server.onConnection((ws) => {
        for (const [i, port] of [8080, 9090].entries()) {
          ws.send(encodeFrame(2 * i, encodePortPrefix(port)));
          ws.send(encodeFrame(2 * i + 1, encodePortPrefix(port)));
        }
        ws.on('message', (data: Buffer) => {
          if (data[0] === 0) ws.send(encodeFrame(0, enc(`echo:${data.subarray(1).toString()}`)));
          if (data[0] === 2) ws.send(encodeFrame(3, enc('error forwarding port 9090 to pod web: connection refused')));
        });
      });
      const forward = await pods.portForward('web', [8080, 9090]);
      expect(server.upgrades[0]?.url).toBe('/api/v1/namespaces/ns/pods/web/portforward?ports=8080%2C9090');
      expect(server.upgrades[0]?.protocols).toEqual(['v4.channel.k8s.io']);
      const first = firstValueFrom(forward.port(8080).data);
      forward.port(8080).write('ping');
      expect(dec([await first])).toBe('echo:ping');
      const failed = lastValueFrom(forward.port(9090).data).catch((e: unknown) => e);
      forward.port(9090).write('x');
      expect(await failed).toMatchObject({ reason: 'portForwardFailed', message: 'port 9090: error forwarding port 9090 to pod web: connection refused', context: { port: 9090 } });
      expect(() => forward.port(1)).toThrow(/port 1 was not forwarded/);
      forward.close();
      await forward.closed;
    });

    it('should fail a port whose prefix names another port', async () => {
      server.onConnection((ws) => ws.send(encodeFrame(0, encodePortPrefix(1234))));
      const forward = await pods.portForward('web', [8080]);
      await expect(lastValueFrom(forward.port(8080).data)).rejects.toMatchObject({ reason: 'protocolError' });
      forward.close();
    });
  });
});
