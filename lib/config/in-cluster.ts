/**
 * In-cluster configuration: the API server from `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT`
 * (IPv6 addresses bracketed), the pod's service account token (re-read every 60 s, because
 * projected tokens rotate), its CA bundle and its namespace.
 *
 * @module
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import * as path from 'node:path';
import type { SchedulerLike } from 'rxjs';
import type { ClientConfig } from '../client/config.js';
import { ConfigError } from './config-error.js';
import { redactConfig } from './from-kubeconfig.js';
import { proxyFromEnv } from './proxy.js';
import { TokenFileAuth } from './token-file.js';
import { transportFor } from './transport.js';

/**
 * Where Kubernetes mounts the service account of a pod.
 *
 * ## Example
 * ```ts
 * fs.existsSync(`${SERVICE_ACCOUNT_DIR}/token`); // true inside a pod with a service account
 * ```
 */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Options of {@link inClusterConfig}.
 *
 * ## Example
 * ```ts
 * inClusterConfig({ serviceAccountDir: '/tmp/fake-sa', env: { KUBERNETES_SERVICE_HOST: '::1', KUBERNETES_SERVICE_PORT: '6443' } });
 * ```
 */
export interface InClusterOptions {
  /** Environment with `KUBERNETES_SERVICE_HOST`/`_PORT` and proxies; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Folder holding `token`, `ca.crt` and `namespace`; {@link SERVICE_ACCOUNT_DIR} by default. */
  serviceAccountDir?: string;
  /** Clock for the token refresh. */
  scheduler?: SchedulerLike;
  /** Sent as `User-Agent`. */
  userAgent?: string;
}

/**
 * The in-cluster {@link ClientConfig}. Throws a {@link ConfigError} with reason `notInCluster` when
 * the service environment variables are missing, `unreadableFile` when the token or CA is missing.
 *
 * ## Example
 * ```ts
 * const config = inClusterConfig(); // inside a pod
 * config.server; // 'https://10.96.0.1:443' or 'https://[fd00::1]:443'
 * ```
 */
export function inClusterConfig(options: InClusterOptions = {}): ClientConfig {
  const env = options.env ?? process.env;
  const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (host === undefined || host === '' || port === undefined || port === '') {
    throw new ConfigError(
      'notInCluster',
      'in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set',
      { context: { field: host === undefined || host === '' ? 'KUBERNETES_SERVICE_HOST' : 'KUBERNETES_SERVICE_PORT' } },
    );
  }
  const server = `https://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  try {
    new URL(server);
  } catch (e) {
    throw new ConfigError('notInCluster', `in-cluster config: ${server} (from KUBERNETES_SERVICE_HOST/_PORT) is not a URL`, {
      cause: e,
      context: { field: 'KUBERNETES_SERVICE_HOST' },
    });
  }

  const tokenFile = path.join(dir, 'token');
  const caFile = path.join(dir, 'ca.crt');
  try {
    accessSync(tokenFile, constants.R_OK);
  } catch (e) {
    throw unreadable(tokenFile, e);
  }
  let ca: string;
  try {
    ca = readFileSync(caFile, 'utf8');
  } catch (e) {
    throw unreadable(caFile, e);
  }
  let namespace = 'default';
  try {
    namespace = readFileSync(path.join(dir, 'namespace'), 'utf8').trim() || 'default';
  } catch {
    // No namespace file: the default namespace, as client-go does.
  }

  const config: ClientConfig = {
    server,
    namespace,
    tls: { ca },
    auth: new TokenFileAuth(tokenFile, {
      origin: 'in-cluster config: token',
      ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
    }),
  };
  const proxyUrl = proxyFromEnv(server, env);
  if (proxyUrl !== undefined) config.proxyUrl = proxyUrl;
  if (options.userAgent !== undefined) config.userAgent = options.userAgent;
  config.transport = transportFor({
    server,
    tls: { ca },
    ...(proxyUrl === undefined ? {} : { proxyUrl, proxyOrigin: { field: 'the HTTPS_PROXY/HTTP_PROXY environment variable' } }),
  });
  return redactConfig(config);
}

function unreadable(file: string, e: unknown): ConfigError {
  const code = (e as { code?: string }).code ?? String(e);
  return new ConfigError('unreadableFile', `in-cluster config: cannot read ${file}: ${code}`, {
    cause: e,
    context: { file },
  });
}
