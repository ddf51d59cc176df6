import { WatchHealth } from '../../lib/runtime/watch-health.js';

describe('WatchHealth', () => {
  it('is live until a watch fails, and again once that watch delivers an event', () => {
    const health = new WatchHealth(60_000);
    expect(health.isLive(0)).toBe(true);
    health.failed('primary', 1_000);
    health.progressed('owns');
    expect(health.isLive(1_000)).toBe(false);
    health.progressed('primary');
    expect(health.isLive(1_000)).toBe(true);
  });

  it('keeps a watch failing while failures keep coming, and forgets a lone failure after the window', () => {
    const health = new WatchHealth(60_000);
    health.failed('primary', 0);
    health.failed('primary', 30_000);
    expect(health.isLive(80_000)).toBe(false);
    expect(health.isLive(90_000)).toBe(true);
  });

  it('starts over on reset', () => {
    const health = new WatchHealth();
    health.failed('primary', 0);
    health.reset();
    expect(health.isLive(0)).toBe(true);
  });
});
