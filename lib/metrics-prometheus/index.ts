/**
 * `rxkube/metrics/prometheus`: a {@link MetricsSink} backed by prom-client, so a controller's
 * metrics appear on a Prometheus `/metrics` endpoint under controller-runtime's names. prom-client
 * is an optional peer dependency: only users of this subpath need it.
 *
 * @module
 */
import { Counter, Gauge, Histogram, register as defaultRegistry, type Registry } from 'prom-client';
import { METRIC_HELP, METRICS, type MetricLabels, type MetricsSink } from '../runtime/metrics.js';

/** Settings of {@link prometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** Registry to create the metrics in. @default prom-client's global registry */
  registry?: Registry;
  /** Histogram buckets (in seconds) per metric name, overriding the defaults. */
  buckets?: Readonly<Record<string, readonly number[]>>;
}

// controller-runtime's buckets for reconcile time.
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2,
  2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
// client-go's work-queue buckets: 10 ns × 10^i, i = 0..11.
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * Math.pow(10, i));

const DEFAULT_BUCKETS: Readonly<Record<string, readonly number[]>> = {
  [METRICS.reconcileTimeSeconds]: RECONCILE_BUCKETS,
  [METRICS.workqueueQueueDurationSeconds]: QUEUE_BUCKETS,
};

type Metric = Counter<string> | Gauge<string> | Histogram<string>;

/**
 * A {@link MetricsSink} that creates prom-client counters, gauges and histograms on first use
 * (label names taken from the first labels seen), reusing metrics already in the registry.
 *
 * ## Example
 * ```ts
 * import { Registry } from 'prom-client';
 * import { prometheusMetrics } from 'rxkube/metrics/prometheus';
 * const registry = new Registry();
 * Controller.for(api, { metrics: prometheusMetrics({ registry }) }).run(reconcile, ErrorPolicy.backoff(), ctx).subscribe();
 * // serve `await registry.metrics()` on /metrics
 * ```
 */
export function prometheusMetrics(options: PrometheusMetricsOptions = {}): MetricsSink {
  const registry = options.registry ?? defaultRegistry;
  const buckets = { ...DEFAULT_BUCKETS, ...options.buckets };
  const help = (name: string): string => METRIC_HELP[name] ?? name;

  function metric<M extends Metric>(name: string, labels: MetricLabels, create: (config: { name: string; help: string; labelNames: string[]; registers: Registry[] }) => M): M {
    const existing = registry.getSingleMetric(name);
    if (existing !== undefined) return existing as M;
    return create({ name, help: help(name), labelNames: Object.keys(labels).sort(), registers: [registry] });
  }

  return {
    inc(name, labels, by = 1) {
      metric(name, labels, (c) => new Counter(c)).inc({ ...labels }, by);
    },
    set(name, labels, value) {
      metric(name, labels, (c) => new Gauge(c)).set({ ...labels }, value);
    },
    observe(name, labels, value) {
      const b = buckets[name];
      metric(name, labels, (c) => new Histogram(b ? { ...c, buckets: [...b] } : c)).observe({ ...labels }, value);
    },
  };
}
