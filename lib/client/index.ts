/**
 * `rxkube/client`: the HTTP client (axios), its interceptor pipeline, typed `Api<K>` handles,
 * discovery and the client errors. Browser-safe: no Node built-ins.
 *
 * @module
 */
export * from './client.js';
export * from './config.js';
export * from './environment.js';
export * from './errors.js';
export * from './interceptor.js';
export * from './interceptors/auth.js';
export * from './interceptors/impersonation.js';
export * from './interceptors/retry.js';
export * from './interceptors/timeout.js';
export * from './interceptors/user-agent.js';
export * from './line-decoder.js';
export * from './line-too-long-error.js';
export * from './transport.js';
export * from './version.js';
export * from './web-socket.js';
export * from './byte-stream.js';
export * from './exec-session.js';
export * from './pod-streams.js';
export * from './port-forward.js';
export * from './api.js';
export * from './entry.js';
export * from './discovery.js';
