import { Backoff, defaultBackoffPolicy, INITIAL_BACKOFF_STATE, nextBackoff } from '../../lib/runtime/backoff.js';

describe('backoff', () => {
  const policy = defaultBackoffPolicy();
  const mid = (): number => 0.5;

  it('doubles from 800 ms and caps at 30 s', () => {
    const b = new Backoff(policy, mid);
    const delays = Array.from({ length: 8 }, (_, i) => b.next(i * 1000));
    expect(delays).toEqual([800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
  });

  it('jitters within ±jitter of the base delay', () => {
    expect(nextBackoff(policy, INITIAL_BACKOFF_STATE, 0, () => 0).delayMs).toBe(400);
    expect(nextBackoff(policy, INITIAL_BACKOFF_STATE, 0, () => 0.999999).delayMs).toBe(1200);
    const noJitter = { ...policy, jitter: 0 };
    expect(nextBackoff(noJitter, INITIAL_BACKOFF_STATE, 0, () => 0).delayMs).toBe(800);
  });

  it('never exceeds the cap, even with jitter', () => {
    let state = INITIAL_BACKOFF_STATE;
    for (let i = 0; i < 20; i++) {
      const r = nextBackoff(policy, state, i, () => 0.999);
      expect(r.delayMs).toBeLessThanOrEqual(30_000);
      state = r.state;
    }
  });

  it('starts over after 120 s without a failure', () => {
    const b = new Backoff(policy, mid);
    expect(b.next(0)).toBe(800);
    expect(b.next(1_000)).toBe(1600);
    expect(b.next(120_999)).toBe(3200); // 119.999 s after the last failure: still growing
    expect(b.next(240_999)).toBe(800); // 120 s quiet: reset
    expect(b.attempt).toBe(1);
  });

  it('is pure: the same inputs give the same delay', () => {
    const s = { attempt: 3, lastFailureAt: 10 };
    expect(nextBackoff(policy, s, 20, () => 0.25)).toEqual(nextBackoff(policy, s, 20, () => 0.25));
    expect(s).toEqual({ attempt: 3, lastFailureAt: 10 });
  });

  it('reset() forgets the failures', () => {
    const b = new Backoff(policy, mid);
    b.next(0);
    b.next(1);
    b.reset();
    expect(b.next(2)).toBe(800);
  });
});
