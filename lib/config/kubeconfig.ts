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
import { ConfigError } from './config-error.js';
import { errorCode, parseKubeconfigFile, type ParsedFile } from './kubeconfig-parse.js';
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
    return Kubeconfig.merge([parseKubeconfigFile(text, absolute)]);
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
      files.push(parseKubeconfigFile(text, file));
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
