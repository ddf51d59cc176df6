/**
 * A minimal SOCKS5 server for tests (RFC 1928 CONNECT, with RFC 1929 user/password when `users` is
 * given): records every CONNECT target and the user that made it, then relays bytes both ways.
 */
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Socks5Server {
  /** `127.0.0.1:port` */
  readonly address: string;
  readonly connects: Array<{ target: string; user: string | undefined }>;
  close(): Promise<void>;
}

export async function startSocks5Server(users?: Record<string, string>): Promise<Socks5Server> {
  const connects: Array<{ target: string; user: string | undefined }> = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    let stage: 'greeting' | 'auth' | 'request' | 'relay' = 'greeting';
    let user: string | undefined;
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (stage === 'greeting') {
          if (buffer.length < 2 || buffer.length < 2 + buffer[1]!) return;
          const methods = [...buffer.subarray(2, 2 + buffer[1]!)];
          buffer = buffer.subarray(2 + buffer[1]!);
          const wanted = users === undefined ? 0x00 : 0x02;
          if (!methods.includes(wanted)) {
            client.end(Buffer.from([0x05, 0xff]));
            return;
          }
          client.write(Buffer.from([0x05, wanted]));
          stage = users === undefined ? 'request' : 'auth';
        } else if (stage === 'auth') {
          if (buffer.length < 2) return;
          const ulen = buffer[1]!;
          if (buffer.length < 3 + ulen) return;
          const plen = buffer[2 + ulen]!;
          if (buffer.length < 3 + ulen + plen) return;
          const name = buffer.subarray(2, 2 + ulen).toString();
          const password = buffer.subarray(3 + ulen, 3 + ulen + plen).toString();
          buffer = buffer.subarray(3 + ulen + plen);
          if (users?.[name] !== password) {
            client.end(Buffer.from([0x01, 0x01]));
            return;
          }
          user = name;
          client.write(Buffer.from([0x01, 0x00]));
          stage = 'request';
        } else if (stage === 'request') {
          if (buffer.length < 5) return;
          const atyp = buffer[3]!;
          let host: string;
          let end: number;
          if (atyp === 0x01) {
            end = 4 + 4;
            if (buffer.length < end + 2) return;
            host = [...buffer.subarray(4, 8)].join('.');
          } else if (atyp === 0x03) {
            end = 5 + buffer[4]!;
            if (buffer.length < end + 2) return;
            host = buffer.subarray(5, end).toString();
          } else {
            end = 4 + 16;
            if (buffer.length < end + 2) return;
            const b = buffer.subarray(4, 20);
            host = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2).toString(16)).join(':');
          }
          const port = buffer.readUInt16BE(end);
          const rest = buffer.subarray(end + 2);
          stage = 'relay';
          client.removeListener('data', onData);
          connects.push({ target: `${host}:${port}`, user });
          const upstream = net.connect(port, host, () => {
            client.write(Buffer.from([0x05, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]));
            if (rest.length > 0) upstream.write(rest);
            upstream.pipe(client);
            client.pipe(upstream);
          });
          sockets.add(upstream);
          upstream.on('close', () => sockets.delete(upstream));
          upstream.on('error', () => client.end(Buffer.from([0x05, 0x05, 0x00, 0x01, 0, 0, 0, 0, 0, 0])));
          return;
        } else return;
      }
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    connects,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
