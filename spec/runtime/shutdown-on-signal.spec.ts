import { shutdownOnSignal } from '../../lib/runtime/shutdown-on-signal.js';

describe('shutdownOnSignal', () => {
  it('emits each signal received while subscribed and removes its listeners on unsubscribe', () => {
    const before = process.listenerCount('SIGUSR2');
    const seen: string[] = [];
    const sub = shutdownOnSignal(['SIGUSR2']).subscribe((s) => seen.push(s));
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
    process.emit('SIGUSR2', 'SIGUSR2');
    process.emit('SIGUSR2', 'SIGUSR2');
    sub.unsubscribe();
    expect(seen).toEqual(['SIGUSR2', 'SIGUSR2']);
    expect(process.listenerCount('SIGUSR2')).toBe(before);
  });

  it('never emits where there is no process', () => {
    const saved = globalThis.process;
    const seen: string[] = [];
    try {
      Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
      const sub = shutdownOnSignal().subscribe((s) => seen.push(s));
      sub.unsubscribe();
    } finally {
      Object.defineProperty(globalThis, 'process', { value: saved, configurable: true, writable: true });
    }
    expect(seen).toEqual([]);
  });
});
