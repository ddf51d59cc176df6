/**
 * `rxkube/webhook` (Node only): the HTTPS server for admission and conversion webhooks — routes typed by
 * descriptors, certificate files re-read while serving, a body size limit, deadlines below the API
 * server's, handler failures answered with a 500 Status so failurePolicy decides, structured logs without
 * secrets, metrics through the runtime's `MetricsSink` — a plain request handler for express, NestJS or
 * fastify, and development certificates made with openssl. The types and response builders are the
 * browser-safe `rxkube/admission`.
 *
 * @module
 */
export * from './dev-certificates.js';
export * from './webhook-error.js';
export * from './webhook-handler.js';
export * from './webhook-log.js';
export * from './webhook-metrics.js';
export * from './webhook-route.js';
export * from './webhook-server.js';
