import { InMemoryMetrics, METRICS, noopMetrics, seriesId } from '../../lib/runtime/metrics.js';

describe('metrics', () => {
  it('names series with sorted labels', () => {
    expect(seriesId(METRICS.reconcileTotal, { result: 'success', controller: 'w' })).toBe(
      'controller_runtime_reconcile_total{controller="w",result="success"}',
    );
    expect(seriesId('x', {})).toBe('x');
  });

  it('keeps counters, gauges and histograms in memory', () => {
    const m = new InMemoryMetrics();
    m.inc(METRICS.workqueueAddsTotal, { name: 'w' });
    m.inc(METRICS.workqueueAddsTotal, { name: 'w' }, 2);
    m.set(METRICS.workqueueDepth, { name: 'w' }, 7);
    m.set(METRICS.workqueueDepth, { name: 'w' }, 3);
    m.observe(METRICS.reconcileTimeSeconds, { controller: 'w' }, 0.5);
    m.observe(METRICS.reconcileTimeSeconds, { controller: 'w' }, 1.5);
    expect(m.value(METRICS.workqueueAddsTotal, { name: 'w' })).toBe(3);
    expect(m.value(METRICS.workqueueDepth, { name: 'w' })).toBe(3);
    expect(m.value(METRICS.workqueueDepth, { name: 'other' })).toBe(0);
    expect(m.observed(METRICS.reconcileTimeSeconds, { controller: 'w' })).toEqual([0.5, 1.5]);
    expect(m.snapshot().size).toBe(2);
  });

  it('has a no-op sink', () => {
    expect(() => noopMetrics.inc('x', {})).not.toThrow();
  });
});
