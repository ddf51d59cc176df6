/**
 * webhookHandler behind a plain local HTTP server: routing, the body limit, bad input, handler failures
 * and deadlines (always an answer, never a crash), logs without secrets, and metrics.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NEVER, Observable } from 'rxjs';
import { Admission, base64Decode } from '../../lib/admission';
import { ConfigMap } from '../../lib/core/builtins';
import { InMemoryMetrics } from '../../lib/runtime/metrics';
import { parseGoDuration, Webhook, webhookHandler, WEBHOOK_METRICS, type WebhookLogEntry } from '../../lib/webhook';
import { widgetConversion } from '../../samples/webhook/widget';
import { configMapReview } from '../admission/support/reviews';

const SECRET = 'hunter2-do-not-log';

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

let server: Server;
let base: string;
let logs: WebhookLogEntry[];
let metrics: InMemoryMetrics;
let current: (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => void;
let torn: number;

function post(path: string, body: unknown, headers: Record<string, string> = {}, method = 'POST'): Promise<Reply> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, agent: false, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(method === 'GET' ? undefined : text);
  });
}

function routes() {
  return [
    Webhook.validating('/validate', ConfigMap, (r) => (r.object?.data?.password !== undefined ? Admission.deny(r, 'no passwords in ConfigMaps', { field: 'data.password' }) : Admission.allow(r, { warnings: [`dryRun=${r.dryRun}`] }))),
    Webhook.mutating('/mutate', ConfigMap, async (r) => Admission.mutate(r, { ...r.object!, metadata: { ...r.object!.metadata, labels: { checked: 'yes' } } })),
    Webhook.validating('/throws', ConfigMap, () => {
      throw new Error('handler exploded');
    }),
    Webhook.validating('/rejects', ConfigMap, () => Promise.reject(new Error('async failure'))),
    Webhook.validating('/garbage', ConfigMap, () => 'yes' as never),
    Webhook.validating('/patches', ConfigMap, (r) => Admission.mutate(r, { ...r.object!, data: {} })),
    Webhook.validating('/hangs', ConfigMap, () => new Promise(() => undefined)),
    Webhook.validating('/hangs-observable', ConfigMap, () => new Observable<never>(() => () => void (torn += 1))),
    Webhook.validating('/never', ConfigMap, () => NEVER),
    Webhook.conversion('/convert', widgetConversion),
    Webhook.conversion('/convert-throws', () => {
      throw new Error('conversion exploded');
    }),
  ];
}

beforeAll(async () => {
  server = createServer((req, res) => current(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  logs = [];
  metrics = new InMemoryMetrics();
  torn = 0;
  current = webhookHandler(routes(), { logger: (e) => logs.push(e), metrics, timeoutMs: 300 });
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

describe('webhookHandler', () => {
  it('answers a validating review typed by the descriptor, with warnings and the uid', async () => {
    const reply = await post('/validate', configMapReview());
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true, warnings: ['dryRun=true'] } });
    expect(metrics.value(WEBHOOK_METRICS.requestsTotal, { webhook: '/validate', code: '200' })).toBe(1);
    expect(metrics.value(WEBHOOK_METRICS.reviewsTotal, { webhook: '/validate', result: 'allowed' })).toBe(1);
    expect(metrics.observed(WEBHOOK_METRICS.latencySeconds, { webhook: '/validate' })).toHaveLength(1);
    expect(logs).toEqual([expect.objectContaining({ level: 'info', event: 'review', route: '/validate', uid: '705ab4f5-6393-11e8-b7cc-42010a800002', kind: 'ConfigMap', namespace: 'ns', name: 'x', operation: 'CREATE', user: 'admin', dryRun: true, allowed: true, status: 200 })]);
  });

  it('denies with the message and counts the rejection; logs never hold the object', async () => {
    const review = configMapReview({ object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { password: SECRET } } });
    const reply = await post('/validate', review);
    expect(reply.body.response).toMatchObject({ allowed: false, status: { code: 403, message: 'no passwords in ConfigMaps' } });
    expect(metrics.value(WEBHOOK_METRICS.reviewsTotal, { webhook: '/validate', result: 'denied' })).toBe(1);
    expect(JSON.stringify(logs)).not.toContain(SECRET);
  });

  it('answers a mutating review with a JSON patch', async () => {
    const reply = await post('/mutate', configMapReview());
    const response = reply.body.response as { patch: string; patchType: string };
    expect(response.patchType).toBe('JSONPatch');
    expect(JSON.parse(base64Decode(response.patch))).toEqual([{ op: 'add', path: '/metadata/labels', value: { checked: 'yes' } }]);
    expect(metrics.value(WEBHOOK_METRICS.reviewsTotal, { webhook: '/mutate', result: 'patched' })).toBe(1);
  });

  it('converts a ConversionReview with the typed conversion', async () => {
    const body = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      request: { uid: 'c1', desiredAPIVersion: 'conversion.rxkube.dev/v2', objects: [{ apiVersion: 'conversion.rxkube.dev/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 2 } }] },
    };
    const reply = await post('/convert', body);
    expect(reply.body).toEqual({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      response: { uid: 'c1', convertedObjects: [{ apiVersion: 'conversion.rxkube.dev/v2', kind: 'Widget', metadata: { name: 'w' }, spec: { dimensions: { size: 2 } } }], result: { status: 'Success' } },
    });
    const unknown = await post('/convert', { ...body, request: { ...body.request, desiredAPIVersion: 'conversion.rxkube.dev/v7' } });
    expect(unknown.status).toBe(200);
    expect(unknown.body.response).toMatchObject({ uid: 'c1', convertedObjects: [], result: { status: 'Failure', message: expect.stringMatching(/cannot convert Widget w from conversion.rxkube.dev\/v1 to conversion.rxkube.dev\/v7/) } });
    const thrown = await post('/convert-throws', body);
    expect([thrown.status, thrown.body.message]).toEqual([500, 'conversion webhook /convert-throws: conversion exploded']);
  });

  it.each([
    ['/throws', 'validating webhook /throws: handler exploded'],
    ['/rejects', 'validating webhook /rejects: async failure'],
    ['/garbage', 'validating webhook /garbage: the handler returned something that is not an AdmissionResponse (build one with Admission.allow/deny/mutate)'],
    ['/patches', 'validating webhook /patches: a validating webhook may not return a patch; register the handler with Webhook.mutating'],
  ])('answers %s with a 500 Status the API server reads, so failurePolicy decides', async (path, message) => {
    const reply = await post(path, configMapReview());
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({ apiVersion: 'v1', kind: 'Status', status: 'Failure', code: 500, reason: 'InternalError', message });
    expect(logs).toEqual([expect.objectContaining({ level: 'error', event: 'handlerFailed', route: path, status: 500 })]);
    expect(metrics.value(WEBHOOK_METRICS.reviewsTotal, { webhook: path, result: 'failed' })).toBe(1);
  });

  it('answers a hanging handler with a 500 before its deadline and unsubscribes an Observable handler', async () => {
    for (const path of ['/hangs', '/hangs-observable', '/never']) {
      const started = Date.now();
      const reply = await post(path, configMapReview());
      const took = Date.now() - started;
      expect([path, reply.status, reply.body.message]).toEqual([path, 500, `validating webhook ${path}: the handler did not answer within 300 ms`]);
      expect(took).toBeGreaterThanOrEqual(290);
      expect(took).toBeLessThan(3000);
    }
    expect(torn).toBe(1);
    expect(logs.map((l) => l.event)).toEqual(['handlerTimedOut', 'handlerTimedOut', 'handlerTimedOut']);
  });

  it("keeps below the API server's own deadline (its ?timeout= query)", async () => {
    current = webhookHandler(routes(), { logger: (e) => logs.push(e), timeoutMs: 9000 });
    const started = Date.now();
    const reply = await post('/hangs?timeout=500ms', configMapReview());
    expect([reply.status, reply.body.message]).toEqual([500, 'validating webhook /hangs: the handler did not answer within 400 ms']);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('refuses malformed, foreign and oversized bodies with 4xx and a log line, and keeps serving', async () => {
    current = webhookHandler(routes(), { logger: (e) => logs.push(e), bodyLimitBytes: 2048 });
    const notJson = await post('/validate', `{"apiVersion": "admission.k8s.io/v1", ${SECRET}`);
    expect(notJson.status).toBe(400);
    expect(String(notJson.body.message)).toMatch(/^the request body is not JSON \(\d+ bytes\)/);
    expect(JSON.stringify(notJson.body)).not.toContain(SECRET);
    const wrongKind = await post('/validate', { ...configMapReview(), request: { ...(configMapReview().request as object), kind: { group: 'apps', version: 'v1', kind: 'Deployment' } } });
    expect([wrongKind.status, wrongKind.body.message]).toEqual([400, 'AdmissionReview: request.kind is apps/Deployment, but this webhook handles ConfigMap']);
    const noUid = await post('/validate', configMapReview({ uid: undefined }));
    expect([noUid.status, noUid.body.message]).toEqual([400, 'AdmissionReview: request.uid is missing']);
    const big = configMapReview({ object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'x'.repeat(4096) } } });
    const tooLarge = await post('/validate', big);
    expect(tooLarge.status).toBe(413);
    const chunked = await post('/validate', big, { 'Transfer-Encoding': 'chunked' });
    expect([chunked.status, chunked.body.reason]).toEqual([413, 'RequestEntityTooLarge']);
    expect(logs.map((l) => [l.event, l.status])).toEqual([['badRequest', 400], ['badRequest', 400], ['badRequest', 400], ['badRequest', 413], ['badRequest', 413]]);
    expect(JSON.stringify(logs)).not.toContain(SECRET);
    expect((await post('/validate', configMapReview())).status).toBe(200);
  });

  it('refuses unknown routes, other methods and content types', async () => {
    expect((await post('/nowhere', configMapReview())).status).toBe(404);
    const get = await post('/validate', '', {}, 'GET');
    expect([get.status, get.headers.allow]).toEqual([405, 'POST']);
    expect((await post('/validate', configMapReview(), { 'Content-Type': 'text/plain' })).status).toBe(415);
  });

  it('hands unknown paths to next() and takes a body a framework already parsed (express, NestJS)', async () => {
    const handler = webhookHandler(routes(), { logger: (e) => logs.push(e) });
    const next = jest.fn();
    current = (req, res) => {
      if (req.url?.startsWith('/other')) {
        handler(req, res, next);
        res.end('{}');
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handler(Object.assign(req, { body: JSON.parse(Buffer.concat(chunks).toString()) as unknown }), res, next));
    };
    const reply = await post('/validate', configMapReview());
    expect(reply.body.response).toMatchObject({ allowed: true });
    await post('/other', {});
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('refuses two routes with one path', () => {
    expect(() => webhookHandler([Webhook.conversion('/a', widgetConversion), Webhook.conversion('/a', widgetConversion)])).toThrow(/two webhook routes have the path \/a/);
    expect(() => Webhook.conversion('a', widgetConversion)).toThrow(/must start with \//);
  });
});

describe('parseGoDuration', () => {
  it('reads the durations the API server sends', () => {
    expect(parseGoDuration('10s')).toBe(10_000);
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('500ms')).toBe(500);
    expect(parseGoDuration('2.5s')).toBe(2500);
    expect(parseGoDuration('')).toBeUndefined();
    expect(parseGoDuration('10')).toBeUndefined();
    expect(parseGoDuration('10s junk')).toBeUndefined();
  });
});
