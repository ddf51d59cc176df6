import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';
import { firstValueFrom, take, toArray } from 'rxjs';
import type { KubeRequest } from '../../lib/core/request.js';
import { Client, type ClientOptions } from '../../lib/client/client.js';
import type { AuthProvider, ClientConfig } from '../../lib/client/config.js';
import { DecodeError } from '../../lib/core/error-boundary.js';
import { AbortedError, ApiError, isNotFound, NetworkError } from '../../lib/client/errors.js';
import type { AdapterName } from '../../lib/client/transport.js';
import { VERSION } from '../../lib/client/version.js';
import { json, recordingScheduler, type ScriptedServer, startServer, status } from './support/scripted-server.js';

const SECRET = 'sekret-token-0123456789';
const bearer: AuthProvider = { kind: 'token', headers: async () => ({ Authorization: `Bearer ${SECRET}` }) };

function get(path: string, query: Record<string, string> = {}): KubeRequest {
  return { verb: 'get', method: 'GET', path, query, headers: { Accept: 'application/json' } };
}

function watch(path: string): KubeRequest {
  return { verb: 'watch', method: 'GET', path, query: { watch: 'true' }, headers: { Accept: 'application/json' }, streaming: true };
}

describe('Client', () => {
  let server: ScriptedServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const client = (config: Partial<ClientConfig> = {}, options: ClientOptions = {}): Client =>
    new Client({ server: server.url, auth: bearer, ...config }, { retry: false, ...options });

  it('sends the path, query, headers and JSON body of a request and parses the JSON answer', async () => {
    server.handle((_req, res) => json(res, 201, { kind: 'ConfigMap', metadata: { name: 'x' } }));
    const created = await client().request<{ metadata: { name: string } }>({
      verb: 'create',
      method: 'POST',
      path: '/api/v1/namespaces/a b/configmaps',
      query: { fieldManager: 'me', labelSelector: 'app in (x,y)' },
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: { metadata: { name: 'x' } },
    });
    expect(created.metadata.name).toBe('x');
    const [seen] = server.requests;
    expect(seen?.method).toBe('POST');
    const url = new URL(seen?.url ?? '', server.url);
    expect(url.pathname).toBe('/api/v1/namespaces/a%20b/configmaps');
    expect(url.searchParams.get('fieldManager')).toBe('me');
    expect(url.searchParams.get('labelSelector')).toBe('app in (x,y)');
    expect(JSON.parse(seen?.body ?? '')).toEqual({ metadata: { name: 'x' } });
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(seen?.headers['user-agent']).toBe(`rxkube/${VERSION} (node)`);
    expect(seen?.headers['accept-encoding']).toBe('gzip');
  });

  it('keeps a path prefix of the server URL', async () => {
    server.handle((_req, res) => json(res, 200, {}));
    await client({ server: `${server.url}/k8s/clusters/c-1/` }).request(get('/api/v1/pods'));
    expect(server.requests[0]?.url).toBe('/k8s/clusters/c-1/api/v1/pods');
  });

  it('decompresses gzip responses, and asks for identity when compression is disabled', async () => {
    server.handle((req, res) => {
      const body = JSON.stringify({ big: 'y'.repeat(10_000) });
      if (req.headers['accept-encoding'] === 'gzip') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
        res.end(gzipSync(body));
      } else {
        res.end(body);
      }
    });
    expect((await client().request<{ big: string }>(get('/x'))).big).toHaveLength(10_000);
    expect((await client({ disableCompression: true }).request<{ big: string }>(get('/x'))).big).toHaveLength(10_000);
    expect(server.requests[1]?.headers['accept-encoding']).toBe('identity');
  });

  it('sends through proxyUrl when no transport agents are given', async () => {
    server.handle((_req, res) => json(res, 200, { via: 'proxy' }));
    const target = 'http://cluster.invalid:6443';
    const c = new Client({ server: target, proxyUrl: server.url }, { retry: false });
    await expect(c.request(get('/api/v1/namespaces'))).resolves.toEqual({ via: 'proxy' });
    expect(server.requests[0]?.url).toBe(`${target}/api/v1/namespaces`);
  });

  it('uses config.userAgent when given', async () => {
    server.handle((_req, res) => json(res, 200, {}));
    await client({ userAgent: 'my-operator/2.0' }).request(get('/x'));
    expect(server.requests[0]?.headers['user-agent']).toBe('my-operator/2.0');
  });

  it('sends impersonation headers, repeating multi-valued ones', async () => {
    server.handle((_req, res) => json(res, 200, {}));
    await client({ impersonate: { user: 'jane', groups: ['dev', 'ops'], uid: '42', extra: { 'scopes.example/x y': ['a', 'b'] } } }).request(get('/x'));
    const raw = server.requests[0]?.rawHeaders ?? [];
    const values = (name: string): string[] => raw.flatMap((h, i) => (i % 2 === 0 && h.toLowerCase() === name ? [raw[i + 1] ?? ''] : []));
    expect(values('impersonate-user')).toEqual(['jane']);
    expect(values('impersonate-group')).toEqual(['dev', 'ops']);
    expect(values('impersonate-uid')).toEqual(['42']);
    expect(values('impersonate-extra-scopes.example%2fx%20y')).toEqual(['a', 'b']);
  });

  it('rejects with an ApiError carrying the server Status, verb, path and the sent body', async () => {
    const causes = [{ field: 'data.x', reason: 'FieldValueInvalid', message: 'bad' }];
    server.handle((_req, res) => json(res, 409, status(409, 'Conflict', 'the object has been modified', { details: { name: 'y', kind: 'configmaps', causes } })));
    const sent = { metadata: { name: 'y', resourceVersion: '1' }, data: { x: '1' } };
    const error: unknown = await client()
      .request({ verb: 'replace', method: 'PUT', path: '/api/v1/namespaces/x/configmaps/y', query: {}, headers: {}, body: sent })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const e = error as ApiError;
    expect(e.message).toBe('PUT /api/v1/namespaces/x/configmaps/y: 409 Conflict: the object has been modified');
    expect(e.code).toBe(409);
    expect(e.verb).toBe('replace');
    expect(e.causes).toEqual(causes);
    expect(e.sent).toBe(sent);
  });

  it('synthesizes a Status for a failure that is not one (a proxy 502 page)', async () => {
    server.handle((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><body>\n  <h1>502 Bad Gateway</h1>\n</body></html>');
    });
    const e = (await client().request(get('/api/v1/pods')).catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toMatchObject({ kind: 'Status', code: 502, reason: 'BadGateway' });
    expect(e.message).toBe('GET /api/v1/pods: 502 BadGateway: <html><body> <h1>502 Bad Gateway</h1> </body></html>');
  });

  it('rejects a 2xx body that is not JSON with a DecodeError', async () => {
    server.handle((_req, res) => res.end('not json'));
    await expect(client().request(get('/x'))).rejects.toBeInstanceOf(DecodeError);
    await expect(client().requestText(get('/x'))).resolves.toBe('not json');
  });

  it('reports a refused connection as a NetworkError with a header-free cause', async () => {
    const url = server.url;
    await server.close();
    const e = (await new Client({ server: url, auth: bearer }, { retry: false }).request(get('/x')).catch((x: unknown) => x)) as NetworkError;
    server = await startServer();
    expect(e).toBeInstanceOf(NetworkError);
    expect(e.code).toBe('ECONNREFUSED');
    expect(e.message).toMatch(/^GET \/x: /);
    expect(e.cause).toBeInstanceOf(Error);
    expect(Object.keys(e.cause as object)).not.toContain('config');
    for (const text of [e.message, JSON.stringify(e), inspect(e, { depth: 10, showHidden: true }), e.stack ?? '']) {
      expect(text).not.toContain(SECRET);
    }
  });

  it('never shows credentials in util.inspect or JSON.stringify of a client or an ApiError', async () => {
    server.handle((_req, res) => json(res, 401, status(401, 'Unauthorized', 'Unauthorized')));
    const c = new Client(
      { server: `https://admin:${SECRET}@example.invalid`, auth: bearer, tls: { key: `KEY-${SECRET}`, cert: 'CERT' } },
      { retry: false },
    );
    for (const text of [inspect(c, { depth: 10, showHidden: true }), JSON.stringify(c)]) {
      expect(text).not.toContain(SECRET);
      expect(text).toContain('example.invalid');
    }
    const e = await client().request({ ...get('/x'), body: { token: 'not-redacted-by-design' } }).catch((x: unknown) => x);
    for (const text of [JSON.stringify(e), inspect(e, { depth: 10 }), (e as Error).message]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('not-redacted-by-design');
    }
  });

  it('runs user interceptors outermost: once per call, around the retries, able to change the request', async () => {
    let calls = 0;
    server.handle((_req, res, _body, index) => (index === 0 ? json(res, 503, status(503, 'ServiceUnavailable', 'busy')) : json(res, 200, { ok: true })));
    const seen: number[] = [];
    const c = new Client(
      { server: server.url },
      {
        retry: { scheduler: recordingScheduler().scheduler },
        interceptors: [
          async (req, next) => {
            calls++;
            const res = await next({ ...req, headers: { ...req.headers, 'X-Trace': 't-1' } });
            seen.push(res.status);
            return res;
          },
        ],
      },
    );
    await expect(c.request(get('/x'))).resolves.toEqual({ ok: true });
    expect(calls).toBe(1);
    expect(seen).toEqual([200]);
    expect(server.requests.map((r) => r.headers['x-trace'])).toEqual(['t-1', 't-1']);
  });

  it('lets an error thrown by an interceptor through unchanged', async () => {
    const boom = new Error('no credentials today');
    const c = new Client({ server: server.url }, { interceptors: [() => Promise.reject(boom)] });
    await expect(c.request(get('/x'))).rejects.toBe(boom);
    expect(server.requests).toHaveLength(0);
  });

  it('request$ is cold and aborts the request on unsubscribe', async () => {
    server.handle(() => undefined); // never answers
    const c = client();
    const obs = c.request$(get('/slow'));
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests).toHaveLength(0);
    const closed = server.nextSocketClose();
    const sub = obs.subscribe();
    await server.waitForRequests(1);
    sub.unsubscribe();
    await closed;
  });

  it('rejects a request cancelled through its signal with AbortedError', async () => {
    server.handle(() => undefined);
    const controller = new AbortController();
    const pending = client().request(get('/slow'), { signal: controller.signal });
    await server.waitForRequests(1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });

  describe.each<AdapterName>(['http', 'fetch'])('requestLines with the %s adapter', (adapter) => {
    const lines = (chunks: (string | Buffer)[], gapMs = 10): Promise<string[]> => {
      server.handle(async (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        for (const chunk of chunks) {
          res.write(chunk);
          await new Promise((r) => setTimeout(r, gapMs));
        }
        res.end();
      });
      return firstValueFrom(client({}, { adapter }).requestLines(watch('/w')).pipe(toArray()));
    };

    it('joins a JSON line split across chunks', async () => {
      expect(await lines(['{"type":"ADD', 'ED","object":{}}\n'])).toEqual(['{"type":"ADDED","object":{}}']);
    });

    it('splits several lines in one chunk, keeping order and empty lines', async () => {
      expect(await lines(['a\nb\n\nc\n', 'd\n'])).toEqual(['a', 'b', '', 'c', 'd']);
    });

    it('emits a trailing partial line when the stream closes', async () => {
      expect(await lines(['a\nb', 'c'])).toEqual(['a', 'bc']);
    });

    it('decodes a multi-byte character split across chunks', async () => {
      const bytes = Buffer.from('héllo ✓\n', 'utf8');
      expect(await lines([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)])).toEqual(['héllo ✓']);
    });

    it('errors with the ApiError of a failed stream', async () => {
      server.handle((_req, res) => json(res, 410, status(410, 'Expired', 'too old resource version: 1 (5)')));
      const e = (await firstValueFrom(client({}, { adapter }).requestLines(watch('/w'))).catch((x: unknown) => x)) as ApiError;
      expect(e).toBeInstanceOf(ApiError);
      expect(e.code).toBe(410);
      expect(e.message).toBe('GET /w: 410 Expired: too old resource version: 1 (5)');
    });

    it('errors with a NetworkError when the connection drops mid-stream, after the lines before it', async () => {
      server.handle((req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('first\n');
        setTimeout(() => req.socket.destroy(), 30);
      });
      const got: string[] = [];
      const error = await new Promise<unknown>((resolve) =>
        client({}, { adapter }).requestLines(watch('/w')).subscribe({ next: (l) => got.push(l), error: resolve, complete: () => resolve('completed') }),
      );
      expect(got).toEqual(['first']);
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError).message).toMatch(/^GET \/w: /);
      expect(JSON.stringify(error)).not.toContain(SECRET);
      expect(inspect(error, { depth: 10 })).not.toContain(SECRET);
    });

    it('aborts the HTTP request on unsubscribe (the server sees the socket close)', async () => {
      server.handle((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('one\n');
        const timer = setInterval(() => res.write('more\n'), 20);
        res.on('close', () => clearInterval(timer));
      });
      const closed = server.nextSocketClose();
      const first = await firstValueFrom(client({}, { adapter }).requestLines(watch('/w')).pipe(take(2), toArray()));
      expect(first).toEqual(['one', 'more']);
      await closed;
    });

    it('sends one-shot requests too', async () => {
      server.handle((_req, res) => json(res, 404, status(404, 'NotFound', 'configmaps "x" not found')));
      const e = await client({}, { adapter }).request(get('/api/v1/namespaces/a/configmaps/x')).catch((x: unknown) => x);
      expect(isNotFound(e)).toBe(true);
    });
  });
});
