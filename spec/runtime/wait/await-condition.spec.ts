import { NEVER, Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ObjectList } from '../../../lib/core/object.js';
import type { WatchEvent } from '../../../lib/core/response.js';
import { awaitCondition$, WaitTimeoutError } from '../../../lib/runtime/wait/await-condition.js';
import { isDeleted } from '../../../lib/runtime/wait/conditions.js';
import { deleteAndFinalize } from '../../../lib/runtime/wait/delete-and-finalize.js';
import type { WatchSource } from '../../../lib/runtime/watcher.js';

interface Obj {
  metadata: { name: string; namespace: string; resourceVersion: string; uid: string; finalizers?: string[] };
}
const obj = (rv: string, uid = 'u1', finalizers?: string[]): Obj => ({ metadata: { name: 'x', namespace: 'ns', resourceVersion: rv, uid, ...(finalizers ? { finalizers } : {}) } });

function source(lists: Observable<ObjectList<Obj>>[], watches: Observable<WatchEvent<Obj>>[]): WatchSource<Obj> {
  return { list$: () => lists.shift() ?? NEVER, watch: () => watches.shift() ?? NEVER };
}

describe('awaitCondition', () => {
  it('emits the first state that satisfies the condition and completes', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    ts.run(({ cold, expectObservable }) => {
      const api = source([cold('-l|', { l: { metadata: { resourceVersion: '1' }, items: [obj('1', 'u1', ['f'])] } })], [cold('--d', { d: { type: 'DELETED', object: obj('2') } })]);
      expectObservable(awaitCondition$(api, 'x', isDeleted('u1'), { scheduler: ts, watcher: { initialListStrategy: 'listWatch' }, timeout: 100 })).toBe('---(u|)', { u: undefined });
    });
  });

  it('errors with a typed WaitTimeoutError naming the object and the condition', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    ts.run(({ cold, expectObservable }) => {
      const api = source([cold('-l|', { l: { metadata: { resourceVersion: '1' }, items: [obj('1')] } })], [cold('-')]);
      expectObservable(awaitCondition$(api, 'x', isDeleted('u1'), { scheduler: ts, watcher: { initialListStrategy: 'listWatch' }, timeout: 50 })).toBe('50ms #', undefined, new WaitTimeoutError('x', 50, 'isDeleted(u1)'));
    });
    const e = new WaitTimeoutError('x', 50, 'isDeleted(u1)');
    expect(e.message).toBe("'x' did not satisfy isDeleted(u1) within 50 ms");
    expect(e.context).toEqual({ name: 'x', timeoutMs: 50, condition: 'isDeleted(u1)' });
  });
});

describe('deleteAndFinalize', () => {
  it('deletes with a uid precondition and resolves once the object is gone', async () => {
    const deletes: unknown[] = [];
    let watched = false;
    const api = {
      ...source(
        [new Observable<ObjectList<Obj>>((s) => { s.next({ metadata: { resourceVersion: '1' }, items: [obj('1', 'u1', ['f'])] }); s.complete(); })],
        [new Observable<WatchEvent<Obj>>((s) => { watched = true; setTimeout(() => s.next({ type: 'DELETED', object: obj('2') }), 20); })],
      ),
      getOpt: async () => obj('1'),
      delete: async (name: string, params?: unknown) => { deletes.push([name, params]); return {}; },
    };
    await deleteAndFinalize(api, 'x', { timeout: 2000, watcher: { initialListStrategy: 'listWatch' } });
    expect(deletes).toEqual([['x', { preconditions: { uid: 'u1' } }]]);
    expect(watched).toBe(true);
  });

  it('does nothing when the object is already absent', async () => {
    const api = { ...source([], []), getOpt: async () => undefined, delete: async () => { throw new Error('must not delete'); } };
    await expect(deleteAndFinalize(api, 'x')).resolves.toBeUndefined();
  });
});
