/**
 * Parsing of one kubeconfig file: YAML (errors with line and column, never the source text, which
 * may hold secrets) validated field by field into typed entries, each remembering its file and
 * position so errors can say `users[2].user.client-key` of which file. Used by {@link Kubeconfig}.
 *
 * @module
 */
import * as path from 'node:path';
import { load } from 'js-yaml';
import { ConfigError } from './config-error.js';
import type {
  ExecConfig,
  KubeconfigCluster,
  KubeconfigContext,
  KubeconfigEntry,
  KubeconfigUser,
} from './kubeconfig.js';

/**
 * One file, validated, before merging.
 *
 * ## Example
 * ```ts
 * const parsed = parseKubeconfigFile(text, '/home/me/.kube/config');
 * parsed.users[0]?.name;
 * ```
 */
export interface ParsedFile {
  file: string;
  currentContext?: string;
  clusters: KubeconfigEntry<KubeconfigCluster>[];
  users: KubeconfigEntry<KubeconfigUser>[];
  contexts: KubeconfigEntry<KubeconfigContext>[];
}

/**
 * The `code` of a file system error (`ENOENT`, `EACCES`), or its message.
 *
 * ## Example
 * ```ts
 * errorCode(Object.assign(new Error('x'), { code: 'ENOENT' })); // 'ENOENT'
 * ```
 */
export function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : String((e as Error | null)?.message ?? e);
}

/** Parses YAML; errors carry the line and column but never the source snippet (it may hold secrets). */
function parseYaml(text: string, file: string): unknown {
  if (text.trim() === '') return {};
  try {
    return load(text, { filename: file });
  } catch (e) {
    const y = e as { reason?: unknown; mark?: { line?: number; column?: number } };
    const reason = typeof y.reason === 'string' ? y.reason : 'malformed YAML';
    const line = y.mark?.line === undefined ? undefined : y.mark.line + 1;
    const column = y.mark?.column === undefined ? undefined : y.mark.column + 1;
    const where = line === undefined ? '' : ` at line ${line}, column ${column}`;
    throw new ConfigError('invalidKubeconfig', `kubeconfig ${file}: malformed YAML${where}: ${reason}`, {
      context: { file, line, column },
    });
  }
}

/** Reads typed fields out of an untrusted YAML mapping, naming `file` and the field path on failure. */
class Reader {
  constructor(
    readonly file: string,
    readonly at: string,
    private readonly obj: Record<string, unknown>,
  ) {}

  static of(file: string, at: string, value: unknown): Reader {
    if (value === null || value === undefined) return new Reader(file, at, {});
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw invalid(file, at, `expected a mapping, got ${describe(value)}`);
    }
    return new Reader(file, at, value as Record<string, unknown>);
  }

  field(key: string): string {
    return this.at === '' ? key : `${this.at}.${key}`;
  }

  keys(): string[] {
    return Object.keys(this.obj);
  }

  raw(key: string): unknown {
    const v = this.obj[key];
    return v === null ? undefined : v;
  }

  string(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') throw invalid(this.file, this.field(key), `expected a string, got ${describe(v)}`);
    return v;
  }

  /** Booleans also accept kubectl's YAML 1.1 spellings written as strings (`"true"`, `yes`, `on`). */
  boolean(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') {
      const word = v.toLowerCase();
      if (['true', 'yes', 'y', 'on'].includes(word)) return true;
      if (['false', 'no', 'n', 'off'].includes(word)) return false;
    }
    throw invalid(this.file, this.field(key), `expected true or false, got ${describe(v)}`);
  }

  stringList(key: string): string[] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw invalid(this.file, this.field(key), `expected a list, got ${describe(v)}`);
    return v.map((item, i) => {
      if (typeof item !== 'string') {
        throw invalid(this.file, `${this.field(key)}[${i}]`, `expected a string, got ${describe(item)}`);
      }
      return item;
    });
  }

  list(key: string): unknown[] {
    const v = this.raw(key);
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw invalid(this.file, this.field(key), `expected a list, got ${describe(v)}`);
    return v;
  }

  child(key: string): Reader {
    return Reader.of(this.file, this.field(key), this.raw(key));
  }

  /** A path, resolved against the directory of the kubeconfig file (as kubectl does). */
  path(key: string): string | undefined {
    const p = this.string(key);
    return p === undefined ? undefined : path.resolve(path.dirname(this.file), p);
  }
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'a mapping' : typeof v;
}

function invalid(file: string, field: string, problem: string): ConfigError {
  return new ConfigError('invalidKubeconfig', `kubeconfig ${file}: ${field}: ${problem}`, { context: { file, field } });
}

/**
 * Parses and validates the text of one kubeconfig file; `file` (absolute) names it in errors and
 * anchors relative paths.
 *
 * ## Example
 * ```ts
 * const parsed = parseKubeconfigFile(fs.readFileSync(file, 'utf8'), file);
 * ```
 */
export function parseKubeconfigFile(text: string, file: string): ParsedFile {
  return fromDocument(parseYaml(text, file), file);
}

function fromDocument(doc: unknown, file: string): ParsedFile {
  const top = Reader.of(file, '', doc);
  const result: ParsedFile = {
    file,
    clusters: named(top, 'clusters', 'cluster', readCluster),
    users: named(top, 'users', 'user', readUser),
    contexts: named(top, 'contexts', 'context', readContext),
  };
  const current = top.string('current-context');
  if (current !== undefined) result.currentContext = current;
  return result;
}

/** Reads a `[{ name, <key>: {...} }]` list, rejecting duplicate names within the file (as kubectl does). */
function named<T>(
  top: Reader,
  listKey: string,
  valueKey: string,
  read: (r: Reader) => T,
): KubeconfigEntry<T>[] {
  const seen = new Set<string>();
  return top.list(listKey).map((item, index) => {
    const entry = Reader.of(top.file, `${listKey}[${index}]`, item);
    const name = entry.string('name');
    if (name === undefined) throw invalid(top.file, entry.field('name'), 'missing name');
    if (seen.has(name)) throw invalid(top.file, entry.field('name'), `duplicate name "${name}" in ${listKey}`);
    seen.add(name);
    return { name, value: read(entry.child(valueKey)), file: top.file, index };
  });
}

function readCluster(r: Reader): KubeconfigCluster {
  const c: KubeconfigCluster = {};
  assign(c, 'server', r.string('server'));
  assign(c, 'certificateAuthority', r.path('certificate-authority'));
  assign(c, 'certificateAuthorityData', r.string('certificate-authority-data'));
  assign(c, 'insecureSkipTlsVerify', r.boolean('insecure-skip-tls-verify'));
  assign(c, 'tlsServerName', r.string('tls-server-name'));
  assign(c, 'proxyUrl', r.string('proxy-url'));
  assign(c, 'disableCompression', r.boolean('disable-compression'));
  r.list('extensions').forEach((item, i) => {
    const ext = Reader.of(r.file, `${r.field('extensions')}[${i}]`, item);
    if (ext.string('name') === 'client.authentication.k8s.io/exec') c.execExtension = ext.raw('extension');
  });
  return c;
}

function readUser(r: Reader): KubeconfigUser {
  const u: KubeconfigUser = {};
  assign(u, 'clientCertificate', r.path('client-certificate'));
  assign(u, 'clientCertificateData', r.string('client-certificate-data'));
  assign(u, 'clientKey', r.path('client-key'));
  assign(u, 'clientKeyData', r.string('client-key-data'));
  assign(u, 'token', r.string('token'));
  assign(u, 'tokenFile', r.path('tokenFile'));
  assign(u, 'username', r.string('username'));
  assign(u, 'password', r.string('password'));
  assign(u, 'impersonate', r.string('as'));
  assign(u, 'impersonateUid', r.string('as-uid'));
  assign(u, 'impersonateGroups', r.stringList('as-groups'));
  const extra = r.child('as-user-extra');
  const extraKeys = extra.keys();
  if (extraKeys.length > 0) {
    u.impersonateUserExtra = Object.fromEntries(extraKeys.map((k) => [k, extra.stringList(k) ?? []]));
  }
  if (r.raw('exec') !== undefined) u.exec = readExec(r.child('exec'));
  if (r.raw('auth-provider') !== undefined) {
    u.authProviderName = r.child('auth-provider').string('name') ?? 'unnamed';
  }
  return u;
}

const execApiVersions = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

function readExec(r: Reader): ExecConfig {
  const apiVersion = r.string('apiVersion');
  if (apiVersion === undefined) throw invalid(r.file, r.field('apiVersion'), 'missing apiVersion');
  if (!execApiVersions.includes(apiVersion)) {
    throw invalid(r.file, r.field('apiVersion'), `unsupported "${apiVersion}" (use ${execApiVersions.join(' or ')})`);
  }
  const command = r.string('command');
  if (command === undefined) throw invalid(r.file, r.field('command'), 'missing command');
  const env = r.list('env').map((item, i) => {
    const e = Reader.of(r.file, `${r.field('env')}[${i}]`, item);
    const name = e.string('name');
    if (name === undefined) throw invalid(r.file, e.field('name'), 'missing name');
    return { name, value: e.string('value') ?? '' };
  });
  const mode = r.string('interactiveMode');
  if (mode !== undefined && mode !== 'Never' && mode !== 'IfAvailable' && mode !== 'Always') {
    throw invalid(r.file, r.field('interactiveMode'), `expected Never, IfAvailable or Always, got "${mode}"`);
  }
  if (mode === undefined && apiVersion.endsWith('/v1')) {
    throw invalid(r.file, r.field('interactiveMode'), 'required for client.authentication.k8s.io/v1');
  }
  // A relative command that contains a path separator is relative to the kubeconfig, a bare name is looked up in PATH.
  const resolved =
    command.includes('/') || command.includes(path.sep) ? path.resolve(path.dirname(r.file), command) : command;
  const exec: ExecConfig = {
    apiVersion,
    command: resolved,
    args: r.stringList('args') ?? [],
    env,
    provideClusterInfo: r.boolean('provideClusterInfo') ?? false,
  };
  assign(exec, 'installHint', r.string('installHint'));
  if (mode !== undefined) exec.interactiveMode = mode;
  return exec;
}

function readContext(r: Reader): KubeconfigContext {
  const cluster = r.string('cluster');
  if (cluster === undefined) throw invalid(r.file, r.field('cluster'), 'missing cluster');
  const c: KubeconfigContext = { cluster };
  assign(c, 'user', r.string('user'));
  assign(c, 'namespace', r.string('namespace'));
  return c;
}

/** Sets an optional field only when it has a value (keeps objects free of `undefined` keys). */
function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
