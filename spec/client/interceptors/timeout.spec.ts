import { firstValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { KubeRequest } from '../../../lib/core/request.js';
import { Client } from '../../../lib/client/client.js';
import { TimeoutError } from '../../../lib/client/errors.js';
import type { HttpRequest, HttpResponse } from '../../../lib/client/interceptor.js';
import { timeout } from '../../../lib/client/interceptors/timeout.js';
import { type ScriptedServer, startServer } from '../support/scripted-server.js';

const get: KubeRequest = { verb: 'get', method: 'GET', path: '/x', query: {}, headers: {} };
const watch: KubeRequest = { ...get, verb: 'watch', query: { watch: 'true' }, streaming: true };

describe('timeout', () => {
  let server: ScriptedServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('fails a one-shot request that takes longer than requestMs and closes its connection', async () => {
    server.handle(() => undefined);
    const client = new Client({ server: server.url }, { timeouts: { requestMs: 150 }, retry: false });
    const closed = server.nextSocketClose();
    const e = (await client.request(get).catch((x: unknown) => x)) as TimeoutError;
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toBe('GET /x: no response within 150 ms');
    expect(e.phase).toBe('request');
    await closed;
  });

  it('fails a stream whose headers do not come within connectMs', async () => {
    server.handle(() => undefined);
    const client = new Client({ server: server.url }, { timeouts: { connectMs: 150 }, retry: false });
    const e = (await firstValueFrom(client.requestLines(watch)).catch((x: unknown) => x)) as TimeoutError;
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.phase).toBe('connect');
  });

  it('puts no read timeout on a stream once its headers arrived', async () => {
    server.handle((_req, res) => {
      res.writeHead(200);
      res.write('a\n');
      setTimeout(() => res.end('b\n'), 400);
    });
    const client = new Client({ server: server.url }, { timeouts: { connectMs: 100, requestMs: 100 }, retry: false });
    expect(await firstValueFrom(client.requestLines(watch).pipe(toArray()))).toEqual(['a', 'b']);
  });

  it('leaves fast requests alone', async () => {
    server.handle((_req, res) => res.end('{"a":1}'));
    const client = new Client({ server: server.url }, { timeouts: { requestMs: 1000 }, retry: false });
    await expect(client.request(get)).resolves.toEqual({ a: 1 });
  });
});

describe('timeout on virtual time', () => {
  const request = (streaming: boolean): HttpRequest => ({ ...get, streaming, signal: new AbortController().signal });

  it('fires exactly at requestMs for one-shot requests and aborts the inner request', async () => {
    const scheduler = new TestScheduler(() => undefined);
    let inner: AbortSignal | undefined;
    const result = timeout({ requestMs: 500, scheduler })(request(false), (req) => {
      inner = req.signal;
      return new Promise<HttpResponse>(() => undefined);
    }).catch((e: unknown) => e);
    scheduler.schedule(() => expect(inner?.aborted).toBe(false), 499);
    scheduler.flush();
    const e = (await result) as TimeoutError;
    expect(e).toBeInstanceOf(TimeoutError);
    expect(scheduler.now()).toBe(500);
    expect(inner?.aborted).toBe(true);
    expect(inner?.reason).toBe(e);
  });

  it('uses connectMs (not requestMs) for streams and leaves the stream alone once the headers arrived', async () => {
    const scheduler = new TestScheduler(() => undefined);
    const response: HttpResponse = { status: 200, headers: {}, stream: (async function* () {})() };
    let inner: AbortSignal | undefined;
    const result = timeout({ connectMs: 100, requestMs: 10, scheduler })(request(true), (req) => {
      inner = req.signal;
      return new Promise<HttpResponse>((resolve) => scheduler.schedule(() => resolve(response), 50));
    });
    // Promises settle between flushes: run virtual time to 60 (headers at 50), let the interceptor
    // see the response, then run on past the connect deadline.
    scheduler.maxFrames = 60;
    scheduler.flush();
    expect(await result).toBe(response);
    scheduler.maxFrames = 1000;
    scheduler.schedule(() => undefined, 500);
    scheduler.flush();
    expect(scheduler.now()).toBe(550);
    expect(inner?.aborted).toBe(false);
  });
});
