/**
 * `TokenFileAuth`: a bearer token read from a file and re-read every 60 s, so rotated tokens
 * (projected service-account tokens, `tokenFile` in a kubeconfig) are picked up without a restart.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { AuthProvider } from '../client/config.js';
import { ConfigError } from './config-error.js';
import { inspectSymbol, redactValue } from './redact.js';

/**
 * Options of {@link TokenFileAuth}.
 *
 * ## Example
 * ```ts
 * new TokenFileAuth('/var/run/secrets/tokens/api', { refreshMs: 30_000 });
 * ```
 */
export interface TokenFileAuthOptions {
  /**
   * How long a token read from the file is used before the file is read again.
   * @default 60_000 (ms, as client-go and kube-rs)
   */
  refreshMs?: number;
  /** Clock (`scheduler.now()`); a `TestScheduler` or a fake clock in tests. */
  scheduler?: SchedulerLike;
  /** Names the owner in errors, e.g. `kubeconfig /x: users[0].user.tokenFile`. */
  origin?: string;
}

/**
 * Reads a bearer token from `file`, caches it for `refreshMs`, and reads the file again after that
 * or after {@link TokenFileAuth.invalidate} (a 401). If a later read fails, the last good token is
 * kept (as client-go does); the first read failing is a {@link ConfigError}.
 *
 * ## Example
 * ```ts
 * const auth = new TokenFileAuth('/var/run/secrets/kubernetes.io/serviceaccount/token');
 * const client = new Client({ server, auth, tls: { ca } });
 * ```
 */
export class TokenFileAuth implements AuthProvider {
  readonly kind = 'tokenFile';
  readonly #refreshMs: number;
  readonly #scheduler: SchedulerLike;
  readonly #origin: string | undefined;
  #token: string | undefined;
  #readAt = Number.NEGATIVE_INFINITY;
  #reading: Promise<string> | undefined;

  constructor(
    readonly file: string,
    options: TokenFileAuthOptions = {},
  ) {
    this.#refreshMs = options.refreshMs ?? 60_000;
    this.#scheduler = options.scheduler ?? asyncScheduler;
    this.#origin = options.origin;
  }

  async headers(): Promise<Record<string, string>> {
    return { Authorization: `Bearer ${await this.token()}` };
  }

  /** The current token, read from the file if the cached one is older than `refreshMs`. */
  token(): Promise<string> {
    const now = this.#scheduler.now();
    if (this.#token !== undefined && now - this.#readAt < this.#refreshMs) return Promise.resolve(this.#token);
    this.#reading ??= this.#read(now).finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  /** Forget the cached token; the next request reads the file again. */
  invalidate(): void {
    this.#readAt = Number.NEGATIVE_INFINITY;
  }

  async #read(now: number): Promise<string> {
    const where = this.#origin === undefined ? `token file ${this.file}` : `${this.#origin}`;
    let token: string;
    try {
      token = (await readFile(this.file, 'utf8')).trim();
      if (token === '') throw new ConfigError('unreadableFile', `${where}: ${this.file} is empty`);
    } catch (e) {
      if (this.#token !== undefined) return this.#token; // keep the last good token, retry on the next call
      if (e instanceof ConfigError) throw new ConfigError(e.reason, e.message, { context: { file: this.file } });
      const code = (e as { code?: string }).code ?? String(e);
      throw new ConfigError('unreadableFile', `${where}: cannot read ${this.file}: ${code}`, {
        cause: e,
        context: { file: this.file },
      });
    }
    this.#token = token;
    this.#readAt = now;
    return token;
  }

  toJSON(): unknown {
    return { kind: this.kind, file: this.file, token: redactValue(this.#token) };
  }

  [inspectSymbol](): unknown {
    return this.toJSON();
  }
}
