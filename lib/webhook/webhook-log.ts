/**
 * Structured logs of the webhook server: one object per event, never the reviewed objects, patches,
 * request headers or certificate material — only what identifies a call (route, uid, kind, namespace,
 * name, operation, user name) and its outcome.
 *
 * @module
 */

/** Severity of a {@link WebhookLogEntry}. */
export type WebhookLogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * One log event. `event` says what happened: `review` (a call answered), `badRequest` (unreadable body,
 * wrong method or content type, too large), `notFound`, `handlerFailed`, `handlerTimedOut`,
 * `certificateReloaded`, `certificateReloadFailed`, `listening`, `closed`.
 *
 * ## Example
 * ```ts
 * const entry: WebhookLogEntry = { level: 'info', event: 'review', route: '/validate', uid: 'u', allowed: true, durationMs: 2 };
 * ```
 */
export interface WebhookLogEntry {
  readonly level: WebhookLogLevel;
  readonly event: string;
  readonly route?: string;
  readonly uid?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly operation?: string;
  readonly user?: string;
  readonly dryRun?: boolean;
  readonly allowed?: boolean;
  readonly patched?: boolean;
  readonly status?: number;
  readonly durationMs?: number;
  readonly message?: string;
  readonly [key: string]: unknown;
}

/**
 * Where the server writes its log events.
 *
 * ## Example
 * ```ts
 * const lines: WebhookLogEntry[] = [];
 * const logger: WebhookLogger = (entry) => lines.push(entry);
 * ```
 */
export type WebhookLogger = (entry: WebhookLogEntry) => void;

const ORDER: Readonly<Record<WebhookLogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * A logger that writes each entry at or above `level` as one JSON line (with `time`) to a stream
 * (default: standard error).
 *
 * ## Example
 * ```ts
 * webhookServer({ routes, tls, logger: jsonLogger({ level: 'warn' }) });
 * ```
 */
export function jsonLogger(options: { level?: WebhookLogLevel; write?: (line: string) => void } = {}): WebhookLogger {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  return (entry) => {
    if (ORDER[entry.level] < min) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  };
}

/**
 * A logger that drops everything.
 *
 * ## Example
 * ```ts
 * webhookHandler(routes, { logger: silentLogger });
 * ```
 */
export const silentLogger: WebhookLogger = () => undefined;
