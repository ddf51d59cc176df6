/**
 * Kubeconfig files: parsing (YAML, validated field by field), locating (`KUBECONFIG` or
 * `~/.kube/config`) and merging several files the way kubectl does. Turning a context into a
 * `ClientConfig` lives in `from-kubeconfig.ts`.
 *
 * Merge rules (client-go's loading rules, checked against kubectl):
 * - the files in `KUBECONFIG` are read in order; missing files are skipped, a path listed twice is read once;
 * - for clusters, users and contexts the FIRST file that defines a name wins; later duplicates are ignored;
 * - `current-context` comes from the first file that sets it;
 * - within ONE file a name listed twice is an error, as in kubectl.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { load } from 'js-yaml';
import { ConfigError } from './config-error.js';
import { withRedactedView, REDACTED } from './redact.js';

/**
 * A `clusters[].cluster` entry. Field names are camelCased; the kubeconfig spelling is in each comment.
 *
 * ## Example
 * ```ts
 * const cluster: KubeconfigCluster | undefined = Kubeconfig.load().clusters.get('prod')?.value;
 * console.log(cluster?.server, cluster?.tlsServerName);
 * ```
 */
export interface KubeconfigCluster {
  /** `server` */
  server?: string;
  /** `certificate-authority`: a path, already resolved against the kubeconfig file's directory. */
  certificateAuthority?: string;
  /** `certificate-authority-data`: base64 of PEM, as written in the file. */
  certificateAuthorityData?: string;
  /** `insecure-skip-tls-verify` */
  insecureSkipTlsVerify?: boolean;
  /** `tls-server-name` */
  tlsServerName?: string;
  /** `proxy-url` */
  proxyUrl?: string;
  /** `disable-compression` */
  disableCompression?: boolean;
  /** `extensions[name=client.authentication.k8s.io/exec].extension`, handed to exec plugins. */
  execExtension?: unknown;
}

/**
 * One `env` entry of an exec plugin.
 *
 * ## Example
 * ```ts
 * const env: ExecEnvVar = { name: 'AWS_PROFILE', value: 'prod' };
 * ```
 */
export interface ExecEnvVar {
  name: string;
  value: string;
}

/**
 * `users[].user.exec`: an exec credential plugin (client.authentication.k8s.io).
 *
 * ## Example
 * ```ts
 * const exec: ExecConfig = {
 *   apiVersion: 'client.authentication.k8s.io/v1', command: 'kubelogin', args: ['get-token'],
 *   env: [], provideClusterInfo: false, interactiveMode: 'Never',
 * };
 * ```
 */
export interface ExecConfig {
  /** `client.authentication.k8s.io/v1` or `client.authentication.k8s.io/v1beta1`. */
  apiVersion: string;
  /** The program; a relative path with a separator is resolved against the kubeconfig's directory. */
  command: string;
  args: readonly string[];
  env: readonly ExecEnvVar[];
  installHint?: string;
  provideClusterInfo: boolean;
  /** `Never`, `IfAvailable` or `Always`. rxkube never has a terminal, so `Always` cannot be satisfied. */
  interactiveMode?: 'Never' | 'IfAvailable' | 'Always';
}

/**
 * A `users[].user` entry.
 *
 * ## Example
 * ```ts
 * const user = Kubeconfig.load().users.get('admin')?.value;
 * if (user?.exec) console.log('exec plugin', user.exec.command);
 * ```
 */
export interface KubeconfigUser {
  /** `client-certificate` (resolved path) */
  clientCertificate?: string;
  /** `client-certificate-data` (base64 of PEM) */
  clientCertificateData?: string;
  /** `client-key` (resolved path) */
  clientKey?: string;
  /** `client-key-data` (base64 of PEM) */
  clientKeyData?: string;
  /** `token` */
  token?: string;
  /** `tokenFile` (resolved path) */
  tokenFile?: string;
  /** `username` */
  username?: string;
  /** `password` */
  password?: string;
  /** `as` */
  impersonate?: string;
  /** `as-uid` */
  impersonateUid?: string;
  /** `as-groups` */
  impersonateGroups?: readonly string[];
  /** `as-user-extra` */
  impersonateUserExtra?: Readonly<Record<string, readonly string[]>>;
  /** `exec` */
  exec?: ExecConfig;
  /** `auth-provider` (legacy gcp/azure/oidc plugins): recorded so that using it fails with a clear error. */
  authProviderName?: string;
}

/**
 * A `contexts[].context` entry.
 *
 * ## Example
 * ```ts
 * const { cluster, user, namespace } = Kubeconfig.load().contexts.get('dev')?.value ?? { cluster: '' };
 * ```
 */
export interface KubeconfigContext {
  cluster: string;
  user?: string;
  namespace?: string;
}

/**
 * A named entry together with where it was defined, so errors can say `users[2]` of which file.
 *
 * ## Example
 * ```ts
 * const entry = kubeconfig.users.get('admin');
 * console.log(`${entry?.file}: users[${entry?.index}]`);
 * ```
 */
export interface KubeconfigEntry<T> {
  name: string;
  value: T;
  /** The file that defined it (first one wins when merging). */
  file: string;
  /** Position in that file's list. */
  index: number;
}

/**
 * Options of {@link Kubeconfig.load}.
 *
 * ## Example
 * ```ts
 * Kubeconfig.load({ paths: ['./a.yaml', './b.yaml'] });
 * ```
 */
export interface KubeconfigLoadOptions {
  /** Explicit files, merged in order; defaults to {@link Kubeconfig.defaultPaths}. */
  paths?: readonly string[];
  /** Environment to read `KUBECONFIG`, `HOME` from (tests); defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * A kubeconfig, parsed from one file or merged from several.
 *
 * ## Example
 * ```ts
 * const kc = Kubeconfig.load(); // KUBECONFIG or ~/.kube/config
 * console.log(kc.currentContext, [...kc.contexts.keys()]);
 * ```
 */
export class Kubeconfig {
  private constructor(
    /** The files that contributed, in merge order. */
    readonly files: readonly string[],
    /** `current-context`, with the file that set it. */
    readonly currentContext: { name: string; file: string } | undefined,
    readonly clusters: ReadonlyMap<string, KubeconfigEntry<KubeconfigCluster>>,
    readonly users: ReadonlyMap<string, KubeconfigEntry<KubeconfigUser>>,
    readonly contexts: ReadonlyMap<string, KubeconfigEntry<KubeconfigContext>>,
  ) {
    withRedactedView(this, () => ({
      files: this.files,
      currentContext: this.currentContext?.name,
      clusters: [...this.clusters.keys()],
      users: [...this.users.keys()].map((name) => `${name} (${REDACTED})`),
      contexts: [...this.contexts.keys()],
    }));
  }

  /**
   * Parses the text of one kubeconfig file. `file` names it in errors and anchors relative paths.
   *
   * ## Example
   * ```ts
   * const kc = Kubeconfig.parse(fs.readFileSync(p, 'utf8'), p);
   * ```
   */
  static parse(text: string, file: string): Kubeconfig {
    const absolute = path.resolve(file);
    const doc = parseYaml(text, absolute);
    return Kubeconfig.merge([fromDocument(doc, absolute)]);
  }

  /**
   * Reads one file. A missing or unreadable file is a {@link ConfigError} (`unreadableFile`).
   *
   * ## Example
   * ```ts
   * const kc = Kubeconfig.readFile('/etc/kubernetes/admin.conf');
   * ```
   */
  static readFile(file: string): Kubeconfig {
    const absolute = path.resolve(file);
    let text: string;
    try {
      text = readFileSync(absolute, 'utf8');
    } catch (e) {
      throw new ConfigError('unreadableFile', `kubeconfig ${absolute}: cannot read: ${errorCode(e)}`, {
        cause: e,
        context: { file: absolute },
      });
    }
    return Kubeconfig.parse(text, absolute);
  }

  /**
   * The files kubectl would read: the entries of `KUBECONFIG` (`:`-separated, `;` on Windows, empty
   * entries and repeats dropped), else `~/.kube/config`.
   *
   * ## Example
   * ```ts
   * Kubeconfig.defaultPaths({ KUBECONFIG: '/a:/b:/a' }); // ['/a', '/b']
   * ```
   */
  static defaultPaths(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string[] {
    const list = env['KUBECONFIG'];
    if (list !== undefined && list.trim() !== '') {
      const separator = platform === 'win32' ? ';' : ':';
      const seen = new Set<string>();
      for (const entry of list.split(separator)) {
        if (entry.trim() === '') continue;
        seen.add(path.resolve(entry));
      }
      return [...seen];
    }
    const home = env['HOME'] ?? env['USERPROFILE'] ?? homedir();
    return [path.join(home, '.kube', 'config')];
  }

  /**
   * Loads and merges kubeconfig files like kubectl. Files that do not exist are skipped (as kubectl
   * does); if none exists the result is empty (`files` is `[]`). Any other read or parse failure
   * throws a {@link ConfigError} naming the file.
   *
   * ## Example
   * ```ts
   * const kc = Kubeconfig.load({ paths: ['/a.yaml', '/b.yaml'] }); // first file to define a name wins
   * ```
   */
  static load(options: KubeconfigLoadOptions = {}): Kubeconfig {
    const paths = options.paths?.map((p) => path.resolve(p)) ?? Kubeconfig.defaultPaths(options.env);
    const files: ParsedFile[] = [];
    for (const file of new Set(paths)) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        if (errorCode(e) === 'ENOENT') continue;
        throw new ConfigError('unreadableFile', `kubeconfig ${file}: cannot read: ${errorCode(e)}`, {
          cause: e,
          context: { file },
        });
      }
      files.push(fromDocument(parseYaml(text, file), file));
    }
    return Kubeconfig.merge(files);
  }

  private static merge(files: readonly ParsedFile[]): Kubeconfig {
    const clusters = new Map<string, KubeconfigEntry<KubeconfigCluster>>();
    const users = new Map<string, KubeconfigEntry<KubeconfigUser>>();
    const contexts = new Map<string, KubeconfigEntry<KubeconfigContext>>();
    let currentContext: { name: string; file: string } | undefined;
    for (const f of files) {
      if (currentContext === undefined && f.currentContext !== undefined) {
        currentContext = { name: f.currentContext, file: f.file };
      }
      for (const e of f.clusters) if (!clusters.has(e.name)) clusters.set(e.name, e);
      for (const e of f.users) if (!users.has(e.name)) users.set(e.name, e);
      for (const e of f.contexts) if (!contexts.has(e.name)) contexts.set(e.name, e);
    }
    return new Kubeconfig(
      files.map((f) => f.file),
      currentContext,
      clusters,
      users,
      contexts,
    );
  }
}

/** One file, validated, before merging. */
interface ParsedFile {
  file: string;
  currentContext?: string;
  clusters: KubeconfigEntry<KubeconfigCluster>[];
  users: KubeconfigEntry<KubeconfigUser>[];
  contexts: KubeconfigEntry<KubeconfigContext>[];
}

function errorCode(e: unknown): string {
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
