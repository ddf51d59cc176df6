/**
 * `Config`: the one obvious way to get a `ClientConfig` in Node — `new Client(await Config.infer())`.
 *
 * @module
 */
import { configFromUrl } from '../client/config.js';
import type { ClientConfig } from '../client/config.js';
import { configFromKubeconfig, type FromKubeconfigOptions } from './from-kubeconfig.js';
import { inClusterConfig, type InClusterOptions } from './in-cluster.js';
import { inferConfig, type InferOptions } from './infer.js';

/**
 * Constructors of {@link ClientConfig}. All but `fromUrl` are Node-only; each resolved config
 * carries the shared keep-alive agents for its cluster and credentials in `transport`.
 *
 * ## Example
 * ```ts
 * import { Client } from 'rxkube/client';
 * import { Config } from 'rxkube/config';
 *
 * const client = new Client(await Config.infer());                       // kubeconfig, else in-cluster
 * const dev = new Client(await Config.fromKubeconfig({ context: 'dev' }));
 * const proxied = new Client(Config.fromUrl('http://127.0.0.1:8001'));    // behind `kubectl proxy`
 * ```
 */
export const Config = {
  /** Kubeconfig first, then in-cluster (see {@link inferConfig}). */
  infer: (options?: InferOptions): Promise<ClientConfig> => inferConfig(options),
  /** A kubeconfig context (see {@link configFromKubeconfig}). */
  fromKubeconfig: async (options?: FromKubeconfigOptions): Promise<ClientConfig> => configFromKubeconfig(options),
  /** The pod's service account (see {@link inClusterConfig}). */
  inCluster: async (options?: InClusterOptions): Promise<ClientConfig> => inClusterConfig(options),
  /** A URL and an optional token; browser-safe (see `configFromUrl` in `rxkube/client`). */
  fromUrl: configFromUrl,
} as const;
