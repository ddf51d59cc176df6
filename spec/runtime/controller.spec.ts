import { TestScheduler } from 'rxjs/testing';
import { NEVER, Observable, map, of } from 'rxjs';
import { Action, ErrorPolicy, TerminalError } from '../../lib/runtime/action.js';
import { Controller, ControllerError, type ControllerResult } from '../../lib/runtime/controller.js';
import { InMemoryMetrics, METRICS } from '../../lib/runtime/metrics.js';
import { reflector } from '../../lib/runtime/reflector.js';
import { dropManagedFields, store } from '../../lib/runtime/store.js';
import { sharedReflector } from '../../lib/runtime/shared-reflector.js';
import type { WatcherEvent } from '../../lib/runtime/watcher-event.js';
import type { ReconcileInfo } from '../../lib/runtime/reconcile-reason.js';
import type { KubeObject } from '../../lib/core/resource.js';
import type { OwnerReference, PartialObjectMetadata } from '../../lib/core/object.js';
import type { WatchEvent } from '../../lib/core/response.js';

const obj = (name: string, rv = '1'): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name, namespace: 'ns', resourceVersion: rv },
});
/** Marble values `a` (init), `b` (initApply of `object`), `c` (initDone): use with `'(abc)'`. */
const listingOf = (object: KubeObject): Record<string, WatcherEvent<KubeObject>> => ({
  a: { type: 'init' },
  b: { type: 'initApply', object },
  c: { type: 'initDone' },
});

describe('Controller', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  /** A controller over a store fed by `events$`, on the test scheduler. */
  function controllerOf(events$: Observable<WatcherEvent<KubeObject>>, config = {}) {
    const { reader, writer } = store<KubeObject>();
    return Controller.fromReflector(reader, reflector(writer, events$), {
      scheduler: ts,
      resource: { kind: 'Widget', apiVersion: 'example.com/v1' },
      ...config,
    });
  }
  /** Reconcile that logs `name:rv:reason@time` and returns `action`. */
  const logging =
    (log: string[], action: Action | ((o: KubeObject) => Action) = Action.awaitChange()) =>
    (o: KubeObject, _ctx: unknown, info: ReconcileInfo) => {
      log.push(`${o.metadata?.name}:${o.metadata?.resourceVersion}:${info.reason.type}@${ts.now()}`);
      return typeof action === 'function' ? action(o) : action;
    };

  it('reconciles every listed object, then each change, with the latest object from the store', () => {
    ts.run(({ cold, expectObservable }) => {
      const log: string[] = [];
      const events = cold<WatcherEvent<KubeObject>>('(abcd) 4ms e', {
        a: { type: 'init' },
        b: { type: 'initApply', object: obj('a') },
        c: { type: 'initApply', object: obj('b') },
        d: { type: 'initDone' },
        e: { type: 'apply', object: obj('a', '2') },
      });
      const results = controllerOf(events).run(logging(log), ErrorPolicy.backoff(), {});
      expectObservable(results.pipe(map((r) => `${r.type}:${'ref' in r ? r.ref.name : ''}`))).toBe('(xy) 6ms z', {
        x: 'reconciled:a',
        y: 'reconciled:b',
        z: 'reconciled:a',
      });
      ts.flush();
      expect(log).toEqual(['a:1:objectChanged@0', 'b:1:objectChanged@0', 'a:2:objectChanged@10']);
    });
  });

  it('starts nothing before the store is ready', () => {
    ts.run(({ cold }) => {
      const log: string[] = [];
      const events = cold<WatcherEvent<KubeObject>>('a 4ms (bc)', {
        a: { type: 'init' },
        b: { type: 'initApply', object: obj('a') },
        c: { type: 'initDone' },
      });
      // A custom trigger for `a` at 0 is held until the listing is complete at 5.
      const refs = cold('r', { r: { name: 'a', namespace: 'ns' } });
      controllerOf(events).reconcileOn(refs).run(logging(log), ErrorPolicy.backoff(), {}).subscribe();
      ts.flush();
      expect(log).toEqual(['a:1:custom@5']);
    });
  });

  it('requeues after the delay the reconcile asked for', () => {
    ts.run(({ cold }) => {
      const log: string[] = [];
      const events = cold<WatcherEvent<KubeObject>>('(abc)', listingOf(obj('a')));
      const sub = controllerOf(events).run(logging(log, Action.requeue(100)), ErrorPolicy.backoff(), {}).subscribe();
      ts.schedule(() => sub.unsubscribe(), 250);
      ts.flush();
      expect(log).toEqual(['a:1:objectChanged@0', 'a:1:requeue@100', 'a:1:requeue@200']);
    });
  });

  it('backs off per object on errors, doubling from 5 ms, and resets after a success', () => {
    ts.run(({ cold }) => {
      const times: number[] = [];
      const other: number[] = [];
      let calls = 0;
      const events = cold<WatcherEvent<KubeObject>>('(abcd) 94ms e', {
        a: { type: 'init' },
        b: { type: 'initApply', object: obj('bad') },
        c: { type: 'initApply', object: obj('good') },
        d: { type: 'initDone' },
        e: { type: 'apply', object: obj('bad', '2') },
      });
      const reconcile = (o: KubeObject): Action => {
        if (o.metadata?.name === 'good') {
          other.push(ts.now());
          return Action.awaitChange();
        }
        times.push(ts.now());
        calls++;
        if (calls <= 3 || calls === 5) throw new Error(`attempt ${calls} failed`);
        return Action.awaitChange();
      };
      const results: ControllerResult[] = [];
      controllerOf(events).run(reconcile, ErrorPolicy.backoff(), {}).subscribe((r) => results.push(r));
      ts.flush();
      // fails at 0, 5, 15; succeeds at 35; the change at 100 fails once more and retries 5 ms later.
      expect(times).toEqual([0, 5, 15, 35, 100, 105]);
      expect(other).toEqual([0]);
      expect(results.filter((r) => r.type === 'failed').map((r) => r.action)).toEqual([
        Action.requeue(5),
        Action.requeue(10),
        Action.requeue(20),
        Action.requeue(5),
      ]);
    });
  });

  it('does not retry terminal errors', () => {
    ts.run(({ cold }) => {
      const log: string[] = [];
      const events = cold<WatcherEvent<KubeObject>>('(abc)', listingOf(obj('a')));
      const reconcile = (o: KubeObject, c: unknown, info: ReconcileInfo): Action => {
        logging(log)(o, c, info);
        throw new TerminalError('spec is invalid');
      };
      controllerOf(events).run(reconcile, ErrorPolicy.backoff(), {}).subscribe();
      ts.flush();
      expect(log).toEqual(['a:1:objectChanged@0']);
    });
  });

  it('collapses 50 rapid updates into one reconcile with a debounce', () => {
    ts.run(({ cold }) => {
      const log: string[] = [];
      const updates = Array.from({ length: 50 }, (_, i) => `u${i}`);
      const values: Record<string, WatcherEvent<KubeObject>> = { l: { type: 'init' }, d: { type: 'initDone' } };
      updates.forEach((u, i) => (values[u] = { type: 'apply', object: obj('a', String(i + 1)) }));
      const events = new Observable<WatcherEvent<KubeObject>>((sub) => {
        sub.next(values.l!);
        sub.next(values.d!);
        updates.forEach((u, i) => ts.schedule(() => sub.next(values[u]!), 10 + i));
      });
      controllerOf(events, { debounce: 20 }).run(logging(log), ErrorPolicy.backoff(), {}).subscribe();
      ts.flush();
      void cold;
      // last update at 59 → one reconcile at 79 that sees the last version.
      expect(log).toEqual(['a:50:objectChanged@79']);
    });
  });

  it('never runs one object twice at once; changes during a reconcile give one follow-up that sees the latest', () => {
    ts.run(({ cold }) => {
      const log: string[] = [];
      const events = cold<WatcherEvent<KubeObject>>('(abc) 1ms d 1ms e 1ms f', {
        a: { type: 'init' },
        b: { type: 'initApply', object: obj('a') },
        c: { type: 'initDone' },
        d: { type: 'apply', object: obj('a', '2') },
        e: { type: 'apply', object: obj('a', '3') },
        f: { type: 'apply', object: obj('a', '4') },
      });
      const slow = (o: KubeObject, c: unknown, info: ReconcileInfo): Observable<Action> =>
        new Observable<Action>((sub) => {
          logging(log)(o, c, info);
          ts.schedule(() => {
            sub.next(Action.awaitChange());
            sub.complete();
          }, 10);
        });
      controllerOf(events).run(slow, ErrorPolicy.backoff(), {}).subscribe();
      ts.flush();
      expect(log).toEqual(['a:1:objectChanged@0', 'a:4:objectChanged@10']);
    });
  });

  it('skips an object that is gone from the store when it comes due, and counts it', () => {
    ts.run(({ cold }) => {
      const log: string[] = [];
      const metrics = new InMemoryMetrics();
      const events = cold<WatcherEvent<KubeObject>>('(abc)', listingOf(obj('a')));
      const refs = cold('-r', { r: { name: 'missing', namespace: 'ns' } });
      const results: ControllerResult[] = [];
      controllerOf(events, { metrics, name: 'w' })
        .reconcileOn(refs)
        .run(logging(log), ErrorPolicy.backoff(), {})
        .subscribe((r) => results.push(r));
      ts.flush();
      expect(results.map((r) => ('ref' in r ? r.ref.name : r.type))).toEqual(['a']);
      expect(metrics.value(METRICS.reconcileSkippedTotal, { controller: 'w' })).toBe(1);
      expect(metrics.value(METRICS.reconcileTotal, { controller: 'w', result: 'success' })).toBe(1);
      expect(metrics.value(METRICS.workqueueAddsTotal, { name: 'w' })).toBe(2);
    });
  });

  it('reconciles every stored object when reconcileAllOn fires', () => {
    ts.run(({ cold }) => {
      const log: string[] = [];
      const events = cold<WatcherEvent<KubeObject>>('(abcd)', { a: { type: 'init' }, b: { type: 'initApply', object: obj('a') }, c: { type: 'initApply', object: obj('b') }, d: { type: 'initDone' } });
      controllerOf(events).reconcileAllOn(cold('-----t')).run(logging(log), ErrorPolicy.backoff(), {}).subscribe();
      ts.flush();
      expect(log.slice(2)).toEqual(['a:1:reconcileAll@5', 'b:1:reconcileAll@5']);
    });
  });

  it('fails a reconcile that exceeds the timeout and aborts its signal', () => {
    ts.run(({ cold }) => {
      let aborted: unknown;
      const events = cold<WatcherEvent<KubeObject>>('(abc)', listingOf(obj('a')));
      const hanging = (_o: KubeObject, _c: unknown, info: ReconcileInfo) => {
        info.signal.addEventListener('abort', () => (aborted = info.signal.reason));
        return NEVER;
      };
      const results: ControllerResult[] = [];
      const sub = controllerOf(events, { reconcileTimeoutMs: 50 })
        .run(hanging, ErrorPolicy.requeueAfter(1000), {})
        .subscribe((r) => results.push(r));
      ts.schedule(() => sub.unsubscribe(), 60);
      ts.flush();
      expect(results).toHaveLength(1);
      const failed = results[0];
      expect(failed?.type).toBe('failed');
      if (failed?.type === 'failed') {
        expect(failed.error).toBeInstanceOf(ControllerError);
        expect((failed.error as ControllerError).reason).toBe('reconcileTimeout');
      }
      expect(aborted).toBeInstanceOf(ControllerError);
    });
  });

  it('shuts down gracefully: the running reconcile finishes, nothing new starts, then it completes', () => {
    ts.run(({ cold, hot, expectObservable }) => {
      const log: string[] = [];
      const events = cold<WatcherEvent<KubeObject>>('(abcd) 1ms e', {
        a: { type: 'init' },
        b: { type: 'initApply', object: obj('a') },
        c: { type: 'initApply', object: obj('b') },
        d: { type: 'initDone' },
        e: { type: 'apply', object: obj('c') },
      });
      const slow = (o: KubeObject, c: unknown, info: ReconcileInfo) =>
        new Observable<Action>((sub) => {
          logging(log)(o, c, info);
          ts.schedule(() => {
            sub.next(Action.awaitChange());
            sub.complete();
          }, 10);
        });
      const results = controllerOf(events, { concurrency: 1 }).shutdownOn(hot('--s')).run(slow, ErrorPolicy.backoff(), {});
      expectObservable(results.pipe(map((r) => ('ref' in r ? r.ref.name : r.type)))).toBe('10ms (a|)');
      ts.flush();
      expect(log).toEqual(['a:1:objectChanged@0']);
    });
  });

  it('runs only while leading', () => {
    ts.run(({ cold, hot }) => {
      const log: string[] = [];
      const events = cold<WatcherEvent<KubeObject>>('(abc) 9ms d', {
        a: { type: 'init' },
        b: { type: 'initApply', object: obj('a') },
        c: { type: 'initDone' },
        d: { type: 'apply', object: obj('a', '2') },
      });
      const leader$ = hot('f 4ms t 9ms f', { f: false, t: true });
      controllerOf(events).run(logging(log), ErrorPolicy.backoff(), {}, { leader$ }).subscribe();
      ts.flush();
      // leading from 5 to 15: the listing (subscribed at 5) reconciles; the change at 5 + 12 = 17 is not seen.
      expect(log).toEqual(['a:1:objectChanged@5']);
    });
  });

  it('reconciles the owner when an owned object changes', () => {
    ts.run(({ cold }) => {
      const log: string[] = [];
      const events = cold<WatcherEvent<KubeObject>>('(abc)', listingOf(obj('a')));
      const child = (owners: OwnerReference[]): PartialObjectMetadata => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'a-cm', namespace: 'ns', resourceVersion: '5', ownerReferences: owners },
      });
      const owner = { apiVersion: 'example.com/v2', kind: 'Widget', name: 'a', uid: 'u1', controller: true };
      const stranger = { apiVersion: 'other.io/v1', kind: 'Widget', name: 'x', uid: 'u2' };
      const childApi = {
        listMetadata$: () => of({ metadata: { resourceVersion: '5' }, items: [] as PartialObjectMetadata[] }),
        watchMetadata: () =>
          cold<WatchEvent<PartialObjectMetadata>>('-----a', { a: { type: 'MODIFIED', object: child([owner, stranger]) } }),
        resourceType: { kind: 'ConfigMap', apiVersion: 'v1' },
      };
      const results: ControllerResult[] = [];
      const sub = controllerOf(events)
        .owns(childApi, { initialListStrategy: 'listWatch' }, { controllerOnly: true })
        .run(logging(log), ErrorPolicy.backoff(), {})
        .subscribe((r) => results.push(r));
      ts.schedule(() => sub.unsubscribe(), 20);
      ts.flush();
      expect(log).toEqual(['a:1:objectChanged@0', 'a:1:relatedObjectChanged@5']);
      expect(results[1]?.type === 'reconciled' && results[1].reason).toEqual({
        type: 'relatedObjectChanged',
        ref: { kind: 'ConfigMap', apiVersion: 'v1', name: 'a-cm', namespace: 'ns' },
      });
    });
  });

  it('builds its own watch and store with Controller.for, transforming objects before they are stored', () => {
    ts.run(({ cold }) => {
      const seen: Array<KubeObject['metadata']> = [];
      const listed: KubeObject = { ...obj('a'), metadata: { ...obj('a').metadata, managedFields: [{ manager: 'kubectl' }] } };
      const api = {
        list$: () => of({ metadata: { resourceVersion: '7' }, items: [listed] }),
        watch: () => cold<WatchEvent<KubeObject>>('----a', { a: { type: 'ADDED', object: obj('b', '8') } }),
        resourceType: { kind: 'Widget', apiVersion: 'example.com/v1' },
      };
      const controller = Controller.for(api, { initialListStrategy: 'listWatch' }, { scheduler: ts }, { transform: dropManagedFields });
      const sub = controller.run((o: KubeObject) => (seen.push(o.metadata), Action.awaitChange()), ErrorPolicy.backoff(), {}).subscribe();
      ts.schedule(() => sub.unsubscribe(), 10);
      ts.flush();
      expect(seen.map((m) => [m?.name, m?.managedFields])).toEqual([
        ['a', undefined],
        ['b', undefined],
      ]);
      expect(controller.store.size).toBe(2);
    });
  });

  it('reconciles what the mapper of watches() returns for a changed related object', () => {
    ts.run(({ cold }) => {
      const log: string[] = [];
      const events = cold<WatcherEvent<KubeObject>>('(abcd)', { a: { type: 'init' }, b: { type: 'initApply', object: obj('a') }, c: { type: 'initApply', object: obj('b') }, d: { type: 'initDone' } });
      const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'shared', namespace: 'ns', resourceVersion: '3' } };
      const secrets = {
        list$: () => of({ metadata: { resourceVersion: '3' }, items: [] as KubeObject[] }),
        watch: () => cold<WatchEvent<KubeObject>>('---m', { m: { type: 'MODIFIED', object: secret } }),
      };
      const sub = controllerOf(events)
        .watches(secrets, { initialListStrategy: 'listWatch' }, (s) => (s.metadata?.name === 'shared' ? [{ name: 'a', namespace: 'ns' }, { name: 'b', namespace: 'ns' }] : []))
        .run(logging(log), ErrorPolicy.backoff(), {})
        .subscribe();
      ts.schedule(() => sub.unsubscribe(), 10);
      ts.flush();
      expect(log.slice(2)).toEqual(['a:1:relatedObjectChanged@3', 'b:1:relatedObjectChanged@3']);
    });
  });

  it('records controller-runtime metrics for successes, errors and retries', () => {
    ts.run(({ cold }) => {
      const metrics = new InMemoryMetrics();
      let calls = 0;
      const events = cold<WatcherEvent<KubeObject>>('(abc)', listingOf(obj('a')));
      const flaky = (): Action => {
        if (++calls === 1) throw new Error('first attempt fails');
        return Action.requeue(1000);
      };
      const sub = controllerOf(events, { metrics, name: 'w' }).run(flaky, ErrorPolicy.backoff(), {}).subscribe();
      ts.schedule(() => sub.unsubscribe(), 100);
      ts.flush();
      const ctl = { controller: 'w' };
      expect(metrics.value(METRICS.reconcileTotal, { ...ctl, result: 'error' })).toBe(1);
      expect(metrics.value(METRICS.reconcileTotal, { ...ctl, result: 'requeue_after' })).toBe(1);
      expect(metrics.value(METRICS.reconcileErrorsTotal, ctl)).toBe(1);
      expect(metrics.value(METRICS.workqueueRetriesTotal, { name: 'w' })).toBe(1);
      // the listing, the error retry and the requeue after success
      expect(metrics.value(METRICS.workqueueAddsTotal, { name: 'w' })).toBe(3);
      expect(metrics.observed(METRICS.reconcileTimeSeconds, ctl)).toEqual([0, 0]);
      expect(metrics.observed(METRICS.workqueueQueueDurationSeconds, { name: 'w' })).toHaveLength(2);
      expect(metrics.value(METRICS.workqueueDepth, { name: 'w' })).toBe(0);
    });
  });

  it('lets two controllers share one watch and store through a shared reflector', () => {
    ts.run(({ cold }) => {
      let lists = 0;
      let watches = 0;
      const api = {
        list$: () => {
          lists++;
          return of({ metadata: { resourceVersion: '1' }, items: [obj('a')] });
        },
        watch: () => {
          watches++;
          return cold<WatchEvent<KubeObject>>('-----m', { m: { type: 'MODIFIED', object: obj('a', '2') } });
        },
      };
      const shared = sharedReflector(api, { scheduler: ts, initialListStrategy: 'listWatch' });
      const first: string[] = [];
      const second: string[] = [];
      const one = Controller.fromReflector(shared.reader, shared.events$, { scheduler: ts }).run(logging(first), ErrorPolicy.backoff(), {}).subscribe();
      const two = Controller.fromReflector(shared.reader, shared.events$, { scheduler: ts }).run(logging(second), ErrorPolicy.backoff(), {}).subscribe();
      ts.schedule(() => (one.unsubscribe(), two.unsubscribe()), 10);
      ts.flush();
      expect([lists, watches]).toEqual([1, 1]);
      expect(first).toEqual(['a:1:objectChanged@0', 'a:2:objectChanged@5']);
      expect(second).toEqual(first);
    });
  });

  it('needs the primary kind for owns', () => {
    const { reader } = store<KubeObject>();
    const childApi = { listMetadata$: () => NEVER, watchMetadata: () => NEVER };
    expect(() => Controller.fromReflector(reader, NEVER).owns(childApi)).toThrow(ControllerError);
  });
});
