/**
 * Finding out whether the server filters by shard selector, and the watcher sending the selector
 * on every LIST and WATCH it makes.
 */
import { NEVER, firstValueFrom, of, throwError, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ObjectList } from '../../lib/core/object.js';
import type { ListParams, WatchParams } from '../../lib/core/params.js';
import { ShardSelector } from '../../lib/core/shard-selector.js';
import type { WatchEvent } from '../../lib/core/response.js';
import { shardFilteringSupported } from '../../lib/runtime/shard-support.js';
import { watcher } from '../../lib/runtime/watcher.js';

describe('shardFilteringSupported', () => {
  const lister = (answer: Observable<ObjectList<unknown>>) => {
    const calls: ListParams[] = [];
    return { calls, list$: (p: ListParams) => (calls.push(p), answer) };
  };

  it('is true when the LIST answer carries shardInfo, false when the server ignored the selector', async () => {
    const on = lister(of({ metadata: { shardInfo: { selector: ShardSelector.all().print() } }, items: [] }));
    await expect(firstValueFrom(shardFilteringSupported(on))).resolves.toBe(true);
    expect(on.calls).toEqual([{ limit: 1, shardSelector: "shardRange(object.metadata.uid, '0x0000000000000000', '0x10000000000000000')" }]);
    const off = lister(of({ metadata: { resourceVersion: '5' }, items: [{}] }));
    await expect(firstValueFrom(shardFilteringSupported(off))).resolves.toBe(false);
  });

  it('passes a failed LIST on as an error', async () => {
    const failing = lister(throwError(() => new Error('403 Forbidden')));
    await expect(firstValueFrom(shardFilteringSupported(failing))).rejects.toThrow('403 Forbidden');
  });
});

describe('watcher with a shard selector', () => {
  it('sends it on the LIST, the pages and the WATCH, and on a streaming list', () => {
    const selector = ShardSelector.slice(2, 4).print();
    const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    ts.run(({ cold }) => {
      const calls: Array<ListParams | WatchParams> = [];
      const pages = [
        cold<ObjectList<{ metadata: object }>>('(a|)', { a: { metadata: { resourceVersion: '1', continue: 'next' }, items: [] } }),
        cold<ObjectList<{ metadata: object }>>('(a|)', { a: { metadata: { resourceVersion: '1' }, items: [] } }),
      ];
      const api = {
        list$: (p: ListParams) => (calls.push(p), pages.shift() ?? NEVER),
        watch: (p: WatchParams) => (calls.push(p), NEVER as Observable<WatchEvent<{ metadata: object }>>),
      };
      // The watcher never ends by itself (it reconnects a silent watch): look at its first minute.
      const a = watcher(api, { shardSelector: selector, pageSize: 1, scheduler: ts, initialListStrategy: 'listWatch' }).subscribe();
      const streaming: Array<WatchParams> = [];
      const b = watcher({ list$: () => NEVER, watch: (p: WatchParams) => (streaming.push(p), NEVER) }, { shardSelector: selector, initialListStrategy: 'streamingList', scheduler: ts }).subscribe();
      ts.schedule(() => (a.unsubscribe(), b.unsubscribe()), 60_000);
      ts.flush();
      expect(calls.map((c) => c.shardSelector)).toEqual([selector, selector, selector]);
      expect(calls.map((c) => ('continueToken' in c ? 'page' : 'resourceVersion' in c && 'bookmarks' in c ? 'watch' : 'list'))).toEqual(['list', 'page', 'watch']);
      expect(streaming[0]?.shardSelector).toBe(selector);
    });
  });
});
