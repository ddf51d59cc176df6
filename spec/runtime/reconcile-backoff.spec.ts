import { ReconcileBackoff } from '../../lib/runtime/reconcile-backoff.js';

describe('ReconcileBackoff', () => {
  it('doubles from 5 ms per consecutive failure of one object', () => {
    const backoff = new ReconcileBackoff();
    const delays = [1, 2, 3, 4, 5].map(() => backoff.fail('a').backoffMs);
    expect(delays).toEqual([5, 10, 20, 40, 80]);
    expect(backoff.failures('a')).toBe(5);
  });

  it('caps the delay at 1000 s', () => {
    const backoff = new ReconcileBackoff();
    let last = 0;
    for (let i = 0; i < 40; i++) last = backoff.fail('a').backoffMs;
    expect(last).toBe(1_000_000);
    expect(backoff.delay(10_000)).toBe(1_000_000);
  });

  it('keeps objects independent, so one failing object never delays another', () => {
    const backoff = new ReconcileBackoff();
    for (let i = 0; i < 10; i++) backoff.fail('bad');
    expect(backoff.fail('good')).toEqual({ failures: 1, backoffMs: 5 });
  });

  it('resets an object on forget (success)', () => {
    const backoff = new ReconcileBackoff();
    backoff.fail('a');
    backoff.fail('a');
    backoff.forget('a');
    expect(backoff.size).toBe(0);
    expect(backoff.fail('a').backoffMs).toBe(5);
  });

  it('honours custom base, factor and cap', () => {
    const backoff = new ReconcileBackoff({ baseMs: 100, factor: 3, maxMs: 1000 });
    expect([1, 2, 3, 4].map(() => backoff.fail('a').backoffMs)).toEqual([100, 300, 900, 1000]);
  });
});
