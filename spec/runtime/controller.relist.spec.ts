// A relisting (after 410 Gone) hands its objects to the store in a buffer that is swapped in on
// initDone. A reconcile triggered by an initApply item must not start before that swap: it would read
// the store's older copy, reconcile that, and the relisted (newer) state would never be reconciled.
// Found by the soak (bench/soak.ts: one final state never reconciled after API server restarts).
import { TestScheduler } from 'rxjs/testing';
import { NEVER, type Observable } from 'rxjs';
import { Action, ErrorPolicy } from '../../lib/runtime/action.js';
import { Controller } from '../../lib/runtime/controller.js';
import type { KubeObject } from '../../lib/core/resource.js';
import type { ObjectList } from '../../lib/core/object.js';
import type { WatchEvent } from '../../lib/core/response.js';

const widget = (name: string, rv: string): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'ns', resourceVersion: rv } });
const gone: WatchEvent<KubeObject> = { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } };

describe('Controller across a relisting', () => {
  it('reconciles the relisted state of an object, not the copy the store held before the swap', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    const log: string[] = [];
    ts.run(({ cold }) => {
      // First listing: a@1. The watch then says 410; the relisting comes in two pages, 5 ms apart:
      // page 1 holds a@5 (changed while the watch was down), page 2 holds b@6.
      const lists: Array<Observable<ObjectList<KubeObject>>> = [
        cold('a|', { a: { metadata: { resourceVersion: '1' }, items: [widget('a', '1')] } }),
        cold('a|', { a: { metadata: { resourceVersion: '5', continue: 'page-2' }, items: [widget('a', '5')] } }),
        cold('-----a|', { a: { metadata: { resourceVersion: '6' }, items: [widget('b', '6')] } }),
      ];
      const watches: Array<Observable<WatchEvent<KubeObject>>> = [cold('--e', { e: gone })];
      const api = {
        list$: () => lists.shift() ?? NEVER,
        watch: () => watches.shift() ?? NEVER,
        resourceType: { kind: 'Widget', apiVersion: 'example.com/v1', scope: 'Namespaced' as const },
      };
      const controller = Controller.for(api, { scheduler: ts, watcher: { initialListStrategy: 'listWatch', backoff: { initialMs: 10, maxMs: 10, jitter: 0 } } });
      const sub = controller
        .run((o: KubeObject) => {
          log.push(`${o.metadata?.name}@${o.metadata?.resourceVersion}`);
          return Action.awaitChange();
        }, ErrorPolicy.backoff(), {})
        .subscribe();
      ts.schedule(() => sub.unsubscribe(), 1000);
    });
    // a@1 at the start; after the relisting a@5 and b@6. Before the fix: a@1 again (read before the swap), never a@5.
    expect(log).toContain('a@5');
    expect(log).toContain('b@6');
    expect(log.filter((l) => l === 'a@1')).toHaveLength(1);
  });
});
