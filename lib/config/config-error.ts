/**
 * `ConfigError`: every failure of `rxkube/config` — an unreadable or malformed kubeconfig, a missing
 * context, user or cluster, a failing exec plugin, a process that is not running in a cluster.
 * Messages name the file, the field and the entry; they never contain a token, key or password.
 *
 * @module
 */
import { ERROR_BRAND, KubeError, type KubeErrorOptions } from '../core/errors.js';

/**
 * Why a configuration could not be built.
 *
 * ## Example
 * ```ts
 * if (isConfigError(e) && e.reason === 'notInCluster') return configFromKubeconfig();
 * ```
 *
 * - `invalidKubeconfig`: the YAML is malformed or a field has the wrong shape.
 * - `missingEntry`: a context, cluster or user that is referred to does not exist, or a required field is empty.
 * - `unreadableFile`: a file named by the configuration (certificate, key, token file, CA) cannot be read.
 * - `execFailed`: an exec credential plugin could not be started, failed, or printed something unusable.
 * - `execTimeout`: an exec credential plugin did not finish in time (it was killed).
 * - `notInCluster`: `KUBERNETES_SERVICE_HOST`/`_PORT` or the service account files are missing.
 * - `noConfig`: neither a kubeconfig nor an in-cluster environment was found.
 * - `unsupported`: the configuration asks for something rxkube does not do (legacy `auth-provider`, a proxy scheme other than http, https, socks5 and socks5h, ...).
 */
export type ConfigErrorReason =
  | 'invalidKubeconfig'
  | 'missingEntry'
  | 'unreadableFile'
  | 'execFailed'
  | 'execTimeout'
  | 'notInCluster'
  | 'noConfig'
  | 'unsupported';

/**
 * Raised by `rxkube/config` when a configuration cannot be loaded. `context` carries `file`, `field`
 * and `entry` when they are known.
 *
 * ## Example
 * ```ts
 * try {
 *   await Config.fromKubeconfig({ context: 'missing' });
 * } catch (e) {
 *   if (e instanceof ConfigError && e.reason === 'missingEntry') console.error(e.message);
 *   // kubeconfig /home/me/.kube/config: contexts: no context named "missing"
 * }
 * ```
 */
export class ConfigError extends KubeError {
  static override readonly [ERROR_BRAND]: string = 'rxkube.ConfigError';
  override readonly name: string = 'ConfigError';
  constructor(
    readonly reason: ConfigErrorReason,
    message: string,
    options: KubeErrorOptions = {},
  ) {
    super(message, options);
  }
}

/**
 * Type guard for {@link ConfigError}.
 *
 * ## Example
 * ```ts
 * if (isConfigError(e) && e.reason === 'execFailed') console.error(e.context.exitCode);
 * ```
 */
export function isConfigError(e: unknown): e is ConfigError {
  return e instanceof ConfigError;
}
