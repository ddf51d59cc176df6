import { VirtualTimeScheduler } from 'rxjs';
import { TokenBucket } from '../../lib/runtime/token-bucket.js';

describe('TokenBucket', () => {
  it('lets a burst through at once, then spaces reservations at the rate', () => {
    const clock = new VirtualTimeScheduler();
    const bucket = new TokenBucket({ qps: 10, burst: 3 }, clock);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
    expect([bucket.reserve(), bucket.reserve()]).toEqual([100, 200]);
  });

  it('refills with time, up to the burst', () => {
    const clock = new VirtualTimeScheduler();
    const bucket = new TokenBucket({ qps: 10, burst: 2 }, clock);
    bucket.reserve();
    bucket.reserve();
    clock.schedule(() => undefined, 10_000);
    clock.flush();
    // 100 tokens' worth of time, but the bucket holds 2
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 100]);
  });

  it('defaults to controller-runtime’s 10 qps with a burst of 100', () => {
    const bucket = new TokenBucket({}, new VirtualTimeScheduler());
    const waits = Array.from({ length: 102 }, () => bucket.reserve());
    expect(waits.slice(0, 100).every((w) => w === 0)).toBe(true);
    expect(waits.slice(100)).toEqual([100, 200]);
  });

  it('rejects a rate or burst that cannot work', () => {
    expect(() => new TokenBucket({ qps: 0 })).toThrow(RangeError);
    expect(() => new TokenBucket({ burst: 0 })).toThrow(RangeError);
  });
});
