// Marble tests of the greeter reconciler inside a real Controller: debounce, requeue and backoff timings are
// checked in virtual time (RxJS TestScheduler), with the outside world played by cold marbles.
import type { ConfigMap } from 'rxkube/core';
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

  /** The controller over a store fed by `events`, on virtual time; results as `ok:name` or `failed:name`. */
  function results(events: ReturnType<TestScheduler['createColdObservable']>, ctx: GreeterContext) {
    const { reader, writer } = store<ConfigMap>();
    return runGreeter(reader, reflector(writer, events as never), ctx, { scheduler: ts }).pipe(
      map((r) => (r.type === 'reconciled' ? `ok:${r.ref.name}` : r.type === 'failed' ? `failed:${r.ref.name}` : r.type)),
    );
  }

  it('debounces a burst of changes into one follow-up reconcile', () => {
    ts.run(({ cold, expectObservable }) => {
      const seen: string[] = [];
      // The initial listing at 0, then three quick updates at 21, 23 and 25 ms (a group '(abc)' spans 5 frames).
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
      // Debounce 10 ms: the listing reconciles at 10 and its PATCH completes at 13; the burst's last change is at
      // 25, so the one follow-up starts at 35 and completes at 38. Three changes, one reconcile.
      expectObservable(results(events, ctx), '^ 100ms !').toBe('13ms a 24ms b', { a: 'ok:web', b: 'ok:web' });
      ts.flush();
      expect(seen).toEqual(['web@10', 'web@35']);
    });
  });

  it('requeues a minute after each successful reconcile', () => {
    ts.run(({ cold, expectObservable }) => {
      const events = cold<WatcherEvent<ConfigMap>>('(abc)', { a: { type: 'init' }, b: { type: 'initApply', object: cm('web', '1') }, c: { type: 'initDone' } });
      const ctx: GreeterContext = { stamp$: () => cold('x|') };
      // Starts after the 10 ms debounce and completes at 11; the requeue asks for 11 + RECHECK_MS, and like every
      // request (as in kube-rs) it passes the debounce too: it starts at 60021 and completes at 60022.
      expectObservable(results(events, ctx), `^ ${RECHECK_MS + 100}ms !`).toBe(`11ms a ${RECHECK_MS + 10}ms b`, { a: 'ok:web', b: 'ok:web' });
    });
  });

  it('backs off exponentially per object while the PATCH fails, then recovers', () => {
    ts.run(({ cold, expectObservable }) => {
      const events = cold<WatcherEvent<ConfigMap>>('(abc)', { a: { type: 'init' }, b: { type: 'initApply', object: cm('web', '1') }, c: { type: 'initDone' } });
      let attempt = 0;
      const ctx: GreeterContext = { stamp$: () => (++attempt <= 3 ? cold('#', undefined, new Error('503')) : cold('x|')) };
      // Fails at 10; the backoff doubles from 5 ms and each retry also passes the 10 ms debounce:
      // 10 + 5 + 10 = 25 (fails), 25 + 10 + 10 = 45 (fails), 45 + 20 + 10 = 75 (the PATCH succeeds at 76).
      expectObservable(results(events, ctx), '^ 200ms !').toBe('10ms a 14ms b 19ms c 30ms d', {
        a: 'failed:web',
        b: 'failed:web',
        c: 'failed:web',
        d: 'ok:web',
      });
    });
  });
});
