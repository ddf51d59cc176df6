/**
 * Turns a kubeconfig context into a {@link ClientConfig}: the cluster (server, CA, TLS server name,
 * proxy, compression), the user (client certificate, token, token file, basic auth, exec plugin,
 * impersonation), the namespace, and the shared Node transport for that cluster and identity.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { checkKeyPair, checkPem, type PemKind } from './pem-check.js';
import type { SchedulerLike } from 'rxjs';
import type { AuthProvider, ClientConfig, Impersonation, TlsConfig } from '../client/config.js';
import { ConfigError } from './config-error.js';
import { ExecAuth, type ExecClusterInfo } from './exec.js';
import { Kubeconfig, type KubeconfigCluster, type KubeconfigEntry, type KubeconfigUser } from './kubeconfig.js';
import { proxyFromEnv } from './proxy.js';
import { withRedactedView, REDACTED } from './redact.js';
import { BasicAuth, StaticTokenAuth } from './static-auth.js';
import { TokenFileAuth } from './token-file.js';
import { transportFor } from './transport.js';

/**
 * Options of {@link configFromKubeconfig}.
 *
 * ## Example
 * ```ts
 * configFromKubeconfig({ path: ['./a.yaml', './b.yaml'], context: 'dev', namespace: 'team-a' });
 * ```
 */
export interface FromKubeconfigOptions {
  /** Kubeconfig file(s) to merge; by default `KUBECONFIG` or `~/.kube/config`. */
  path?: string | readonly string[];
  /** An already loaded kubeconfig (instead of `path`). */
  kubeconfig?: Kubeconfig;
  /** The context to use; by default `current-context`. */
  context?: string;
  /** Overrides the context's namespace. */
  namespace?: string;
  /** Environment for `KUBECONFIG`, `HOME`, proxies and exec plugins; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Clock for token-file refresh and exec credential expiry. */
  scheduler?: SchedulerLike;
  /** Sent as `User-Agent`. */
  userAgent?: string;
  /** How long an exec credential plugin may run (see `ExecAuthOptions.timeoutMs`). */
  execTimeoutMs?: number;
}

/**
 * Builds a {@link ClientConfig} from a kubeconfig context. Synchronous (files are read at once,
 * exec plugins run on the first request); every problem is a {@link ConfigError} naming the file,
 * the field and the entry.
 *
 * ## Example
 * ```ts
 * const config = configFromKubeconfig({ context: 'kind-dev' });
 * const client = new Client(config);
 * ```
 */
export function configFromKubeconfig(options: FromKubeconfigOptions = {}): ClientConfig {
  const env = options.env ?? process.env;
  const kc =
    options.kubeconfig ??
    Kubeconfig.load({
      env,
      ...(options.path === undefined ? {} : { paths: typeof options.path === 'string' ? [options.path] : options.path }),
    });
  const files = kc.files.join(', ');
  if (kc.files.length === 0) {
    const looked = typeof options.path === 'string' ? [options.path] : options.path ?? Kubeconfig.defaultPaths(env);
    throw new ConfigError('noConfig', `no kubeconfig found (looked at ${looked.join(', ')})`, {
      context: { files: looked },
    });
  }

  // The context: explicit, or current-context.
  let contextName = options.context;
  let contextField = 'context (option)';
  let contextFile = files;
  if (contextName === undefined) {
    if (kc.currentContext === undefined) {
      throw new ConfigError('missingEntry', `kubeconfig ${files}: current-context: not set and no context was given`, {
        context: { file: files, field: 'current-context' },
      });
    }
    contextName = kc.currentContext.name;
    contextField = 'current-context';
    contextFile = kc.currentContext.file;
  }
  const context = kc.contexts.get(contextName);
  if (context === undefined) {
    throw new ConfigError('missingEntry', `kubeconfig ${contextFile}: ${contextField}: no context named "${contextName}"`, {
      context: { file: contextFile, field: contextField, entry: contextName },
    });
  }
  const at = `contexts[${context.index}].context`;
  const cluster = kc.clusters.get(context.value.cluster);
  if (cluster === undefined) {
    throw missing(context.file, `${at}.cluster`, `no cluster named "${context.value.cluster}"`, contextName);
  }
  let user: KubeconfigEntry<KubeconfigUser> | undefined;
  if (context.value.user !== undefined) {
    user = kc.users.get(context.value.user);
    if (user === undefined) throw missing(context.file, `${at}.user`, `no user named "${context.value.user}"`, contextName);
  }

  const c = cluster.value;
  const cAt = `clusters[${cluster.index}].cluster`;
  if (c.server === undefined) throw missing(cluster.file, `${cAt}.server`, 'missing server', cluster.name);
  try {
    new URL(c.server);
  } catch (e) {
    throw new ConfigError('invalidKubeconfig', `kubeconfig ${cluster.file}: ${cAt}.server: not a URL`, {
      cause: e,
      context: { file: cluster.file, field: `${cAt}.server`, entry: cluster.name },
    });
  }
  const server = c.server.replace(/\/+$/, '');

  const tls: TlsConfig = {};
  if (c.insecureSkipTlsVerify === true) tls.insecureSkipTLSVerify = true;
  else {
    const ca = pem(cluster, c.certificateAuthorityData, c.certificateAuthority, `${cAt}.certificate-authority`, 'certificates');
    if (ca !== undefined) tls.ca = ca;
  }
  if (c.tlsServerName !== undefined) tls.serverName = c.tlsServerName;

  const config: ClientConfig = { server, namespace: options.namespace ?? context.value.namespace ?? 'default' };
  const proxyUrl = c.proxyUrl ?? proxyFromEnv(server, env);
  if (proxyUrl !== undefined) config.proxyUrl = proxyUrl;
  if (c.disableCompression === true) config.disableCompression = true;
  if (options.userAgent !== undefined) config.userAgent = options.userAgent;

  let execAuth: ExecAuth | undefined;
  if (user !== undefined) {
    const u = user.value;
    const uAt = `users[${user.index}].user`;
    const cert = pem(user, u.clientCertificateData, u.clientCertificate, `${uAt}.client-certificate`, 'certificates');
    const key = pem(user, u.clientKeyData, u.clientKey, `${uAt}.client-key`, 'privateKey');
    if ((cert === undefined) !== (key === undefined)) {
      const field = cert === undefined ? 'client-certificate' : 'client-key';
      throw missing(user.file, `${uAt}.${field}`, `missing (client-certificate and client-key go together)`, user.name);
    }
    if (cert !== undefined && key !== undefined) {
      checkKeyPair(cert, key, { file: user.file, field: uAt, entry: user.name });
      tls.cert = cert;
      tls.key = key;
    }
    if (u.authProviderName !== undefined) {
      throw new ConfigError(
        'unsupported',
        `kubeconfig ${user.file}: ${uAt}.auth-provider: legacy auth provider "${u.authProviderName}" is not supported; use an exec plugin`,
        { context: { file: user.file, field: `${uAt}.auth-provider`, entry: user.name } },
      );
    }
    const methods = [
      u.token !== undefined || u.tokenFile !== undefined ? 'token' : undefined,
      u.username !== undefined || u.password !== undefined ? 'username/password' : undefined,
      u.exec !== undefined ? 'exec' : undefined,
    ].filter((m) => m !== undefined);
    if (methods.length > 1) {
      throw new ConfigError(
        'invalidKubeconfig',
        `kubeconfig ${user.file}: ${uAt}: more than one authentication method (${methods.join(', ')}); only one is allowed`,
        { context: { file: user.file, field: uAt, entry: user.name } },
      );
    }
    const auth = authFor(user, uAt, c, tls, server, options, env);
    if (auth !== undefined) config.auth = auth;
    if (auth instanceof ExecAuth) execAuth = auth;
    const impersonate = impersonationFor(user, uAt);
    if (impersonate !== undefined) config.impersonate = impersonate;
  }

  if (Object.keys(tls).length > 0) config.tls = tls;
  config.transport = transportFor({
    server,
    tls,
    ...(proxyUrl === undefined ? {} : { proxyUrl }),
    ...(proxyUrl === undefined
      ? {}
      : {
          proxyOrigin:
            c.proxyUrl !== undefined
              ? { file: cluster.file, field: `${cAt}.proxy-url`, entry: cluster.name }
              : { field: 'the HTTPS_PROXY/HTTP_PROXY environment variable' },
        }),
    ...(execAuth === undefined ? {} : { certificateSource: execAuth }),
  });
  return redactConfig(config);
}

/**
 * Makes `util.inspect(config)` and `JSON.stringify(config)` secret-free: keys, passwords and tokens
 * are replaced, certificates are shown by size. The config's own fields are untouched.
 *
 * ## Example
 * ```ts
 * console.log(redactConfig({ server, tls: { key } })); // { server: '...', tls: { key: '<redacted>' } }
 * ```
 */
export function redactConfig(config: ClientConfig): ClientConfig {
  return withRedactedView(config, () => ({
    server: config.server,
    namespace: config.namespace,
    tls:
      config.tls === undefined
        ? undefined
        : {
            ca: config.tls.ca === undefined ? undefined : `<${config.tls.ca.length} chars>`,
            cert: config.tls.cert === undefined ? undefined : `<${config.tls.cert.length} chars>`,
            key: config.tls.key === undefined ? undefined : REDACTED,
            insecureSkipTLSVerify: config.tls.insecureSkipTLSVerify,
            serverName: config.tls.serverName,
          },
    auth: config.auth,
    impersonate: config.impersonate,
    proxyUrl: config.proxyUrl === undefined ? undefined : redactUrl(config.proxyUrl),
    disableCompression: config.disableCompression,
    userAgent: config.userAgent,
  }));
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = 'redacted';
    return u.toString();
  } catch {
    return REDACTED;
  }
}

function missing(file: string, field: string, problem: string, entry: string): ConfigError {
  return new ConfigError('missingEntry', `kubeconfig ${file}: ${field}: ${problem}`, { context: { file, field, entry } });
}

/**
 * PEM text from `-data` (base64) or from a file, checked to hold what `kind` says (as client-go does when it
 * builds the transport, rather than at the first TLS handshake); `field` is the file field's path (`...client-key`).
 */
function pem(
  entry: KubeconfigEntry<unknown>,
  data: string | undefined,
  file: string | undefined,
  field: string,
  kind: PemKind,
): string | undefined {
  if (data !== undefined) {
    const compact = data.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
      throw new ConfigError('invalidKubeconfig', `kubeconfig ${entry.file}: ${field}-data: not base64`, {
        context: { file: entry.file, field: `${field}-data`, entry: entry.name },
      });
    }
    const text = Buffer.from(compact, 'base64').toString('utf8');
    checkPem(text, kind, { file: entry.file, field: `${field}-data`, entry: entry.name });
    return text;
  }
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code ?? String(e);
    throw new ConfigError('unreadableFile', `kubeconfig ${entry.file}: ${field}: cannot read ${file}: ${code}`, {
      cause: e,
      context: { file: entry.file, field, entry: entry.name, path: file },
    });
  }
  checkPem(text, kind, { file: entry.file, field, entry: entry.name, path: file });
  return text;
}

function authFor(
  user: KubeconfigEntry<KubeconfigUser>,
  uAt: string,
  cluster: KubeconfigCluster,
  tls: TlsConfig,
  server: string,
  options: FromKubeconfigOptions,
  env: NodeJS.ProcessEnv,
): AuthProvider | undefined {
  const u = user.value;
  const scheduler = options.scheduler === undefined ? {} : { scheduler: options.scheduler };
  if (u.token !== undefined) return new StaticTokenAuth(u.token);
  if (u.tokenFile !== undefined) {
    return new TokenFileAuth(u.tokenFile, { ...scheduler, origin: `kubeconfig ${user.file}: ${uAt}.tokenFile` });
  }
  if (u.username !== undefined || u.password !== undefined) return new BasicAuth(u.username ?? '', u.password ?? '');
  if (u.exec !== undefined) {
    const info: ExecClusterInfo = { server };
    if (tls.serverName !== undefined) info['tls-server-name'] = tls.serverName;
    if (cluster.insecureSkipTlsVerify === true) info['insecure-skip-tls-verify'] = true;
    if (tls.ca !== undefined) info['certificate-authority-data'] = Buffer.from(tls.ca, 'utf8').toString('base64');
    if (cluster.proxyUrl !== undefined) info['proxy-url'] = cluster.proxyUrl;
    if (cluster.disableCompression === true) info['disable-compression'] = true;
    if (cluster.execExtension !== undefined) info.config = cluster.execExtension;
    const timeout = options.execTimeoutMs === undefined ? {} : { timeoutMs: options.execTimeoutMs };
    return new ExecAuth(u.exec, { ...scheduler, ...timeout, cluster: info, env, origin: `kubeconfig ${user.file}: ${uAt}.exec` });
  }
  return undefined;
}

function impersonationFor(user: KubeconfigEntry<KubeconfigUser>, uAt: string): Impersonation | undefined {
  const u = user.value;
  if (u.impersonate === undefined) {
    const stray = u.impersonateGroups ?? u.impersonateUserExtra ?? u.impersonateUid;
    if (stray !== undefined) {
      throw new ConfigError(
        'invalidKubeconfig',
        `kubeconfig ${user.file}: ${uAt}.as: as-groups, as-uid or as-user-extra given without as (the user to impersonate)`,
        { context: { file: user.file, field: `${uAt}.as`, entry: user.name } },
      );
    }
    return undefined;
  }
  const imp: Impersonation = { user: u.impersonate };
  if (u.impersonateGroups !== undefined) imp.groups = u.impersonateGroups;
  if (u.impersonateUid !== undefined) imp.uid = u.impersonateUid;
  if (u.impersonateUserExtra !== undefined) imp.extra = u.impersonateUserExtra;
  return imp;
}
