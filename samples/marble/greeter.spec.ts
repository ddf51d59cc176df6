// Marble tests of the greeter reconciler inside a real Controller: debounce, requeue and backoff timings are
// checked in virtual time (RxJS TestScheduler), with the outside world played by cold marbles.
import type { ConfigMap } from 'kubernetes-types/core/v1';
import { reflector, store, type WatcherEvent } from 'rxkube/runtime';
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { RECHECK_MS, runGreeter, type GreeterContext } from './greeter';

const cm = (name: string, rv: string): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'demo', resourceVersion: rv } });

describe('greeter reconciler', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  /** The controller over a store fed by `events`, on virtual time; results as `name@rv` or `name!`. */
  function results(events: ReturnType<TestScheduler['createColdObservable']>, ctx: GreeterContext) {
    const { reader, writer } = store<ConfigMap>();
    return runGreeter(reader, reflector(writer, events as never), ctx, { scheduler: ts }).pipe(
      map((r) => (r.type === 'reconciled' ? `ok:${r.ref.name}` : `failed:${r.ref.name}`)),
    );
  }

  it('debounces a burst of changes into one reconcile that sees the last one', () => {
    ts.run(({ cold, expectObservable }) => {
      const seen: string[] = [];
      // The initial listing at 0, then three quick updates at 20, 22 and 24 ms.
      const events = cold<WatcherEvent<ConfigMap>>('(abc) 16ms d 1ms e 1ms f', {
        a: { type: 'init' },
        b: { type: 'initApply', object: cm('web', '1') },
        c: { type: 'initDone' },
        d: { type: 'apply', object: cm('web', '2') },
        e: { type: 'apply', object: cm('web', '3') },
        f: { type: 'apply', object: cm('web', '4') },
      });
      const ctx: GreeterContext = {
        stamp$: (name) => {
          seen.push(`${name}@${ts.now()}`);
          return cold('--x|'); // the PATCH takes 2 ms
        },
      };
      // Debounce 10 ms: the listing reconciles at 10 (done at 12); the burst ends at 24, so the next starts at 34.
      expectObservable(results(events, ctx), '^ 100ms !').toBe('12ms a 23ms b', { a: 'ok:web', b: 'ok:web' });
      ts.flush();
      expect(seen).toEqual(['web@10', 'web@34']);
    });
  });

  it('requeues a minute after each successful reconcile', () => {
    ts.run(({ cold, expectObservable }) => {
      const events = cold<WatcherEvent<ConfigMap>>('(abc)', { a: { type: 'init' }, b: { type: 'initApply', object: cm('web', '1') }, c: { type: 'initDone' } });
      const ctx: GreeterContext = { stamp$: () => cold('x|') };
      // 10 ms debounce, then every RECHECK_MS (the requeue is not debounced again: it asks for a time).
      const t1 = 10 + RECHECK_MS;
      expectObservable(results(events, ctx), `^ ${t1 + 1}ms !`).toBe(`10ms a ${RECHECK_MS - 1}ms b`, { a: 'ok:web', b: 'ok:web' });
    });
  });

  it('backs off exponentially per object while the PATCH fails, then recovers', () => {
    ts.run(({ cold, expectObservable }) => {
      const events = cold<WatcherEvent<ConfigMap>>('(abc)', { a: { type: 'init' }, b: { type: 'initApply', object: cm('web', '1') }, c: { type: 'initDone' } });
      let attempt = 0;
      const ctx: GreeterContext = { stamp$: () => (++attempt <= 3 ? cold('#', undefined, new Error('503')) : cold('x|')) };
      // Fails at 10, retried 5 ms later (15), then 10 ms (25), then 20 ms (45), where it succeeds.
      expectObservable(results(events, ctx), '^ 200ms !').toBe('10ms a 4ms b 9ms c 19ms d', {
        a: 'failed:web',
        b: 'failed:web',
        c: 'failed:web',
        d: 'ok:web',
      });
    });
  });
});
