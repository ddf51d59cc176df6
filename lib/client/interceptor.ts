/**
 * The request pipeline of a {@link Client}, in the spirit of Tower layers: an interceptor receives
 * the request and the rest of the pipeline (`next`), and may change the request, call `next` any
 * number of times (retries), or inspect and replace the response. The innermost `next` is the
 * HTTP transport.
 *
 * @module
 */
import type { HttpMethod, Verb } from '../core/request.js';

/**
 * A request as it travels through the pipeline (see the example of {@link Interceptor}). Like `KubeRequest` but with the cancellation
 * signal and `streaming` always present. `body` is still a JS value; the transport serialises it.
 *
 * ## Example
 * ```ts
 * const tagged: Interceptor = (req: HttpRequest, next) => next({ ...req, headers: { ...req.headers, 'X-Team': 'infra' } });
 * ```
 */
export interface HttpRequest {
  readonly verb: Verb;
  readonly method: HttpMethod;
  /** Path below the server URL, e.g. `/api/v1/namespaces/ns/pods`. */
  readonly path: string;
  /** Query parameters; an array repeats the parameter once per value. */
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  /**
   * Request headers; an array sends the header once per value (`Impersonate-Group`). Never log
   * them: the auth interceptor puts credentials here.
   */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: unknown;
  /** Whether the body of a successful response is read as a stream (watch, followed logs). */
  readonly streaming: boolean;
  /** Fires when the caller gives up (unsubscribe, timeout). */
  readonly signal: AbortSignal;
}

/**
 * A response as it travels back. Header names are lower-case. A one-shot response, and any failed
 * response (status ≥ 400, streaming or not), has its body in `text`; a successful streaming response
 * has `stream` instead, an async iterable of byte chunks that ends when the server closes it.
 *
 * ## Example
 * ```ts
 * const res: HttpResponse = await client.send(req);
 * if (res.status === 404) console.log('missing');
 * ```
 */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text?: string;
  readonly stream?: AsyncIterable<Uint8Array>;
  /**
   * The statuses of the earlier attempts the retry interceptor made before this response (e.g.
   * `[504]`), when there were any. A write repeated after a 503/504 may have been done by its
   * first attempt.
   */
  readonly retriedAfter?: readonly number[];
}

/**
 * The rest of the pipeline, as seen from an interceptor.
 *
 * ## Example
 * ```ts
 * const twice: Interceptor = async (req, next: Next) => { await next(req); return next(req); };
 * ```
 */
export type Next = (request: HttpRequest) => Promise<HttpResponse>;

/**
 * One layer of the pipeline.
 *
 * ## Example
 * ```ts
 * const logging: Interceptor = async (req, next) => {
 *   const started = Date.now();
 *   const res = await next(req);
 *   console.log(`${req.method} ${req.path} ${res.status} ${Date.now() - started} ms`);
 *   return res;
 * };
 * const client = new Client(config, { interceptors: [logging] });
 * ```
 */
export type Interceptor = (request: HttpRequest, next: Next) => Promise<HttpResponse>;

/**
 * Wraps `transport` in `interceptors`; the first interceptor is the outermost (it sees the request
 * first and the response last).
 *
 * ## Example
 * ```ts
 * const send = composeInterceptors([userAgent('me/1.0'), retry()], transport);
 * const res = await send(request);
 * ```
 */
export function composeInterceptors(interceptors: readonly Interceptor[], transport: Next): Next {
  return interceptors.reduceRight<Next>((next, interceptor) => (request) => interceptor(request, next), transport);
}

/**
 * Returns a copy of `request` with `headers` merged over its headers.
 *
 * ## Example
 * ```ts
 * const withTrace = withHeaders(req, { 'X-Trace': id });
 * ```
 */
export function withHeaders(request: HttpRequest, headers: Readonly<Record<string, string | readonly string[]>>): HttpRequest {
  return { ...request, headers: { ...request.headers, ...headers } };
}

/**
 * Reads a streaming response to its end as text (used when a stream is not wanted after all, e.g.
 * to read an error body). One-shot responses return their `text`.
 *
 * ## Example
 * ```ts
 * const body = await responseText(res);
 * ```
 */
export async function responseText(response: HttpResponse): Promise<string> {
  if (response.stream === undefined) return response.text ?? '';
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of response.stream) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}
