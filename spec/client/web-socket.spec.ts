/**
 * The runtime-WebSocket path (browsers): headers become subprotocols — a bearer token as
 * base64url.bearer.authorization.k8s.io.<token> — and headers a browser cannot send are refused with a typed
 * error; the native connector adapts a WHATWG WebSocket (a fake one here) to StreamSocket.
 */
import { nativeProtocols, nativeWebSocketConnector, type StreamSocket } from '../../lib/client/web-socket.js';
import { PodStreamError } from '../../lib/core/pod-stream-error.js';

class FakeWebSocket {
  static last: FakeWebSocket | undefined;
  binaryType = 'blob';
  protocol = '';
  bufferedAmount = 0;
  readyState = 0;
  sent: Uint8Array[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeWebSocket.last = this;
  }
  send(data: Uint8Array): void {
    this.sent.push(data);
  }
  close(code = 1000, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

describe('nativeProtocols', () => {
  it('should carry a bearer token as a base64url subprotocol without padding, and drop headers the browser sets', () => {
    expect(nativeProtocols(['v5.channel.k8s.io'], { Authorization: 'Bearer abc?>', 'User-Agent': 'x', Accept: '*/*' })).toEqual([
      'v5.channel.k8s.io',
      `base64url.bearer.authorization.k8s.io.${Buffer.from('abc?>').toString('base64url')}`,
    ]);
  });

  it('should refuse headers a browser WebSocket cannot send, naming the header, never the value', () => {
    const refused: Record<string, string>[] = [{ Authorization: 'Basic dXNlcjpwYXNz' }, { 'Impersonate-User': 'jane' }];
    for (const headers of refused) {
      let error: unknown;
      try {
        nativeProtocols([], headers);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PodStreamError);
      expect(error).toMatchObject({ reason: 'unsupported' });
      expect((error as Error).message).not.toContain('dXNlcjpwYXNz');
    }
  });
});

describe('nativeWebSocketConnector', () => {
  it('should open with the protocols, deliver binary messages queued before listen, send, and close', async () => {
    const connector = nativeWebSocketConnector(FakeWebSocket as never);
    const opening = connector({ url: 'wss://h/api', protocols: ['v5.channel.k8s.io'], headers: { Authorization: 'Bearer t' }, signal: new AbortController().signal });
    const ws = FakeWebSocket.last as FakeWebSocket;
    expect(ws.protocols).toEqual(['v5.channel.k8s.io', 'base64url.bearer.authorization.k8s.io.dA']);
    expect(ws.binaryType).toBe('arraybuffer');
    ws.protocol = 'v5.channel.k8s.io';
    ws.readyState = 1;
    ws.onopen?.({});
    const result = await opening;
    if (result.type !== 'open') throw new Error('expected open');
    const socket: StreamSocket = result.socket;
    ws.onmessage?.({ data: Uint8Array.of(1, 104).buffer });
    const got: number[][] = [];
    let closed: number | undefined;
    socket.listen({ message: (m) => got.push(Array.from(m)), close: (code) => (closed = code), error: () => undefined });
    expect(got).toEqual([[1, 104]]);
    expect(socket.protocol).toBe('v5.channel.k8s.io');
    socket.send(Uint8Array.of(0, 1));
    expect(ws.sent).toEqual([Uint8Array.of(0, 1)]);
    socket.close();
    expect(closed).toBe(1000);
  });

  it('should reject with connectionLost when the runtime fails the upgrade (it does not say why)', async () => {
    const opening = nativeWebSocketConnector(FakeWebSocket as never)({ url: 'wss://h/api?x=secret', protocols: [], headers: {}, signal: new AbortController().signal });
    FakeWebSocket.last?.onerror?.({});
    const error = await opening.catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'connectionLost' });
    expect((error as Error).message).not.toContain('secret');
  });
});
