/**
 * Names of the webhook server's metrics, reported through the runtime's `MetricsSink` (so the prom-client
 * adapter `rxkube/metrics/prometheus` serves them). The first three are controller-runtime's names, so its
 * dashboards work; `webhook` is the route path, `code` the HTTP status.
 *
 * @module
 */

/**
 * Metric names. Labels: `webhook` (route path) on all; `code` on `requestsTotal`; `result` (`allowed`,
 * `denied`, `patched`, `converted`, `failed`) on `reviewsTotal`.
 *
 * ## Example
 * ```ts
 * metrics.value(WEBHOOK_METRICS.requestsTotal, { webhook: '/validate', code: '200' });
 * ```
 */
export const WEBHOOK_METRICS = Object.freeze({
  requestsTotal: 'controller_runtime_webhook_requests_total',
  latencySeconds: 'controller_runtime_webhook_latency_seconds',
  inFlight: 'controller_runtime_webhook_requests_in_flight',
  /** Outcome of each answered review, including rejections (`denied`). */
  reviewsTotal: 'rxkube_webhook_reviews_total',
});
