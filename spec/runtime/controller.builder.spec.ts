// The controller's builder: Controller.for's options object, the predicate option, owns() with a
// cluster-scoped owner, watch failures as results and the liveness signal, and a store that does not
// claim to be fresh after its watch stopped.
import { TestScheduler } from 'rxjs/testing';
import { NEVER, Observable, of, throwError } from 'rxjs';
import { ApiError } from '../../lib/client/errors.js';
import { Action, ErrorPolicy } from '../../lib/runtime/action.js';
import { Controller, type ControllerResult } from '../../lib/runtime/controller.js';
import { InMemoryMetrics, METRICS } from '../../lib/runtime/metrics.js';
import { Predicates } from '../../lib/runtime/predicates.js';
import { reflector } from '../../lib/runtime/reflector.js';
import { dropManagedFields, store } from '../../lib/runtime/store.js';
import type { ReconcileInfo } from '../../lib/runtime/reconcile-reason.js';
import type { WatcherEvent } from '../../lib/runtime/watcher-event.js';
import { isWatcherError } from '../../lib/runtime/watcher-error.js';
import type { KubeObject } from '../../lib/core/resource.js';
import type { ObjectList, PartialObjectMetadata } from '../../lib/core/object.js';
import type { WatchEvent } from '../../lib/core/response.js';

const widget = (name: string, rv: string, generation = 1, namespace: string | null = 'ns'): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name, ...(namespace ? { namespace } : {}), resourceVersion: rv, generation },
});
const forbidden = (): ApiError =>
  new ApiError({ verb: 'list', method: 'GET', path: '/apis/example.com/v1/widgets' }, 403, { code: 403, reason: 'Forbidden', message: 'widgets is forbidden' });

describe('Controller (builder)', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  const logging = (log: string[]) => (o: KubeObject, _ctx: unknown, info: ReconcileInfo) => {
    log.push(`${o.metadata?.name}:${o.metadata?.resourceVersion}:${info.reason.type}@${ts.now()}`);
    return Action.awaitChange();
  };

  /** An Api-like source: lists `items`, then watches `watch`. */
  const source = (items: KubeObject[], watch: () => Observable<WatchEvent<KubeObject>>, scope: 'Namespaced' | 'Cluster' = 'Namespaced') => ({
    list$: () => of<ObjectList<KubeObject>>({ metadata: { resourceVersion: '1' }, items }),
    watch,
    resourceType: { kind: 'Widget', apiVersion: 'example.com/v1', scope },
  });

  it('takes one options object: watch selectors, store options, settings', () => {
    ts.run(({ cold }) => {
      const seen: Array<KubeObject['metadata']> = [];
      let selector: string | undefined;
      const listed: KubeObject = { ...widget('a', '1'), metadata: { ...widget('a', '1').metadata, managedFields: [{ manager: 'kubectl' }] } };
      const api = {
        ...source([listed], () => cold<WatchEvent<KubeObject>>('----a', { a: { type: 'ADDED', object: widget('b', '8') } })),
        list$: (p: { labelSelector?: string }) => ((selector = p.labelSelector), of({ metadata: { resourceVersion: '7' }, items: [listed] })),
      };
      const controller = Controller.for(api, { scheduler: ts, name: 'w', watcher: { labelSelector: 'app=web', initialListStrategy: 'listWatch' }, store: { transform: dropManagedFields } });
      const sub = controller.run((o: KubeObject) => (seen.push(o.metadata), Action.awaitChange()), ErrorPolicy.backoff(), {}).subscribe();
      ts.schedule(() => sub.unsubscribe(), 10);
      ts.flush();
      expect(selector).toBe('app=web');
      expect(seen.map((m) => [m?.name, m?.managedFields])).toEqual([
        ['a', undefined],
        ['b', undefined],
      ]);
    });
  });

  it('still takes the old forms: a watcher config alone, or positional options', () => {
    const selectors: Array<string | undefined> = [];
    const api = {
      ...source([], () => NEVER),
      list$: (p: { labelSelector?: string }) => (selectors.push(p.labelSelector), of<ObjectList<KubeObject>>({ metadata: { resourceVersion: '1' }, items: [] })),
    };
    ts.run(() => {
      const subs = [
        Controller.for(api, { labelSelector: 'old=two', scheduler: ts, initialListStrategy: 'listWatch' }),
        Controller.for(api, { labelSelector: 'old=three', initialListStrategy: 'listWatch' }, { scheduler: ts }),
        Controller.for(api, { watcher: { labelSelector: 'new', initialListStrategy: 'listWatch' }, scheduler: ts }),
      ].map((c) => c.run(() => Action.awaitChange(), ErrorPolicy.backoff(), {}).subscribe());
      ts.schedule(() => subs.forEach((s) => s.unsubscribe()), 5);
      ts.flush();
    });
    expect(selectors).toEqual(['old=two', 'old=three', 'new']);
  });

  it('skips status-only updates with the generation predicate, while the store still sees them', () => {
    ts.run(({ cold }) => {
      const log: string[] = [];
      const api = source([widget('a', '1', 1)], () =>
        cold<WatchEvent<KubeObject>>('--a--b--c', {
          a: { type: 'MODIFIED', object: widget('a', '2', 1) }, // status only
          b: { type: 'MODIFIED', object: widget('a', '3', 2) }, // spec changed
          c: { type: 'MODIFIED', object: widget('a', '4', 2) }, // status only
        }),
      );
      const controller = Controller.for(api, { scheduler: ts, predicate: Predicates.generation, watcher: { initialListStrategy: 'listWatch' } });
      const sub = controller.run(logging(log), ErrorPolicy.backoff(), {}).subscribe();
      ts.schedule(() => {
        expect(controller.store.get({ name: 'a', namespace: 'ns' })?.metadata?.resourceVersion).toBe('4');
        sub.unsubscribe();
      }, 20);
      ts.flush();
      expect(log).toEqual(['a:1:objectChanged@0', 'a:3:objectChanged@5']);
    });
  });

  it('reconciles a cluster-scoped owner when its namespaced child changes', () => {
    ts.run(({ cold }) => {
      const log: string[] = [];
      const api = source([widget('big', '1', 1, null)], () => NEVER, 'Cluster');
      const child: PartialObjectMetadata = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'big-cm',
          namespace: 'team-a',
          resourceVersion: '5',
          ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'big', uid: 'u1', controller: true }],
        },
      };
      const childApi = {
        listMetadata$: () => of({ metadata: { resourceVersion: '5' }, items: [] as PartialObjectMetadata[] }),
        watchMetadata: () => cold<WatchEvent<PartialObjectMetadata>>('-----a', { a: { type: 'MODIFIED', object: child } }),
        resourceType: { kind: 'ConfigMap', apiVersion: 'v1' },
      };
      const sub = Controller.for(api, { scheduler: ts, watcher: { initialListStrategy: 'listWatch' } }).owns(childApi, { initialListStrategy: 'listWatch' }).run(logging(log), ErrorPolicy.backoff(), {}).subscribe();
      ts.schedule(() => sub.unsubscribe(), 20);
      ts.flush();
      expect(log).toEqual(['big:1:objectChanged@0', 'big:1:relatedObjectChanged@5']);
    });
  });

  it('puts a 403 on the primary LIST into run() as a watchError, counts it, and is not live until the watch works', () => {
    ts.run(() => {
      const metrics = new InMemoryMetrics();
      let fail = true;
      const api = {
        ...source([widget('a', '1')], () => NEVER),
        list$: () => (fail ? throwError(forbidden) : of<ObjectList<KubeObject>>({ metadata: { resourceVersion: '1' }, items: [widget('a', '1')] })),
      };
      const results: ControllerResult[] = [];
      const live: boolean[] = [];
      const controller = Controller.for(api, { scheduler: ts, name: 'w', metrics, watcher: { random: () => 0.5, initialListStrategy: 'listWatch' } });
      const sub = controller.run(logging([]), ErrorPolicy.backoff(), {}).subscribe((r) => results.push(r));
      ts.schedule(() => live.push(controller.isLive()), 100);
      ts.schedule(() => (fail = false), 1_000);
      ts.schedule(() => live.push(controller.isLive()), 5_000);
      ts.schedule(() => sub.unsubscribe(), 6_000);
      ts.flush();
      const errors = results.filter((r) => r.type === 'watchError');
      expect(errors.length).toBeGreaterThanOrEqual(2);
      const first = errors[0]!;
      expect(first).toMatchObject({ type: 'watchError', watch: 'primary', resource: { kind: 'Widget', apiVersion: 'example.com/v1' } });
      expect(first.type === 'watchError' && isWatcherError(first.error) && first.error.reason).toBe('initialListFailed');
      expect(metrics.value(METRICS.watchErrorsTotal, { controller: 'w', watch: 'primary', reason: 'initialListFailed' })).toBe(errors.length);
      expect(results.filter((r) => r.type === 'reconciled')).toHaveLength(1);
      expect(live).toEqual([false, true]);
    });
  });

  it('reports failures of owned and watched kinds too', () => {
    ts.run(({ cold }) => {
      const api = source([widget('a', '1')], () => NEVER);
      const childApi = {
        listMetadata$: () => throwError(forbidden),
        watchMetadata: () => NEVER,
        resourceType: { kind: 'ConfigMap', apiVersion: 'v1' },
      };
      const other = { list$: () => throwError(forbidden), watch: () => cold<WatchEvent<KubeObject>>(''), resourceType: { kind: 'Gadget', apiVersion: 'example.com/v1' } };
      const results: ControllerResult[] = [];
      const sub = Controller.for(api, { scheduler: ts, watcher: { random: () => 0.5, initialListStrategy: 'listWatch' } })
        .owns(childApi, { random: () => 0.5, initialListStrategy: 'listWatch' })
        .watches(other, { random: () => 0.5, initialListStrategy: 'listWatch' }, () => [])
        .run(logging([]), ErrorPolicy.backoff(), {})
        .subscribe((r) => results.push(r));
      ts.schedule(() => sub.unsubscribe(), 10);
      ts.flush();
      expect(results.filter((r) => r.type === 'watchError').map((r) => r.type === 'watchError' && `${r.watch}:${r.resource?.kind}`)).toEqual(['owns:ConfigMap', 'watches:Gadget']);
    });
  });

  it('does not reconcile from a stale store when leadership returns: it waits for the new listing', () => {
    ts.run(({ hot }) => {
      const log: string[] = [];
      let listing = 0;
      // The first term lists rv 1; the second term's listing (rv 2) takes 5 ms to arrive.
      const events$ = new Observable<WatcherEvent<KubeObject>>((sub) => {
        listing += 1;
        const rv = String(listing);
        const list = (): void => {
          sub.next({ type: 'init' });
          sub.next({ type: 'initApply', object: widget('a', rv) });
          sub.next({ type: 'initDone' });
        };
        if (listing === 1) list();
        else return ts.schedule(list, 5);
        return undefined;
      });
      const { reader, writer } = store<KubeObject>();
      const leader$ = hot('t 9ms f 9ms t', { t: true, f: false });
      // a custom trigger for `a` right when leadership returns
      const refs = hot('20ms r', { r: { name: 'a', namespace: 'ns' } });
      Controller.fromReflector(reader, reflector(writer, events$), { scheduler: ts, resource: { kind: 'Widget', apiVersion: 'example.com/v1' } })
        .reconcileOn(refs)
        .run(logging(log), ErrorPolicy.backoff(), {}, { leader$ })
        .subscribe();
      ts.schedule(() => expect(reader.isReady()).toBe(false), 15);
      ts.flush();
      // not `a:1:custom@20`: the store of the first term is not taken for fresh
      expect(log).toEqual(['a:1:objectChanged@0', 'a:2:custom@25']);
    });
  });
});
