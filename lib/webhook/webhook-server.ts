/**
 * The HTTPS webhook server: {@link webhookHandler} behind Node's `https` server, with certificate files
 * that may be replaced while it runs (they are polled and re-read; a pair that does not load — say, a new
 * certificate next to the old key during a rotation — is refused and retried, and the server keeps the
 * last good one), `/healthz` and `/readyz`, and a clean shutdown.
 *
 * @module
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { asyncScheduler, exhaustMap, from, interval, type SchedulerLike, type Subscription } from 'rxjs';
import { WebhookError } from './webhook-error.js';
import { webhookHandler, type WebhookHandlerOptions, type WebhookRequestHandler } from './webhook-handler.js';
import { jsonLogger } from './webhook-log.js';
import type { WebhookRoute } from './webhook-route.js';

/**
 * Options of {@link webhookServer}.
 *
 * ## Example
 * ```ts
 * const server = await webhookServer({ routes, tls: { certFile: '/certs/tls.crt', keyFile: '/certs/tls.key' }, port: 9443, host: '0.0.0.0' });
 * ```
 */
export interface WebhookServerOptions extends WebhookHandlerOptions {
  /** The routes to serve (or give a ready `handler`). */
  routes?: readonly WebhookRoute[];
  handler?: WebhookRequestHandler;
  /** PEM files of the serving certificate (with its chain) and its key. */
  tls: { certFile: string; keyFile: string };
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** How often the certificate files are checked for changes. @default 10000 */
  reloadIntervalMs?: number;
}

/**
 * A running server.
 *
 * ## Example
 * ```ts
 * const server = await webhookServer({ routes, tls });
 * console.log(server.url); // https://127.0.0.1:40123
 * await server.close();
 * ```
 */
export interface RunningWebhookServer {
  /** `https://host:port`, with the port actually bound. */
  readonly url: string;
  readonly port: number;
  /** The Node server (for its events; do not call listen/close on it). */
  readonly server: Server;
  /** SHA-256 fingerprint of the certificate being served. */
  readonly fingerprint: () => string;
  /** Re-reads the files now; true when a new pair was loaded. Never throws: a bad pair is logged and kept out. */
  reloadCertificates(): Promise<boolean>;
  /** Stops accepting connections, closes open ones and stops polling the files. */
  close(): Promise<void>;
}

interface Loaded {
  cert: Buffer;
  key: Buffer;
  signature: string;
  fingerprint: string;
}

async function signature(files: readonly string[]): Promise<string> {
  const stats = await Promise.all(files.map((f) => stat(f)));
  return stats.map((s) => `${s.ino}:${s.size}:${s.mtimeMs}`).join('|');
}

async function load(tls: { certFile: string; keyFile: string }): Promise<Loaded> {
  let cert: Buffer;
  let key: Buffer;
  let sig: string;
  try {
    sig = await signature([tls.certFile, tls.keyFile]);
    [cert, key] = await Promise.all([readFile(tls.certFile), readFile(tls.keyFile)]);
  } catch (e) {
    throw new WebhookError('tls', `cannot read the serving certificate or key: ${(e as Error).message}`, { cause: e, context: { file: tls.certFile } });
  }
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    // Node's message names the problem (e.g. "key values mismatch"), never the key.
    throw new WebhookError('tls', `the serving certificate ${tls.certFile} and key ${tls.keyFile} do not load: ${(e as Error).message}`, { cause: e, context: { file: tls.certFile } });
  }
  let fingerprint: string;
  try {
    fingerprint = new X509Certificate(cert).fingerprint256;
  } catch {
    fingerprint = createHash('sha256').update(cert).digest('hex');
  }
  return { cert, key, signature: sig, fingerprint };
}

/**
 * Starts an HTTPS server for webhook routes. Rejects with {@link WebhookError} when the certificate files
 * do not load (`tls`) or the port cannot be bound (`listen`).
 *
 * ## Example
 * ```ts
 * const certs = await createDevCertificates({ dir });
 * const server = await webhookServer({
 *   routes: [Webhook.validating('/validate', ConfigMap, (r) => Admission.allow(r))],
 *   tls: certs,
 * });
 * const config = validatingWebhookConfiguration({ name: 'x', webhooks: [{ name: 'x.rxkube.dev', endpoint: { url: `${server.url}/validate`, ca: certs.caPem }, rules }] });
 * ```
 */
export async function webhookServer(options: WebhookServerOptions): Promise<RunningWebhookServer> {
  const log = options.logger ?? jsonLogger();
  const scheduler: SchedulerLike = options.scheduler ?? asyncScheduler;
  const handler = options.handler ?? webhookHandler(options.routes ?? [], { ...options, logger: log });
  let current = await load(options.tls);

  const server = createServer({ cert: current.cert, key: current.key, minVersion: 'TLSv1.2' }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    handler(req, res);
  });
  // TLS handshake failures (a client that does not trust the CA, a port scanner) must not reach 'error'.
  server.on('tlsClientError', (error) => log({ level: 'debug', event: 'tlsClientError', message: error.message }));

  const reloadCertificates = async (): Promise<boolean> => {
    try {
      if ((await signature([options.tls.certFile, options.tls.keyFile])) === current.signature) return false;
      const next = await load(options.tls);
      server.setSecureContext({ cert: next.cert, key: next.key, minVersion: 'TLSv1.2' });
      const previous = current.fingerprint;
      current = next;
      log({ level: 'info', event: 'certificateReloaded', file: options.tls.certFile, fingerprint: next.fingerprint, previous });
      return true;
    } catch (e) {
      log({ level: 'warn', event: 'certificateReloadFailed', file: options.tls.certFile, message: (e as Error).message });
      return false;
    }
  };

  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(new WebhookError('listen', `cannot listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 0}: ${e.message}`, { cause: e }));
    server.once('error', onError);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (e) => log({ level: 'error', event: 'serverError', message: e.message }));

  const polling: Subscription = interval(options.reloadIntervalMs ?? 10_000, scheduler)
    .pipe(exhaustMap(() => from(reloadCertificates())))
    .subscribe();

  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `https://${host}:${address.port}`;
  log({ level: 'info', event: 'listening', url, routes: handler.routes.map((r) => `${r.type} ${r.path}`), fingerprint: current.fingerprint });

  return {
    url,
    port: address.port,
    server,
    fingerprint: () => current.fingerprint,
    reloadCertificates,
    close: () =>
      new Promise<void>((resolve) => {
        polling.unsubscribe();
        server.close(() => {
          log({ level: 'info', event: 'closed', url });
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
