import type { KubeRequest } from '../../../lib/core/request.js';
import { Client } from '../../../lib/client/client.js';
import { ApiError } from '../../../lib/client/errors.js';
import { backoffMs, isRetryable, retryAfterMs } from '../../../lib/client/interceptors/retry.js';
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
