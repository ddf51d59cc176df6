/**
 * portForwardSession over a hand-driven StreamSocket: `drained` waits for the socket's buffered bytes
 * to fall to the low-water mark (the socket's own `drained` where it has one, else polling
 * `bufferedAmount`, as in browsers), and never hangs once the forward has ended.
 */
import { portForwardSession } from '../../lib/client/port-forward.js';
import type { StreamSocket, StreamSocketHandlers } from '../../lib/client/web-socket.js';
import { encodeFrame } from '../../lib/core/channel-protocol.js';
import { encodePortPrefix } from '../../lib/core/port-forward-protocol.js';

function fakeSocket(withDrained: boolean): { socket: StreamSocket; handlers: () => StreamSocketHandlers; sent: Uint8Array[]; buffered: { amount: number }; asked: number[] } {
  let handlers: StreamSocketHandlers | undefined;
  const sent: Uint8Array[] = [];
  const buffered = { amount: 0 };
  const asked: number[] = [];
  const socket: StreamSocket = {
    protocol: 'v4.channel.k8s.io',
    get bufferedAmount() {
      return buffered.amount;
    },
    send: (data) => {
      sent.push(data);
      buffered.amount += data.length;
    },
    close: () => handlers?.close(1000, ''),
    listen: (h) => {
      handlers = h;
    },
    ...(withDrained
      ? {
          drained: (mark: number) => {
            asked.push(mark);
            return Promise.resolve();
          },
        }
      : {}),
  };
  return { socket, handlers: () => handlers as StreamSocketHandlers, sent, buffered, asked };
}

const settled = async (promise: Promise<void>): Promise<boolean> => {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((r) => setTimeout(r, 30));
  return done;
};

describe('portForwardSession drained', () => {
  it('should use the socket’s drained with the low-water mark asked for (0 by default)', async () => {
    const fake = fakeSocket(true);
    const forward = portForwardSession(fake.socket, [80]);
    await forward.drained(1000);
    await forward.drained();
    expect(fake.asked).toEqual([1000, 0]);
  });

  it('should poll bufferedAmount where the socket cannot tell, resolving once it is at most the mark', async () => {
    const fake = fakeSocket(false);
    const forward = portForwardSession(fake.socket, [80]);
    fake.handlers().message(encodeFrame(0, encodePortPrefix(80)));
    forward.port(80).write(new Uint8Array(5000));
    expect(forward.bufferedAmount).toBe(5001);
    const waiting = forward.drained(1000);
    expect(await settled(waiting)).toBe(false);
    fake.buffered.amount = 1000;
    expect(await settled(waiting)).toBe(true);
    expect(await settled(forward.drained(1000))).toBe(true);
  });

  it('should resolve once the forward has ended, however much is still buffered', async () => {
    const fake = fakeSocket(false);
    const forward = portForwardSession(fake.socket, [80]);
    forward.port(80).write('hello');
    const waiting = forward.drained();
    expect(await settled(waiting)).toBe(false);
    forward.close();
    expect(await settled(waiting)).toBe(true);
  });
});
