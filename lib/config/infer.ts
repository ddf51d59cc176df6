/**
 * `inferConfig()`: the configuration a program most likely means — the kubeconfig (`KUBECONFIG` or
 * `~/.kube/config`) first, then the in-cluster service account, the order kube-rs uses.
 *
 * @module
 */
import type { ClientConfig } from '../client/config.js';
import { ConfigError } from './config-error.js';
import { configFromKubeconfig, type FromKubeconfigOptions } from './from-kubeconfig.js';
import { inClusterConfig, type InClusterOptions } from './in-cluster.js';

/**
 * Options of {@link inferConfig}: those of both sources.
 *
 * ## Example
 * ```ts
 * await inferConfig({ userAgent: 'my-operator/1.0' });
 * ```
 */
export type InferOptions = Omit<FromKubeconfigOptions, 'kubeconfig' | 'path' | 'context'> &
  Pick<InClusterOptions, 'serviceAccountDir'>;

/**
 * Tries the kubeconfig, then the in-cluster environment. When both fail the {@link ConfigError}
 * (`noConfig`) names both reasons; its `cause` is the kubeconfig's error.
 *
 * ## Example
 * ```ts
 * const client = new Client(await inferConfig());
 * ```
 */
export async function inferConfig(options: InferOptions = {}): Promise<ClientConfig> {
  try {
    return configFromKubeconfig(options);
  } catch (kubeconfigError) {
    try {
      return inClusterConfig(options);
    } catch (inClusterError) {
      const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
      throw new ConfigError(
        'noConfig',
        `no usable configuration: ${message(kubeconfigError)}; and ${message(inClusterError)}`,
        { cause: kubeconfigError, context: { inCluster: message(inClusterError) } },
      );
    }
  }
}
