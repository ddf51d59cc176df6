/**
 * The plain Node request handler behind the webhook server: `(req, res, next?)`, so it also mounts in
 * express, NestJS or fastify. It routes by path, reads the body with a size limit (or takes the body a
 * framework already parsed), decodes the review, runs the handler with a deadline below the API server's,
 * and always answers: 200 with a review, 4xx with a Kubernetes Status for a bad request, 500 with a Status
 * when the handler throws, returns nonsense or is too slow — so the webhook's failurePolicy decides, and
 * nothing crashes the process.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { asyncScheduler, first, from, isObservable, lastValueFrom, map, timeout, type SchedulerLike } from 'rxjs';
import { Admission } from '../admission/admission-response.js';
import { parseAdmissionReview, type AdmissionRequest, type AdmissionResponse } from '../admission/admission-review.js';
import { conversionReviewResponse } from '../admission/conversion.js';
import { parseConversionReview, type ConversionResponse } from '../admission/conversion-review.js';
import { DecodeError } from '../core/error-boundary.js';
import type { Status } from '../core/response.js';
import { noopMetrics, type MetricsSink } from '../runtime/metrics.js';
import { WebhookError } from './webhook-error.js';
import { jsonLogger, type WebhookLogEntry, type WebhookLogger } from './webhook-log.js';
import { WEBHOOK_METRICS } from './webhook-metrics.js';
import type { HandlerResult, WebhookRoute } from './webhook-route.js';

/**
 * Options of {@link webhookHandler}.
 *
 * ## Example
 * ```ts
 * webhookHandler(routes, { timeoutMs: 5000, bodyLimitBytes: 4 << 20, metrics: prometheusMetrics(), logger: jsonLogger({ level: 'warn' }) });
 * ```
 */
export interface WebhookHandlerOptions {
  /** Longest a handler may take. The API server's own deadline (its `?timeout=` query) lowers it further. @default 9000 */
  timeoutMs?: number;
  /** Largest request body read; larger ones get 413. @default 8 MiB (a review holds an object and its old version, each up to 3 MiB) */
  bodyLimitBytes?: number;
  /** @default jsonLogger() at info level, to standard error */
  logger?: WebhookLogger;
  /** @default noopMetrics */
  metrics?: MetricsSink;
  /** The clock of the deadlines. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/**
 * A Node request handler. `next`, when given (express, NestJS middleware), is called for paths that are
 * not webhook routes instead of answering 404.
 *
 * ## Example
 * ```ts
 * const handle: WebhookRequestHandler = webhookHandler(routes);
 * expressApp.use('/webhooks', handle);
 * // fastify: let the handler write the raw response, passing the body fastify parsed
 * fastifyApp.post('/webhooks/*', (request, reply) => {
 *   reply.hijack();
 *   handle(Object.assign(request.raw, { url: request.url.replace('/webhooks', ''), body: request.body }), reply.raw);
 * });
 * ```
 */
export type WebhookRequestHandler = ((req: IncomingMessage & { body?: unknown }, res: ServerResponse, next?: (error?: unknown) => void) => void) & {
  readonly routes: readonly WebhookRoute[];
};

/** The share of the API server's deadline kept free for the network and the server itself. */
const MARGIN = 0.2;

/** `10s`, `1m30s`, `500ms`, `2.5s` (Go durations as the API server sends them) → milliseconds. */
export function parseGoDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * (unit[m[2] as string] as number);
    matched = re.lastIndex;
  }
  return matched === text.length && text.length > 0 ? total : undefined;
}

function status(code: number, reason: string, message: string): Status {
  return { apiVersion: 'v1', kind: 'Status', status: 'Failure', code, reason, message } as Status;
}

class BadRequest extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage & { body?: unknown }, limit: number): Promise<unknown> {
  const preset = req.body;
  // A framework's body parser (express, NestJS, fastify) already read the stream; an empty object left by a
  // parser that skipped this content type does not count while the stream is still unread.
  const parsedByFramework = preset !== undefined && preset !== null && (req.readableEnded || !(typeof preset === 'object' && !Buffer.isBuffer(preset) && Object.keys(preset).length === 0));
  if (parsedByFramework) {
    if (Buffer.isBuffer(preset) || typeof preset === 'string') {
      try {
        return Promise.resolve(parseJson(Buffer.isBuffer(preset) ? preset : Buffer.from(preset)));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return Promise.resolve(preset);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BadRequest(413, 'RequestEntityTooLarge', `the request body has ${declared} bytes, more than the limit of ${limit}`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      f();
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        finish(() => reject(new BadRequest(413, 'RequestEntityTooLarge', `the request body is larger than the limit of ${limit} bytes`)));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish(() => {
      try {
        resolve(parseJson(Buffer.concat(chunks)));
      } catch (e) {
        reject(e);
      }
    }));
    req.on('error', (e) => finish(() => reject(new BadRequest(400, 'BadRequest', `reading the request body failed: ${e.message}`))));
    req.on('aborted', () => finish(() => reject(new BadRequest(400, 'BadRequest', 'the client closed the connection before the body was complete'))));
  });
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new BadRequest(400, 'BadRequest', `the request body is not JSON (${bytes.length} bytes): ${(e as Error).message.slice(0, 120)}`);
  }
}

function firstOf<T>(result: HandlerResult<T>, deadlineMs: number, scheduler: SchedulerLike): Promise<T> {
  const source = isObservable(result) ? result : from(Promise.resolve(result));
  return lastValueFrom(source.pipe(first(), timeout({ first: deadlineMs, scheduler, with: () => { throw new HandlerTimeout(deadlineMs); } }), map((v) => v)));
}

class HandlerTimeout extends Error {
  constructor(readonly ms: number) {
    super(`the handler did not answer within ${ms} ms`);
  }
}

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function checkAdmissionResponse(route: WebhookRoute, request: AdmissionRequest, response: AdmissionResponse): AdmissionResponse {
  if (typeof response !== 'object' || response === null || typeof response.allowed !== 'boolean') {
    throw new Error('the handler returned something that is not an AdmissionResponse (build one with Admission.allow/deny/mutate)');
  }
  if (route.type === 'validating' && (response.patch !== undefined || response.patchType !== undefined)) {
    throw new Error('a validating webhook may not return a patch; register the handler with Webhook.mutating');
  }
  return { ...response, uid: request.uid };
}

/**
 * Builds the request handler of a set of routes.
 *
 * ## Example
 * ```ts
 * import { createServer } from 'node:https';
 * const handle = webhookHandler([Webhook.validating('/validate', ConfigMap, (r) => Admission.allow(r))]);
 * createServer({ cert, key }, handle).listen(9443);
 * ```
 */
export function webhookHandler(routes: readonly WebhookRoute[], options: WebhookHandlerOptions = {}): WebhookRequestHandler {
  const byPath = new Map<string, WebhookRoute>();
  for (const route of routes) {
    if (byPath.has(route.path)) throw new WebhookError('invalidRoute', `two webhook routes have the path ${route.path}`);
    byPath.set(route.path, route);
  }
  const limit = options.bodyLimitBytes ?? 8 * 1024 * 1024;
  const maxMs = options.timeoutMs ?? 9000;
  const log = options.logger ?? jsonLogger();
  const metrics = options.metrics ?? noopMetrics;
  const scheduler = options.scheduler ?? asyncScheduler;
  const inFlight = new Map<string, number>();

  const send = (res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.headersSent || res.writableEnded) return;
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  const handler = (req: IncomingMessage & { body?: unknown }, res: ServerResponse, next?: (error?: unknown) => void): void => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://webhook');
    const route = byPath.get(url.pathname);
    if (route === undefined) {
      if (next !== undefined) {
        next();
        return;
      }
      log({ level: 'warn', event: 'notFound', route: url.pathname.slice(0, 200), status: 404 });
      send(res, 404, status(404, 'NotFound', `no webhook at ${url.pathname.slice(0, 200)}`));
      return;
    }
    const labels = { webhook: route.path };
    inFlight.set(route.path, (inFlight.get(route.path) ?? 0) + 1);
    metrics.set(WEBHOOK_METRICS.inFlight, labels, inFlight.get(route.path) ?? 0);
    const entry: Record<string, unknown> = { route: route.path };
    const done = (code: number, body: unknown, level: WebhookLogEntry['level'], event: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
      const seconds = (performance.now() - started) / 1000;
      send(res, code, body, headers);
      inFlight.set(route.path, Math.max(0, (inFlight.get(route.path) ?? 1) - 1));
      metrics.set(WEBHOOK_METRICS.inFlight, labels, inFlight.get(route.path) ?? 0);
      metrics.inc(WEBHOOK_METRICS.requestsTotal, { ...labels, code: String(code) });
      metrics.observe(WEBHOOK_METRICS.latencySeconds, labels, seconds);
      log({ level, event, ...entry, status: code, durationMs: Math.round(seconds * 10_000) / 10, ...extra });
    };
    const reviewed = (result: string) => metrics.inc(WEBHOOK_METRICS.reviewsTotal, { ...labels, result });

    if (req.method !== 'POST') {
      done(405, status(405, 'MethodNotAllowed', `a webhook takes POST, not ${String(req.method).slice(0, 20)}`), 'warn', 'badRequest', {}, { Allow: 'POST' });
      return;
    }
    const type = String(req.headers['content-type'] ?? '');
    if (!req.readableEnded && !/^application\/json\b/i.test(type)) {
      done(415, status(415, 'UnsupportedMediaType', `a webhook takes application/json, not ${JSON.stringify(type.slice(0, 60))}`), 'warn', 'badRequest');
      return;
    }
    const serverTimeout = parseGoDuration(url.searchParams.get('timeout') ?? '');
    const deadline = Math.max(1, Math.min(maxMs, serverTimeout === undefined ? Infinity : serverTimeout * (1 - MARGIN)));

    void (async () => {
      let body: unknown;
      try {
        body = await readBody(req, limit);
      } catch (e) {
        const bad = e instanceof BadRequest ? e : new BadRequest(400, 'BadRequest', describeError(e));
        done(bad.code, status(bad.code, bad.reason, bad.message), 'warn', 'badRequest', { message: bad.message }, bad.code === 413 ? { Connection: 'close' } : {});
        if (bad.code === 413) req.resume();
        return;
      }
      try {
        if (route.type === 'conversion') {
          const request = parseConversionReview(body);
          Object.assign(entry, { uid: request.uid, kind: request.objects[0]?.kind, objects: request.objects.length, desiredAPIVersion: request.desiredAPIVersion });
          let response: ConversionResponse;
          try {
            response = await firstOf(route.convert(request), deadline, scheduler);
          } catch (e) {
            reviewed('failed');
            const timedOut = e instanceof HandlerTimeout;
            done(500, status(500, 'InternalError', `conversion webhook ${route.path}: ${describeError(e)}`), 'error', timedOut ? 'handlerTimedOut' : 'handlerFailed', { message: describeError(e) });
            return;
          }
          const ok = response.result?.status === 'Success';
          reviewed(ok ? 'converted' : 'failed');
          done(200, conversionReviewResponse({ ...response, uid: request.uid }), ok ? 'info' : 'warn', 'review', { converted: ok, ...(ok ? {} : { message: response.result?.message }) });
          return;
        }
        const request = parseAdmissionReview(body, route.resource);
        Object.assign(entry, {
          uid: request.uid,
          kind: request.kind.kind,
          namespace: request.namespace,
          name: request.name,
          operation: request.operation,
          user: request.userInfo.username,
          dryRun: request.dryRun,
        });
        let response: AdmissionResponse;
        try {
          response = checkAdmissionResponse(route, request, await firstOf(route.handle(request), deadline, scheduler));
        } catch (e) {
          reviewed('failed');
          const timedOut = e instanceof HandlerTimeout;
          done(500, status(500, 'InternalError', `${route.type} webhook ${route.path}: ${describeError(e)}`), 'error', timedOut ? 'handlerTimedOut' : 'handlerFailed', { message: describeError(e) });
          return;
        }
        const patched = response.patch !== undefined;
        reviewed(!response.allowed ? 'denied' : patched ? 'patched' : 'allowed');
        done(200, Admission.review(response), 'info', 'review', { allowed: response.allowed, patched, ...(response.allowed ? {} : { message: response.status?.message }) });
      } catch (e) {
        if (e instanceof DecodeError) {
          done(400, status(400, 'BadRequest', e.message), 'warn', 'badRequest', { message: e.message, field: e.field });
          return;
        }
        done(500, status(500, 'InternalError', `webhook ${route.path} failed`), 'error', 'handlerFailed', { message: describeError(e) });
      }
    })().catch((e: unknown) => {
      // Last resort: answer something and keep the process alive.
      log({ level: 'error', event: 'handlerFailed', route: route.path, message: describeError(e) });
      send(res, 500, status(500, 'InternalError', 'webhook failed'));
    });
  };
  return Object.assign(handler, { routes: [...routes] });
}
