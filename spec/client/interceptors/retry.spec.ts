import type { KubeRequest } from '../../../lib/core/request.js';
import { Client } from '../../../lib/client/client.js';
import { AbortedError, ApiError, isConflict, isNotFound, NetworkError } from '../../../lib/client/errors.js';
import { backoffMs, isRetryable, isRetryableConnectionLoss, retryAfterMs } from '../../../lib/client/interceptors/retry.js';
import { json, recordingScheduler, type ScriptedServer, startServer, status } from '../support/scripted-server.js';

const req = (method: KubeRequest['method']): KubeRequest => ({
  verb: method === 'POST' ? 'create' : 'get',
  method,
  path: '/api/v1/namespaces/a/configmaps',
  query: {},
  headers: { Accept: 'application/json' },
  ...(method === 'POST' ? { body: { metadata: { name: 'x' } } } : {}),
});

describe('retry', () => {
  let server: ScriptedServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  /** Answers the first `failures` requests with `code`, then 200. */
  function failThenSucceed(code: number, failures: number, headers: Record<string, string> = {}): void {
    server.handle((_req, res, _body, index) => {
      if (index < failures) json(res, code, status(code, 'X', `attempt ${index}`), headers);
      else json(res, 200, { ok: index });
    });
  }

  it.each([429, 503, 504])('retries a GET answered %i', async (code) => {
    failThenSucceed(code, 2);
    const { scheduler, delays } = recordingScheduler();
    const client = new Client({ server: server.url }, { retry: { scheduler, random: () => 0 }, timeouts: false });
    await expect(client.request(req('GET'))).resolves.toEqual({ ok: 2 });
    expect(server.requests).toHaveLength(3);
    expect(delays).toEqual([250, 500]);
  });

  it.each([500, 502, 409, 404])('does not retry %i', async (code) => {
    failThenSucceed(code, 1);
    const client = new Client({ server: server.url }, { retry: { scheduler: recordingScheduler().scheduler }, timeouts: false });
    await expect(client.request(req('GET'))).rejects.toMatchObject({ code });
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry a POST answered 503 or 504, but does retry a POST answered 429', async () => {
    const { scheduler } = recordingScheduler();
    const client = new Client({ server: server.url }, { retry: { scheduler }, timeouts: false });
    failThenSucceed(503, 1);
    await expect(client.request(req('POST'))).rejects.toMatchObject({ code: 503 });
    expect(server.requests).toHaveLength(1);
    server.requests.length = 0;
    failThenSucceed(504, 1);
    await expect(client.request(req('POST'))).rejects.toMatchObject({ code: 504 });
    server.requests.length = 0;
    failThenSucceed(429, 1);
    await expect(client.request(req('POST'))).resolves.toEqual({ ok: 1 });
    expect(server.requests.map((r) => r.body)).toEqual(['{"metadata":{"name":"x"}}', '{"metadata":{"name":"x"}}']);
  });

  it('waits as long as Retry-After says, in seconds or as a date', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const { scheduler, delays } = recordingScheduler(now);
    const client = new Client({ server: server.url }, { retry: { scheduler }, timeouts: false });
    failThenSucceed(429, 1, { 'Retry-After': '7' });
    await client.request(req('GET'));
    server.requests.length = 0;
    failThenSucceed(503, 1, { 'Retry-After': new Date(now + 12_000).toUTCString() });
    await client.request(req('GET'));
    expect(delays).toEqual([7000, 12_000]);
  });

  it('honours Retry-After on the real clock', async () => {
    failThenSucceed(429, 1, { 'Retry-After': '1' });
    const client = new Client({ server: server.url }, { timeouts: false });
    const started = Date.now();
    await client.request(req('GET'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });

  it('gives up after maxRetries and returns the last failure as an ApiError', async () => {
    failThenSucceed(503, 100);
    const { scheduler, delays } = recordingScheduler();
    const client = new Client({ server: server.url }, { retry: { scheduler, maxRetries: 4, baseDelayMs: 1000, maxDelayMs: 3000, random: () => 0.999 }, timeouts: false });
    const e = (await client.request(req('GET')).catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status.message).toBe('attempt 4');
    expect(server.requests).toHaveLength(5);
    // base × 2^n with jitter in the upper half, capped at maxDelayMs.
    expect(delays).toEqual([1000, 1999, 2999, 2999]);
  });

  describe('a connection lost before the answer', () => {
    /** The first `failures` requests get their connection torn down without an answer ("socket hang up"). */
    function hangUpThenSucceed(failures: number): void {
      server.handle((req, res, _body, index) => {
        if (index < failures) req.socket.destroy();
        else json(res, 200, { ok: index });
      });
    }

    it('repeats a GET after a reset connection, with the backoff', async () => {
      hangUpThenSucceed(2);
      const { scheduler, delays } = recordingScheduler();
      const client = new Client({ server: server.url }, { retry: { scheduler, random: () => 0 }, timeouts: false });
      await expect(client.request(req('GET'))).resolves.toEqual({ ok: 2 });
      expect(server.requests).toHaveLength(3);
      expect(delays).toEqual([250, 500]);
    });

    it('repeats the start of a watch (a streaming GET) too', async () => {
      server.handle((req, res, _body, index) => {
        if (index === 0) req.socket.destroy();
        else {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end('{"type":"ADDED","object":{}}\n');
        }
      });
      const client = new Client({ server: server.url }, { retry: { scheduler: recordingScheduler().scheduler }, timeouts: false });
      const lines: string[] = [];
      await new Promise<void>((resolve, reject) => client.requestLines({ ...req('GET'), query: { watch: 'true' } }).subscribe({ next: (l) => lines.push(l), error: reject, complete: resolve }));
      expect(lines).toEqual(['{"type":"ADDED","object":{}}']);
      expect(server.requests).toHaveLength(2);
    });

    it('does not repeat a watch that broke after it started (the watcher resumes it)', async () => {
      server.handle((req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"type":"ADDED","object":{}}\n');
        setTimeout(() => req.socket.destroy(), 20);
      });
      const client = new Client({ server: server.url }, { retry: { scheduler: recordingScheduler().scheduler }, timeouts: false });
      const error = await new Promise((resolve) => client.requestLines({ ...req('GET'), query: { watch: 'true' } }).subscribe({ error: resolve, complete: () => resolve('completed') }));
      expect(error).toBeInstanceOf(NetworkError);
      expect(server.requests).toHaveLength(1);
    });

    it.each(['POST', 'PUT', 'PATCH', 'DELETE'] as const)('does not repeat a %s (the server may have done it)', async (method) => {
      hangUpThenSucceed(1);
      const client = new Client({ server: server.url }, { retry: { scheduler: recordingScheduler().scheduler }, timeouts: false });
      const e = await client.request({ ...req(method), body: {} }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NetworkError);
      expect((e as NetworkError).code).toBe('ECONNRESET');
      expect(server.requests).toHaveLength(1);
    });

    it('gives up after maxRetries with the NetworkError', async () => {
      hangUpThenSucceed(100);
      const client = new Client({ server: server.url }, { retry: { scheduler: recordingScheduler().scheduler, maxRetries: 2 }, timeouts: false });
      const e = await client.request(req('GET')).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NetworkError);
      expect(server.requests).toHaveLength(3);
    });

    it('does not repeat a refused connection (nothing listens: not a lost connection)', async () => {
      await server.close();
      const { scheduler, delays } = recordingScheduler();
      const client = new Client({ server: server.url }, { retry: { scheduler }, timeouts: false });
      const e = await client.request(req('GET')).catch((x: unknown) => x);
      expect((e as NetworkError).code).toBe('ECONNREFUSED');
      expect(delays).toEqual([]);
      server = await startServer(); // for afterEach
    });

    it('stops waiting and rejects with AbortedError when cancelled during the backoff', async () => {
      hangUpThenSucceed(100);
      const controller = new AbortController();
      const client = new Client({ server: server.url }, { retry: { baseDelayMs: 60_000 }, timeouts: false });
      const pending = client.request(req('GET'), { signal: controller.signal });
      await server.waitForRequests(1);
      await new Promise((r) => setTimeout(r, 20));
      controller.abort();
      await expect(pending).rejects.toBeInstanceOf(AbortedError);
      expect(server.requests).toHaveLength(1);
    });
  });

  describe('a write repeated after 503/504 that then fails with 409 or 404', () => {
    /** Answers the first request with `first`, the second with `second`. */
    function answer(first: number, second: number): void {
      server.handle((_req, res, _body, index) => {
        const code = index === 0 ? first : second;
        json(res, code, status(code, code === 404 ? 'NotFound' : code === 409 ? 'Conflict' : 'X', `attempt ${index}`));
      });
    }
    const client = () => new Client({ server: server.url }, { retry: { scheduler: recordingScheduler().scheduler }, timeouts: false });

    it.each([
      ['PUT', 504, 409],
      ['PUT', 503, 409],
      ['DELETE', 504, 404],
      ['DELETE', 503, 404],
      ['PUT', 504, 404],
    ] as const)('%s answered %i then %i: mayHaveSucceeded, and the message says so', async (method, first, second) => {
      answer(first, second);
      const e = (await client().request({ ...req(method), body: {} }).catch((x: unknown) => x)) as ApiError;
      expect(e).toBeInstanceOf(ApiError);
      expect(e.code).toBe(second);
      expect(e.mayHaveSucceeded).toBe(true);
      expect(e.retriedAfter).toEqual([first]);
      expect(e.message).toMatch(new RegExp(`${second} \\w+: attempt 1 \\(repeated after ${first}: the first attempt may have succeeded\\)$`));
      expect(e.context).toMatchObject({ mayHaveSucceeded: true, retriedAfter: [first] });
      expect(isNotFound(e) || isConflict(e)).toBe(true); // still what it is
    });

    it.each([
      ['DELETE', 404, 'sent once'],
      ['GET', 404, 'a read'],
      ['PUT', 500, 'neither 404 nor 409'],
    ] as const)('%s ending in %i (%s): not flagged', async (method, second, _why) => {
      answer(method === 'DELETE' ? 404 : 504, second);
      const e = (await client().request({ ...req(method), ...(method === 'GET' ? {} : { body: {} }) }).catch((x: unknown) => x)) as ApiError;
      expect(e.mayHaveSucceeded).toBe(false);
      expect(e.message).not.toMatch(/may have succeeded/);
    });

    it('does not flag a PUT answered 429 then 409 (429 means the server did nothing)', async () => {
      answer(429, 409);
      const e = (await client().request({ ...req('PUT'), body: {} }).catch((x: unknown) => x)) as ApiError;
      expect(e.retriedAfter).toEqual([429]);
      expect(e.mayHaveSucceeded).toBe(false);
    });
  });

  it('caps a long Retry-After at maxDelayMs', async () => {
    failThenSucceed(429, 1, { 'Retry-After': '3600' });
    const { scheduler, delays } = recordingScheduler();
    await new Client({ server: server.url }, { retry: { scheduler, maxDelayMs: 5000 }, timeouts: false }).request(req('GET'));
    expect(delays).toEqual([5000]);
  });
});

describe('isRetryable', () => {
  it('accepts 429 for any method, 503 and 504 for idempotent ones only', () => {
    expect(['GET', 'PUT', 'DELETE', 'POST', 'PATCH'].map((m) => isRetryable(m, 429))).toEqual([true, true, true, true, true]);
    expect(['GET', 'PUT', 'DELETE', 'POST', 'PATCH'].map((m) => isRetryable(m, 503))).toEqual([true, true, true, false, false]);
    expect(isRetryable('GET', 500)).toBe(false);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and dates, ignores garbage', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:01 GMT', 4000)).toBe(0);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('doubles, stays within [ceiling/2, ceiling] and never exceeds the maximum', () => {
    for (let n = 0; n < 20; n++) {
      const ceiling = Math.min(30_000, 500 * 2 ** n);
      expect(backoffMs(n, 500, 30_000, () => 0)).toBe(ceiling / 2);
      expect(backoffMs(n, 500, 30_000, () => 0.99999)).toBeLessThanOrEqual(ceiling);
    }
  });
});

describe('isRetryableConnectionLoss', () => {
  const about = { verb: 'get' as const, method: 'GET' as const, path: '/x' };
  it('accepts lost connections of reads only', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']) {
      expect(isRetryableConnectionLoss('GET', new NetworkError(about, 'x', code))).toBe(true);
      expect(isRetryableConnectionLoss('head', new NetworkError(about, 'x', code))).toBe(true);
      expect(isRetryableConnectionLoss('PUT', new NetworkError(about, 'x', code))).toBe(false);
    }
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'CERT_HAS_EXPIRED', undefined]) {
      expect(isRetryableConnectionLoss('GET', new NetworkError(about, 'x', code))).toBe(false);
    }
    expect(isRetryableConnectionLoss('GET', new Error('socket hang up'))).toBe(false);
  });
});
