import { NEVER, Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ObjectList, PartialObjectMetadata } from '../../lib/core/object.js';
import type { ListParams, WatchParams } from '../../lib/core/params.js';
import type { WatchEvent } from '../../lib/core/response.js';
import { metadataWatcher, type MetadataWatchSource } from '../../lib/runtime/metadata-watcher.js';
import { watchObject } from '../../lib/runtime/watch-object.js';
import type { WatchSource } from '../../lib/runtime/watcher.js';

interface Cm {
  metadata: { name: string; namespace: string; resourceVersion: string; uid?: string };
  data?: Record<string, string>;
}
const cm = (name: string, rv: string, v = '1'): Cm => ({ metadata: { name, namespace: 'ns', resourceVersion: rv }, data: { v } });

function api(lists: Observable<ObjectList<Cm>>[], watches: Observable<WatchEvent<Cm>>[], params: (ListParams | WatchParams)[] = []): WatchSource<Cm> {
  return {
    list$: (p) => (params.push(p), lists.shift() ?? NEVER),
    watch: (p) => (params.push(p), watches.shift() ?? NEVER),
  };
}

describe('watchObject', () => {
  it('says absent once when the object is deleted during a streaming list, before its end bookmark', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    ts.run(({ cold, expectObservable }) => {
      const end = { type: 'BOOKMARK' as const, object: { metadata: { name: '', namespace: '', resourceVersion: '9', annotations: { 'k8s.io/initial-events-end': 'true' } } } as unknown as Cm };
      const source = api([], [cold('-a-d-e', { a: { type: 'ADDED', object: cm('web', '5') }, d: { type: 'DELETED', object: cm('web', '7') }, e: end })]);
      const data = (o: Cm | undefined): string => o?.data?.v ?? 'absent';
      const out = new Observable<string>((s) => watchObject(source, 'web', { scheduler: ts, initialListStrategy: 'streamingList' }).subscribe((o) => s.next(data(o))));
      // Before the fix: 'absent' at the delete, then the deleted object again at the end of the listing.
      expectObservable(out, '^ 10ms !').toBe('-----a', { a: 'absent' });
    });
  });

  it('emits the object, its changes, and undefined when it is deleted', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    const params: (ListParams | WatchParams)[] = [];
    ts.run(({ cold, expectObservable }) => {
      const source = api(
        [cold('-l|', { l: { metadata: { resourceVersion: '5' }, items: [cm('web', '4')] } })],
        [cold('-m-d', { m: { type: 'MODIFIED', object: cm('web', '6', '2') }, d: { type: 'DELETED', object: cm('web', '7', '2') } })],
        params,
      );
      const data = (o: Cm | undefined): string => o?.data?.v ?? 'absent';
      const out = new Observable<string>((s) => watchObject(source, 'web', { scheduler: ts, initialListStrategy: 'listWatch' }).subscribe((o) => s.next(data(o))));
      expectObservable(out, '^ 10ms !').toBe('-ab-c', { a: '1', b: '2', c: 'absent' });
    });
    expect(params[0]).toMatchObject({ fieldSelector: 'metadata.name=web' });
    expect(params[1]).toMatchObject({ fieldSelector: 'metadata.name=web', resourceVersion: '5' });
  });

  it('emits undefined when the object does not exist', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    ts.run(({ cold, expectObservable }) => {
      const source = api([cold('-l|', { l: { metadata: { resourceVersion: '5' }, items: [] } })], []);
      expectObservable(watchObject(source, 'web', { scheduler: ts, initialListStrategy: 'listWatch' }), '^ 10ms !').toBe('-u', { u: undefined });
    });
  });
});

describe('metadataWatcher', () => {
  it('lists and watches through listMetadata$ and watchMetadata', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    const used: string[] = [];
    ts.run(({ cold, expectObservable }) => {
      const meta = { metadata: { name: 'a', namespace: 'ns', resourceVersion: '3' } };
      const source: MetadataWatchSource = {
        listMetadata$: () => (used.push('listMetadata$'), cold<ObjectList<PartialObjectMetadata>>('-l|', { l: { metadata: { resourceVersion: '3' }, items: [meta] } })),
        watchMetadata: () => (used.push('watchMetadata'), cold<WatchEvent<PartialObjectMetadata>>('-')),
      };
      expectObservable(metadataWatcher(source, { scheduler: ts, initialListStrategy: 'listWatch' }), '^ 5ms !').toBe('-(abc)', {
        a: { type: 'init' },
        b: { type: 'initApply', object: meta },
        c: { type: 'initDone' },
      });
    });
    expect(used).toEqual(['listMetadata$', 'watchMetadata']);
  });
});
