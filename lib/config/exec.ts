/**
 * `ExecAuth`: credentials from an exec plugin (client.authentication.k8s.io v1 and v1beta1), the
 * mechanism behind `aws eks get-token`, `gke-gcloud-auth-plugin`, `kubelogin` and friends.
 *
 * - The plugin runs without a terminal (`spec.interactive: false`); `interactiveMode: Always` is refused.
 * - With `provideClusterInfo: true` it receives the cluster (server, CA data, ...) in `KUBERNETES_EXEC_INFO`.
 * - Credentials are cached per plugin CONFIGURATION (apiVersion, command, args, env and cluster), not per
 *   user name, until 60 s before `expirationTimestamp`; concurrent callers share one run;
 *   `invalidate()` (after a 401) makes the next caller run the plugin again.
 * - A failing plugin gives a {@link ConfigError} with its exit code, the tail of its stderr and the
 *   install hint. Its stdout is never quoted (it holds the credential).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { AuthProvider } from '../client/config.js';
import { ConfigError } from './config-error.js';
import type { ExecConfig } from './kubeconfig.js';
import { inspectSymbol, redactValue } from './redact.js';

/**
 * The cluster as handed to a plugin in `KUBERNETES_EXEC_INFO` (`spec.cluster`), kubectl's JSON names.
 *
 * ## Example
 * ```ts
 * const cluster: ExecClusterInfo = { server: 'https://10.0.0.1:6443', 'certificate-authority-data': caBase64 };
 * new ExecAuth(exec, { cluster });
 * ```
 */
export interface ExecClusterInfo {
  server: string;
  'tls-server-name'?: string;
  'insecure-skip-tls-verify'?: boolean;
  /** Base64 of the PEM CA bundle (read from `certificate-authority` when the kubeconfig names a file). */
  'certificate-authority-data'?: string;
  'proxy-url'?: string;
  'disable-compression'?: boolean;
  /** The cluster's `client.authentication.k8s.io/exec` extension. */
  config?: unknown;
}

/**
 * What a plugin returned (`status` of an ExecCredential), with the expiry as epoch milliseconds.
 *
 * ## Example
 * ```ts
 * const { token, expiresAt } = await execAuth.credential();
 * ```
 */
export interface ExecCredential {
  token?: string;
  /** PEM client certificate. */
  clientCertificateData?: string;
  /** PEM private key. */
  clientKeyData?: string;
  /** `expirationTimestamp` in ms since the epoch; absent means "valid until a 401". */
  expiresAt?: number;
}

/**
 * Options of {@link ExecAuth}.
 *
 * ## Example
 * ```ts
 * new ExecAuth(exec, { scheduler: testScheduler, refreshBeforeExpiryMs: 30_000 });
 * ```
 */
export interface ExecAuthOptions {
  /** Sent to the plugin when `provideClusterInfo` is set; always part of the cache key. */
  cluster?: ExecClusterInfo;
  /** Clock for expiry (`scheduler.now()`). */
  scheduler?: SchedulerLike;
  /**
   * Refresh this long before `expirationTimestamp`.
   * @default 60_000
   */
  refreshBeforeExpiryMs?: number;
  /** Names the owner in errors, e.g. `kubeconfig /x: users[0].user.exec`. */
  origin?: string;
  /** Environment the plugin inherits (before the kubeconfig's `env`); defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * How long one run of the plugin may take before it is killed and the request fails with
   * `ConfigError` `execTimeout` (a hung plugin would otherwise hang every request). Plugins that
   * may interact (`interactiveMode` other than `Never`, e.g. a browser login) get longer.
   * @default 60_000 for `interactiveMode: Never`, else 300_000
   */
  timeoutMs?: number;
}

/** Shared state of every ExecAuth with the same configuration. */
interface CacheSlot {
  credential?: ExecCredential;
  running?: Promise<ExecCredential>;
  listeners: Set<(credential: ExecCredential) => void>;
}

const cache = new Map<string, CacheSlot>();

/** How much of a failing plugin's stderr is kept while it runs, and how much ends up in the error. */
const STDERR_KEPT_CHARS = 16 * 1024;
const STDERR_TAIL_LINES = 10;
const STDERR_TAIL_CHARS = 1000;
/** A plugin printing more than this on stdout is broken. */
const MAX_STDOUT_BYTES = 4 * 1024 * 1024;

/**
 * An {@link AuthProvider} backed by an exec credential plugin.
 *
 * ## Example
 * ```ts
 * const auth = new ExecAuth({
 *   apiVersion: 'client.authentication.k8s.io/v1', command: 'aws',
 *   args: ['eks', 'get-token', '--cluster-name', 'prod'], env: [], provideClusterInfo: false,
 *   interactiveMode: 'Never',
 * });
 * const headers = await auth.headers(); // { Authorization: 'Bearer k8s-aws-v1....' }
 * ```
 */
export class ExecAuth implements AuthProvider {
  readonly kind: string;
  readonly #key: string;
  readonly #slot: CacheSlot;
  readonly #scheduler: SchedulerLike;
  readonly #margin: number;
  readonly #options: ExecAuthOptions;

  constructor(
    readonly exec: ExecConfig,
    options: ExecAuthOptions = {},
  ) {
    this.kind = `exec:${path.basename(exec.command)}`;
    this.#options = options;
    this.#scheduler = options.scheduler ?? asyncScheduler;
    this.#margin = options.refreshBeforeExpiryMs ?? 60_000;
    // Hashed: env values may be secrets, and the key is shared with the transport cache.
    this.#key = createHash('sha256')
      .update(JSON.stringify([exec.apiVersion, exec.command, exec.args, exec.env, options.cluster ?? null]))
      .digest('hex');
    let slot = cache.get(this.#key);
    if (slot === undefined) cache.set(this.#key, (slot = { listeners: new Set() }));
    this.#slot = slot;
  }

  /** A bearer token header when the plugin returned a token; `{}` for certificate-only credentials. */
  async headers(): Promise<Record<string, string>> {
    const { token } = await this.credential();
    return token === undefined ? {} : { Authorization: `Bearer ${token}` };
  }

  /**
   * The current credential: cached until `refreshBeforeExpiryMs` before it expires, otherwise
   * obtained by running the plugin (one run shared by all concurrent callers).
   */
  credential(): Promise<ExecCredential> {
    const slot = this.#slot;
    const cached = slot.credential;
    if (cached !== undefined && !this.#expiring(cached)) return Promise.resolve(cached);
    slot.running ??= this.#run().then(
      (credential) => {
        slot.credential = credential;
        slot.running = undefined;
        for (const listener of slot.listeners) listener(credential);
        return credential;
      },
      (e: unknown) => {
        slot.running = undefined;
        throw e;
      },
    );
    return slot.running;
  }

  /**
   * Calls `listener` with every credential newly obtained from the plugin (by any `ExecAuth` with
   * the same configuration). The transport uses it to retire connections made with an old client
   * certificate. Returns a function that removes the listener.
   */
  onCredential(listener: (credential: ExecCredential) => void): () => void {
    this.#slot.listeners.add(listener);
    return () => this.#slot.listeners.delete(listener);
  }

  /** Identifies the plugin configuration (the cache key); equal keys share credentials. */
  get cacheKey(): string {
    return this.#key;
  }

  /**
   * Drops the cached credential (call after a 401): the next caller runs the plugin again. A run
   * already in progress is kept, so a burst of 401s leads to one run.
   */
  invalidate(): void {
    if (this.#slot.running === undefined) this.#slot.credential = undefined;
  }

  #expiring(c: ExecCredential): boolean {
    return c.expiresAt !== undefined && this.#scheduler.now() >= c.expiresAt - this.#margin;
  }

  #describe(): string {
    const origin = this.#options.origin === undefined ? '' : `${this.#options.origin}: `;
    return `${origin}exec plugin "${this.exec.command}"`;
  }

  #fail(problem: string, context: Record<string, unknown>, cause?: unknown): ConfigError {
    const hint = this.exec.installHint === undefined ? '' : `\n${this.exec.installHint.trim()}`;
    return new ConfigError('execFailed', `${this.#describe()}: ${problem}${hint}`, {
      cause,
      context: { command: this.exec.command, ...context },
    });
  }

  #run(): Promise<ExecCredential> {
    const exec = this.exec;
    if (exec.interactiveMode === 'Always') {
      return Promise.reject(
        this.#fail('interactiveMode is Always but rxkube runs plugins without a terminal', { field: 'interactiveMode' }),
      );
    }
    const info: Record<string, unknown> = { interactive: false };
    if (exec.provideClusterInfo && this.#options.cluster !== undefined) info['cluster'] = this.#options.cluster;
    const env: NodeJS.ProcessEnv = { ...(this.#options.env ?? process.env) };
    for (const { name, value } of exec.env) env[name] = value;
    env['KUBERNETES_EXEC_INFO'] = JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', spec: info });

    const timeoutMs = this.#options.timeoutMs ?? (exec.interactiveMode === 'Never' ? 60_000 : 300_000);
    return new Promise<ExecCredential>((resolve, reject) => {
      const child = spawn(exec.command, [...exec.args], { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
      let exited = false;
      const timer = this.#scheduler.schedule(() => {
        reject(
          new ConfigError('execTimeout', `${this.#describe()}: did not finish within ${timeoutMs} ms (timeoutMs); it was killed`, {
            context: { command: exec.command, timeoutMs },
          }),
        );
        child.kill('SIGTERM');
        // A plugin that ignores SIGTERM is killed for good a little later.
        const hard = setTimeout(() => {
          if (!exited) child.kill('SIGKILL');
        }, 2000);
        hard.unref();
      }, timeoutMs);
      const stdout: Buffer[] = [];
      let stdoutBytes = 0;
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdoutBytes += chunk.length;
        if (stdoutBytes <= MAX_STDOUT_BYTES) stdout.push(chunk);
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-STDERR_KEPT_CHARS);
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        timer.unsubscribe();
        reject(this.#fail(`cannot run: ${e.code ?? e.message}`, { code: e.code }, e));
      });
      child.on('close', (code, signal) => {
        exited = true;
        timer.unsubscribe();
        const tail = stderr.trim().split('\n').slice(-STDERR_TAIL_LINES).join('\n').slice(-STDERR_TAIL_CHARS);
        if (code !== 0) {
          const how = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
          reject(this.#fail(`${how}${tail === '' ? '' : `; stderr: ${tail}`}`, { exitCode: code, signal, stderr: tail }));
          return;
        }
        if (stdoutBytes > MAX_STDOUT_BYTES) {
          reject(this.#fail(`printed more than ${MAX_STDOUT_BYTES} bytes`, {}));
          return;
        }
        try {
          resolve(this.#parse(Buffer.concat(stdout).toString('utf8')));
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  /** Validates the plugin's ExecCredential; messages describe the shape, never the content. */
  #parse(text: string): ExecCredential {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw this.#fail('did not print a JSON ExecCredential on stdout', {});
    }
    const obj = (doc ?? {}) as Record<string, unknown>;
    if (obj['kind'] !== 'ExecCredential') {
      throw this.#fail(`printed kind ${JSON.stringify(obj['kind'])}, expected ExecCredential`, {});
    }
    if (obj['apiVersion'] !== this.exec.apiVersion) {
      throw this.#fail(
        `printed apiVersion ${JSON.stringify(obj['apiVersion'])}, expected ${this.exec.apiVersion} as configured`,
        {},
      );
    }
    const status = obj['status'];
    if (status === null || typeof status !== 'object') throw this.#fail('printed an ExecCredential without status', {});
    const s = status as Record<string, unknown>;
    const credential: ExecCredential = {};
    const str = (field: string): string | undefined => {
      const v = s[field];
      if (v === undefined || v === null || v === '') return undefined;
      if (typeof v !== 'string') throw this.#fail(`status.${field} is not a string`, { field: `status.${field}` });
      return v;
    };
    const token = str('token');
    const cert = str('clientCertificateData');
    const key = str('clientKeyData');
    const expiry = str('expirationTimestamp');
    if (token !== undefined) credential.token = token;
    if ((cert === undefined) !== (key === undefined)) {
      throw this.#fail('status has only one of clientCertificateData and clientKeyData', {});
    }
    if (cert !== undefined && key !== undefined) {
      credential.clientCertificateData = cert;
      credential.clientKeyData = key;
    }
    if (token === undefined && cert === undefined) {
      throw this.#fail('status has neither token nor clientCertificateData/clientKeyData', {});
    }
    if (expiry !== undefined) {
      const ms = Date.parse(expiry);
      if (Number.isNaN(ms)) throw this.#fail('status.expirationTimestamp is not an RFC 3339 time', {});
      credential.expiresAt = ms;
    }
    return credential;
  }

  toJSON(): unknown {
    const c = this.#slot.credential;
    return {
      kind: this.kind,
      command: this.exec.command,
      credential:
        c === undefined
          ? undefined
          : {
              token: redactValue(c.token),
              clientKeyData: redactValue(c.clientKeyData),
              expiresAt: c.expiresAt === undefined ? undefined : new Date(c.expiresAt).toISOString(),
            },
    };
  }

  [inspectSymbol](): unknown {
    return this.toJSON();
  }
}
