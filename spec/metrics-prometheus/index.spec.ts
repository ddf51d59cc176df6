import { Registry } from 'prom-client';
import { prometheusMetrics } from '../../lib/metrics-prometheus/index.js';
import { METRICS } from '../../lib/runtime/metrics.js';

describe('prometheusMetrics', () => {
  it('exposes counters, gauges and histograms under controller-runtime names', async () => {
    const registry = new Registry();
    const sink = prometheusMetrics({ registry });
    sink.inc(METRICS.reconcileTotal, { controller: 'widgets', result: 'success' });
    sink.inc(METRICS.reconcileTotal, { controller: 'widgets', result: 'success' }, 2);
    sink.inc(METRICS.reconcileTotal, { controller: 'widgets', result: 'error' });
    sink.set(METRICS.workqueueDepth, { name: 'widgets' }, 4);
    sink.observe(METRICS.reconcileTimeSeconds, { controller: 'widgets' }, 0.02);
    const text = await registry.metrics();
    expect(text).toContain('# HELP controller_runtime_reconcile_total Total number of reconciliations per controller');
    expect(text).toContain('# TYPE controller_runtime_reconcile_total counter');
    expect(text).toContain('controller_runtime_reconcile_total{controller="widgets",result="success"} 3');
    expect(text).toContain('controller_runtime_reconcile_total{controller="widgets",result="error"} 1');
    expect(text).toContain('workqueue_depth{name="widgets"} 4');
    expect(text).toContain('controller_runtime_reconcile_time_seconds_bucket{le="0.025",controller="widgets"} 1');
    expect(text).toContain('controller_runtime_reconcile_time_seconds_bucket{le="0.01",controller="widgets"} 0');
    expect(text).toContain('controller_runtime_reconcile_time_seconds_count{controller="widgets"} 1');
  });

  it('reuses metrics already in the registry', async () => {
    const registry = new Registry();
    prometheusMetrics({ registry }).inc(METRICS.workqueueAddsTotal, { name: 'a' });
    prometheusMetrics({ registry }).inc(METRICS.workqueueAddsTotal, { name: 'a' });
    expect(await registry.metrics()).toContain('workqueue_adds_total{name="a"} 2');
  });
});
