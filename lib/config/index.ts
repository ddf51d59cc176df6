/**
 * `rxkube/config` (Node only): kubeconfig files, exec credential plugins, token files, in-cluster
 * service accounts, and the shared keep-alive agents. The one obvious entry point is
 * {@link Config}: `new Client(await Config.infer())`.
 *
 * ## Example
 * ```ts
 * import { Client } from 'rxkube/client';
 * import { Config } from 'rxkube/config';
 *
 * const client = new Client(await Config.fromKubeconfig({ context: 'dev' }));
 * ```
 *
 * @module
 */
export * from './config.js';
export * from './config-error.js';
export * from './exec.js';
export * from './from-kubeconfig.js';
export * from './in-cluster.js';
export * from './infer.js';
export * from './kubeconfig.js';
export * from './proxy.js';
export * from './static-auth.js';
export * from './token-file.js';
export * from './transport.js';
export * from './port-forward-server.js';
export * from './web-socket.js';
