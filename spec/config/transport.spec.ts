import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as net from 'node:net';
import { inspect } from 'node:util';
import { ConfigError } from '../../lib/config/config-error';
import { transportFor } from '../../lib/config/transport';
import { startSocks5Server } from './support/socks5-server';

/** A scripted CONNECT proxy: records each tunnel and its Proxy-Authorization, or refuses with `refuse`. */
async function startProxy(refuse?: number) {
  const seen: { target: string; authorization: string | undefined }[] = [];
  const sockets: Socket[] = [];
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: Socket, head: Buffer) => {
    sockets.push(client);
    seen.push({ target: req.url ?? '', authorization: req.headers['proxy-authorization'] });
    if (refuse !== undefined) {
      client.end(`HTTP/1.1 ${refuse} Nope\r\n\r\n`);
      return;
    }
    const [host, port] = (req.url ?? '').split(/:(?=\d+$)/);
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.push(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function startTarget() {
  const server = http.createServer((req, res) => res.end(`hello ${req.url}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function get(url: string, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

describe('transportFor', () => {
  it('returns the same agents for the same cluster and credentials, others for other ones', () => {
    const a = transportFor({ server: 'https://x.example:6443', tls: { ca: 'CA-1' } });
    expect(transportFor({ server: 'https://x.example:6443/', tls: { ca: 'CA-1' } })).toBe(a);
    expect(transportFor({ server: 'https://x.example:6443', tls: { ca: 'CA-2' } })).not.toBe(a);
    expect(transportFor({ server: 'https://x.example:6443', tls: { ca: 'CA-1', cert: 'C', key: 'K' } })).not.toBe(a);
    expect(transportFor({ server: 'https://x.example:6443', tls: { ca: 'CA-1' }, proxyUrl: 'http://p:1' })).not.toBe(a);
  });

  it('builds keep-alive agents with TLS verification on unless insecure', () => {
    const secure = transportFor({ server: 'https://v.example', tls: { ca: 'CA', serverName: 'api' } }).httpsAgent;
    expect(secure.options).toMatchObject({ keepAlive: true, rejectUnauthorized: true, ca: 'CA', servername: 'api' });
    const insecure = transportFor({ server: 'https://v.example', tls: { insecureSkipTLSVerify: true } }).httpsAgent;
    expect(insecure.options.rejectUnauthorized).toBe(false);
  });

  it('tunnels through a CONNECT proxy, with proxy credentials from the URL', async () => {
    const target = await startTarget();
    const proxy = await startProxy();
    try {
      const { httpAgent } = transportFor({ server: target.url, proxyUrl: `http://user:p%40ss@${proxy.url}` });
      expect(await get(`${target.url}/version`, httpAgent)).toBe('hello /version');
      expect(await get(`${target.url}/again`, httpAgent)).toBe('hello /again');
      expect(proxy.seen).toEqual([
        { target: new URL(target.url).host, authorization: `Basic ${Buffer.from('user:p@ss').toString('base64')}` },
      ]); // one tunnel, kept alive for the second request
    } finally {
      await proxy.close();
      await target.close();
    }
  });

  it('fails the request when the proxy refuses the tunnel', async () => {
    const proxy = await startProxy(403);
    try {
      const { httpAgent } = transportFor({ server: 'http://10.255.255.1:6443', proxyUrl: `http://${proxy.url}` });
      await expect(get('http://10.255.255.1:6443/version', httpAgent)).rejects.toThrow(
        `proxy ${proxy.url} refused CONNECT 10.255.255.1:6443: 403`,
      );
    } finally {
      await proxy.close();
    }
  });

  it('tunnels through a SOCKS5 proxy (socks5:// and socks5h://), with user and password from the URL', async () => {
    const target = await startTarget();
    const socks = await startSocks5Server({ alice: 'p@ss' });
    try {
      const { httpAgent } = transportFor({ server: target.url, proxyUrl: `socks5://alice:p%40ss@${socks.address}` });
      expect(await get(`${target.url}/version`, httpAgent)).toBe('hello /version');
      expect(await get(`${target.url}/again`, httpAgent)).toBe('hello /again');
      expect(socks.connects).toEqual([{ target: new URL(target.url).host, user: 'alice' }]); // one tunnel, kept alive
      const h = transportFor({ server: target.url.replace('127.0.0.1', 'localhost'), proxyUrl: `socks5h://alice:p%40ss@${socks.address}` });
      expect(await get(`${target.url.replace('127.0.0.1', 'localhost')}/named`, h.httpAgent)).toBe('hello /named');
      expect(socks.connects[1]).toEqual({ target: `localhost:${new URL(target.url).port}`, user: 'alice' });
    } finally {
      await socks.close();
      await target.close();
    }
  });

  it('fails the request with a clear error when the SOCKS5 proxy refuses the credentials, without the password', async () => {
    const socks = await startSocks5Server({ alice: 'right' });
    try {
      const { httpAgent } = transportFor({ server: 'http://10.255.255.1:6443', proxyUrl: `socks5://alice:wrong-secret@${socks.address}` });
      const e = (await get('http://10.255.255.1:6443/version', httpAgent).catch((x: unknown) => x)) as Error;
      expect(e.message).toMatch(new RegExp(`^SOCKS5 proxy ${socks.address} could not connect to 10.255.255.1:6443: `));
      expect(e.message).not.toContain('wrong-secret');
    } finally {
      await socks.close();
    }
  });

  it('rejects proxy schemes it cannot tunnel through, naming the file and field but not the URL', () => {
    const origin = { file: '/home/me/.kube/config', field: 'clusters[1].cluster.proxy-url', entry: 'prod' };
    let e: unknown;
    try {
      transportFor({ server: 'https://s.example', proxyUrl: 'socks4://user:hunter2@p:1080', proxyOrigin: origin });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).reason).toBe('unsupported');
    expect((e as ConfigError).message).toBe(
      'kubeconfig /home/me/.kube/config: clusters[1].cluster.proxy-url: scheme socks4: is not supported (use http, https, socks5 or socks5h)',
    );
    expect((e as ConfigError).context).toEqual(origin);
    expect(() => transportFor({ server: 'https://s.example', proxyUrl: 'not a url' })).toThrow('proxy-url: not a URL');
  });

  it('never shows the private key in util.inspect or JSON.stringify', () => {
    const { httpsAgent } = transportFor({ server: 'https://k.example', tls: { cert: 'CERT', key: 'PRIVATE-KEY-MATERIAL' } });
    for (const text of [inspect(httpsAgent, { depth: 10 }), JSON.stringify(httpsAgent)]) {
      expect(text).toContain('https.Agent');
      expect(text).not.toContain('PRIVATE-KEY-MATERIAL');
    }
  });

  describe('idle keep-alive connections', () => {
    /** A server that answers after `delayMs` (per request path `/slow`) and records when its connections close. */
    async function startCountingServer() {
      const closes: number[] = [];
      let connections = 0;
      const server = http.createServer((req, res) => {
        if (req.url === '/slow') setTimeout(() => res.end('slow'), 300);
        else res.end('fast');
      });
      server.keepAliveTimeout = 60_000; // the server would keep idle connections for a minute
      server.on('connection', (socket: Socket) => {
        connections++;
        socket.on('close', () => closes.push(Date.now()));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        closes,
        connections: () => connections,
        close: async () => {
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        },
      };
    }
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    it('closes a pooled connection after idleSocketTimeoutMs without a request', async () => {
      const target = await startCountingServer();
      try {
        const { httpAgent } = transportFor({ server: target.url, idleSocketTimeoutMs: 100 });
        expect(await get(`${target.url}/`, httpAgent)).toBe('fast');
        await sleep(30);
        expect(target.closes).toHaveLength(0); // pooled, still open
        const pooledAt = Date.now();
        for (let i = 0; i < 50 && target.closes.length === 0; i++) await sleep(20);
        expect(target.closes).toHaveLength(1);
        expect(target.closes[0]! - pooledAt).toBeLessThan(600);
      } finally {
        await target.close();
      }
    });

    it('reuses a pooled connection within the idle time, and never cuts one in use (a slow answer, a quiet watch)', async () => {
      const target = await startCountingServer();
      try {
        const { httpAgent } = transportFor({ server: target.url, idleSocketTimeoutMs: 100 });
        expect(await get(`${target.url}/`, httpAgent)).toBe('fast');
        await sleep(20);
        // The pooled connection is taken again and stays quiet for 300 ms, three idle periods.
        expect(await get(`${target.url}/slow`, httpAgent)).toBe('slow');
        expect(target.connections()).toBe(1);
        expect(target.closes).toHaveLength(0);
        // A fresh connection that is slow from the start is not cut either.
        const [a, b] = await Promise.all([get(`${target.url}/slow`, httpAgent), get(`${target.url}/slow`, httpAgent)]);
        expect([a, b]).toEqual(['slow', 'slow']);
      } finally {
        await target.close();
      }
    });

    it('gives the https agent the same idle limit (30 s by default), lifted while a connection is in use', () => {
      const { httpsAgent } = transportFor({ server: 'https://idle.example', tls: { ca: 'CA' } });
      expect(JSON.parse(JSON.stringify(httpsAgent))).toMatchObject({ idleSocketTimeoutMs: 30_000 });
      const socket = new net.Socket();
      try {
        expect(httpsAgent.keepSocketAlive(socket as never)).toBe(true);
        expect(socket.timeout).toBe(30_000);
        httpsAgent.reuseSocket(socket as never, {} as never);
        expect(socket.timeout).toBe(0);
      } finally {
        socket.destroy();
      }
      const short = transportFor({ server: 'https://idle.example', tls: { ca: 'CA' }, idleSocketTimeoutMs: 1_000 }).httpsAgent;
      expect(short).not.toBe(httpsAgent);
    });
  });
});
