/**
 * Controller metrics through a small sink interface, with controller-runtime's metric names so
 * existing dashboards and alerts work. The runtime depends on no metrics library: the
 * prom-client adapter lives in its own subpath (`rxkube/metrics/prometheus`).
 *
 * @module
 */

/** Label values of one series. */
export type MetricLabels = Readonly<Record<string, string>>;

/**
 * Where the controller reports metrics. Implementations create series on first use.
 *
 * ## Example
 * ```ts
 * const sink: MetricsSink = {
 *   inc: (name, labels, by) => console.log('inc', name, labels, by),
 *   set: (name, labels, value) => console.log('set', name, labels, value),
 *   observe: (name, labels, value) => console.log('observe', name, labels, value),
 * };
 * ```
 */
export interface MetricsSink {
  /** Adds `by` (default 1) to a counter. */
  inc(name: string, labels: MetricLabels, by?: number): void;
  /** Sets a gauge. */
  set(name: string, labels: MetricLabels, value: number): void;
  /** Records one observation of a histogram (seconds for durations). */
  observe(name: string, labels: MetricLabels, value: number): void;
}

/**
 * The metric names the controller records, as controller-runtime and client-go name them.
 * Labels: `controller` on the reconcile metrics, `name` (the controller) on the work-queue
 * metrics, `name` (the lease) on leader election; `result` on `reconcile_total` is one of
 * `success`, `error`, `requeue_after`.
 *
 * ## Example
 * ```ts
 * sink.inc(METRICS.reconcileTotal, { controller: 'widgets', result: 'success' });
 * ```
 */
export const METRICS = Object.freeze({
  reconcileTotal: 'controller_runtime_reconcile_total',
  reconcileTimeSeconds: 'controller_runtime_reconcile_time_seconds',
  reconcileErrorsTotal: 'controller_runtime_reconcile_errors_total',
  /** Objects that came due but were gone from the store (an rxkube addition). */
  reconcileSkippedTotal: 'rxkube_controller_reconcile_skipped_total',
  workqueueDepth: 'workqueue_depth',
  workqueueAddsTotal: 'workqueue_adds_total',
  workqueueQueueDurationSeconds: 'workqueue_queue_duration_seconds',
  workqueueRetriesTotal: 'workqueue_retries_total',
  leaderElectionMasterStatus: 'leader_election_master_status',
  /** Failures of a controller's watches, by `controller`, `watch` (primary, owns, watches) and `reason` (an rxkube addition). */
  watchErrorsTotal: 'rxkube_controller_watch_errors_total',
});

/** Help text of each metric in {@link METRICS}, for adapters. */
export const METRIC_HELP: Readonly<Record<string, string>> = Object.freeze({
  [METRICS.reconcileTotal]: 'Total number of reconciliations per controller',
  [METRICS.reconcileTimeSeconds]: 'Length of time per reconciliation per controller',
  [METRICS.reconcileErrorsTotal]: 'Total number of reconciliation errors per controller',
  [METRICS.reconcileSkippedTotal]: 'Reconciliations skipped because the object was gone from the store',
  [METRICS.workqueueDepth]: 'Current depth of workqueue',
  [METRICS.workqueueAddsTotal]: 'Total number of adds handled by workqueue',
  [METRICS.workqueueQueueDurationSeconds]: 'How long in seconds an item stays in workqueue before being requested',
  [METRICS.workqueueRetriesTotal]: 'Total number of retries handled by workqueue',
  [METRICS.leaderElectionMasterStatus]: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
  [METRICS.watchErrorsTotal]: 'Failures of the watches of a controller (each is retried with a backoff)',
});

/**
 * A sink that records nothing: the default.
 *
 * ## Example
 * ```ts
 * const controller = Controller.for(api, { metrics: noopMetrics });
 * ```
 */
export const noopMetrics: MetricsSink = Object.freeze({
  inc: () => undefined,
  set: () => undefined,
  observe: () => undefined,
});

/**
 * A sink that keeps every series in memory: for tests, health pages and quick debugging.
 * Series are keyed by name and sorted labels, e.g. `workqueue_depth{name="widgets"}`.
 *
 * ## Example
 * ```ts
 * const metrics = new InMemoryMetrics();
 * controller.run(reconcile, ErrorPolicy.backoff(), ctx, { metrics }).subscribe();
 * metrics.value('controller_runtime_reconcile_total', { controller: 'widgets', result: 'success' });
 * ```
 */
export class InMemoryMetrics implements MetricsSink {
  private readonly values = new Map<string, number>();
  private readonly observations = new Map<string, number[]>();

  inc(name: string, labels: MetricLabels, by = 1): void {
    const id = seriesId(name, labels);
    this.values.set(id, (this.values.get(id) ?? 0) + by);
  }

  set(name: string, labels: MetricLabels, value: number): void {
    this.values.set(seriesId(name, labels), value);
  }

  observe(name: string, labels: MetricLabels, value: number): void {
    const id = seriesId(name, labels);
    const list = this.observations.get(id);
    if (list === undefined) this.observations.set(id, [value]);
    else list.push(value);
  }

  /** The value of a counter or gauge (0 when never recorded). */
  value(name: string, labels: MetricLabels): number {
    return this.values.get(seriesId(name, labels)) ?? 0;
  }

  /** Every observation of a histogram, in order. */
  observed(name: string, labels: MetricLabels): readonly number[] {
    return this.observations.get(seriesId(name, labels)) ?? [];
  }

  /** Every counter and gauge series, by series id. */
  snapshot(): ReadonlyMap<string, number> {
    return new Map(this.values);
  }
}

/** The id of one series: `name{a="1",b="2"}` with labels sorted by name. */
export function seriesId(name: string, labels: MetricLabels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
}
