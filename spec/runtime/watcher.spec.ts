import { NEVER, map, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ObjectList } from '../../lib/core/object.js';
import type { ListParams, WatchParams } from '../../lib/core/params.js';
import type { WatchEvent } from '../../lib/core/response.js';
import { watcher, watcherWithErrors, type WatchSource, type WatcherConfig, type WatcherItem } from '../../lib/runtime/watcher.js';
import type { WatcherError } from '../../lib/runtime/watcher-error.js';

interface Cm {
  metadata: { name: string; namespace: string; resourceVersion: string };
}
const cm = (name: string, rv: string): Cm => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });
const page = (rv: string, ...items: Cm[]): ObjectList<Cm> => ({ metadata: { resourceVersion: rv }, items });
const added = (name: string, rv: string): WatchEvent<Cm> => ({ type: 'ADDED', object: cm(name, rv) });
const bookmark = (rv: string, end = false): WatchEvent<Cm> => ({
  type: 'BOOKMARK',
  object: { metadata: { resourceVersion: rv, ...(end ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}) } },
});
const gone: WatchEvent<Cm> = { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 10 (40)' } };

interface Call {
  kind: 'list' | 'watch';
  params: ListParams | WatchParams;
  at: number;
}

/** A scripted WatchSource: each call takes the next scripted Observable (NEVER when the script is out). */
function fakeApi(ts: TestScheduler, lists: Observable<ObjectList<Cm>>[], watches: Observable<WatchEvent<Cm>>[]): WatchSource<Cm> & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    list$: (params) => {
      calls.push({ kind: 'list', params, at: ts.now() });
      return lists.shift() ?? NEVER;
    },
    watch: (params) => {
      calls.push({ kind: 'watch', params, at: ts.now() });
      return watches.shift() ?? NEVER;
    },
  };
}

/** One short string per item: I (init), a:name (initApply), D (initDone), A:name, X:name, E:reason. */
function short(item: WatcherItem<Cm>): string {
  switch (item.type) {
    case 'init':
      return 'I';
    case 'initDone':
      return 'D';
    case 'initApply':
      return `a:${item.object.metadata.name}`;
    case 'apply':
      return `A:${item.object.metadata.name}`;
    case 'delete':
      return `X:${item.object.metadata.name}`;
    case 'error':
      return `E:${item.error.reason}`;
  }
}

/** Subscribes within `run`, unsubscribes at `until`; the returned log fills in as virtual time passes. */
function record(ts: TestScheduler, source: Observable<WatcherItem<Cm>>, until: number): Array<[number, string]> {
  const log: Array<[number, string]> = [];
  const sub = source.subscribe({
    next: (item) => log.push([ts.now(), short(item)]),
    error: (e: unknown) => log.push([ts.now(), `error:${String(e)}`]),
    complete: () => log.push([ts.now(), 'complete']),
  });
  ts.schedule(() => sub.unsubscribe(), until);
  return log;
}

describe('watcher', () => {
  let ts: TestScheduler;
  const base = (): WatcherConfig => ({ scheduler: ts, random: () => 0.5, initialListStrategy: 'listWatch' });
  beforeEach(() => {
    ts = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('lists, then watches from the resourceVersion of the listing', () => {
    let log: Array<[number, string]> = [];
    let api!: ReturnType<typeof fakeApi>;
    ts.run(({ cold }) => {
      api = fakeApi(ts, [cold('-a|', { a: page('10', cm('x', '5'), cm('y', '6')) })], [cold('--b', { b: added('z', '11') })]);
      log = record(ts, watcherWithErrors(api, base()), 100);
    });
    expect(log).toEqual([[1, 'I'], [1, 'a:x'], [1, 'a:y'], [1, 'D'], [3, 'A:z']]);
    expect(api.calls).toEqual([
      { kind: 'list', params: { limit: 5000 }, at: 0 },
      { kind: 'watch', params: { resourceVersion: '10', bookmarks: true, timeoutSeconds: 290 }, at: 1 },
    ]);
  });

  it('passes selectors, page size and the "any" list semantic to the requests', () => {
    let api!: ReturnType<typeof fakeApi>;
    ts.run(({ cold }) => {
      api = fakeApi(ts, [cold('a|', { a: page('10') })], []);
      record(ts, watcherWithErrors(api, { ...base(), labelSelector: 'app=web', fieldSelector: 'metadata.name=x', pageSize: 7, listSemantic: 'any', bookmarks: false, timeoutSeconds: 60 }), 10);
    });
    expect(api.calls.map((c) => c.params)).toEqual([
      { labelSelector: 'app=web', fieldSelector: 'metadata.name=x', limit: 7, resourceVersion: '0' },
      { labelSelector: 'app=web', fieldSelector: 'metadata.name=x', resourceVersion: '10', bookmarks: false, timeoutSeconds: 60 },
    ]);
  });

  it('re-watches from the last resourceVersion when the server ends the watch, without relisting', () => {
    let log: Array<[number, string]> = [];
    let api!: ReturnType<typeof fakeApi>;
    ts.run(({ cold }) => {
      api = fakeApi(
        ts,
        [cold('-a|', { a: page('10') })],
        [cold('-a-b|', { a: added('x', '11'), b: bookmark('20') }), cold('-c', { c: { type: 'MODIFIED', object: cm('x', '21') } })],
      );
      log = record(ts, watcherWithErrors(api, base()), 100);
    });
    expect(log).toEqual([[1, 'I'], [1, 'D'], [2, 'A:x'], [6, 'A:x']]);
    expect(api.calls.map((c) => [c.kind, c.at, (c.params as WatchParams).resourceVersion])).toEqual([
      ['list', 0, undefined],
      ['watch', 1, '10'],
      ['watch', 5, '20'],
    ]);
  });

  it('relists after 410 Gone in an ERROR event, after a backoff, and stops reading the old stream', () => {
    let log: Array<[number, string]> = [];
    let api!: ReturnType<typeof fakeApi>;
    ts.run(({ cold, expectSubscriptions }) => {
      const first = cold('-e-a', { e: gone, a: added('late', '99') });
      api = fakeApi(ts, [cold('-a|', { a: page('10', cm('x', '5')) }), cold('-a|', { a: page('30', cm('y', '25')) })], [first]);
      log = record(ts, watcherWithErrors(api, base()), 2000);
      expectSubscriptions(first.subscriptions).toBe('-^!');
    });
    expect(log).toEqual([
      [1, 'I'], [1, 'a:x'], [1, 'D'],
      [2, 'E:watchError'],
      [803, 'I'], [803, 'a:y'], [803, 'D'],
    ]);
    expect(api.calls.map((c) => [c.kind, c.at])).toEqual([['list', 0], ['watch', 1], ['list', 802], ['watch', 803]]);
    expect(api.calls[3]?.params).toMatchObject({ resourceVersion: '30' });
  });

  it('relists after an HTTP 410 on watch start', () => {
    const errors: WatcherError[] = [];
    let api!: ReturnType<typeof fakeApi>;
    ts.run(({ cold }) => {
      api = fakeApi(ts, [cold('a|', { a: page('10') }), cold('a|', { a: page('50') })], [cold('#', undefined, { code: 410, message: 'Gone' })]);
      record(ts, watcher(api, { ...base(), onError: (e) => errors.push(e) }) as Observable<WatcherItem<Cm>>, 1000);
    });
    expect(errors.map((e) => [e.reason, e.gone])).toEqual([['watchStartFailed', true]]);
    expect(api.calls.map((c) => [c.kind, c.at])).toEqual([['list', 0], ['watch', 0], ['list', 800], ['watch', 800]]);
  });

  it('takes a watch silent for timeoutSeconds + 5 s for dead and reconnects from its resourceVersion', () => {
    let log: Array<[number, string]> = [];
    let api!: ReturnType<typeof fakeApi>;
    ts.run(({ cold, expectSubscriptions }) => {
      const stalled = cold('-a', { a: added('x', '11') });
      api = fakeApi(ts, [cold('-a|', { a: page('10') })], [stalled, cold('-')]);
      log = record(ts, watcherWithErrors(api, { ...base(), timeoutSeconds: 1 }), 10_000);
      // subscribed at 1, the event at 2, then 6 s of silence: unsubscribed at 6002.
      expectSubscriptions(stalled.subscriptions).toBe('-^ 6000ms !');
    });
    expect(log).toEqual([[1, 'I'], [1, 'D'], [2, 'A:x'], [6002, 'E:watchFailed']]);
    expect(api.calls.map((c) => [c.kind, c.at, (c.params as WatchParams).resourceVersion])).toEqual([
      ['list', 0, undefined],
      ['watch', 1, '10'],
      ['watch', 6802, '11'],
    ]);
  });

  it('backs off 800 ms, 1.6 s, 3.2 s between failures, and starts over after a LIST succeeded', () => {
    let api!: ReturnType<typeof fakeApi>;
    ts.run(({ cold }) => {
      api = fakeApi(ts, [cold('#'), cold('#'), cold('#'), cold('a|', { a: page('10') })], [cold('10ms #')]);
      record(ts, watcherWithErrors(api, base()), 20_000);
    });
    // list fails at 0, 800, 2400; succeeds at 5600 (which resets the backoff); the watch fails at 5610 → 800 ms.
    expect(api.calls.map((c) => [c.kind, c.at])).toEqual([
      ['list', 0],
      ['list', 800],
      ['list', 2400],
      ['list', 5600],
      ['watch', 5600],
      ['watch', 6410],
    ]);
  });

  it('starts the backoff over after 120 s without a failure', () => {
    let api!: ReturnType<typeof fakeApi>;
    ts.run(({ cold }) => {
      api = fakeApi(ts, [cold('#'), cold('#'), cold('a|', { a: page('10') })], [cold('200s #'), cold('5ms #')]);
      record(ts, watcherWithErrors(api, base()), 300_000);
    });
    // failures at 0 and 800; the watch from 2400 fails at 202400 (quiet for 201.6 s): 800 ms again, then 1.6 s.
    expect(api.calls.map((c) => [c.kind, c.at])).toEqual([
      ['list', 0],
      ['list', 800],
      ['list', 2400],
      ['watch', 2400],
      ['watch', 203200],
      ['watch', 204805],
    ]);
  });

  it('waits as long as a 429 answer asks (Retry-After) when that is longer than the backoff', () => {
    let api!: ReturnType<typeof fakeApi>;
    ts.run(({ cold }) => {
      const tooMany = { code: 429, status: { code: 429, details: { retryAfterSeconds: 5 } } };
      api = fakeApi(ts, [cold('#', undefined, tooMany), cold('a|', { a: page('1') })], []);
      record(ts, watcherWithErrors(api, base()), 10_000);
    });
    expect(api.calls.map((c) => [c.kind, c.at])).toEqual([['list', 0], ['list', 5000], ['watch', 5000]]);
  });

  it('re-watches from its resourceVersion after a broken stream (no relist)', () => {
    let log: Array<[number, string]> = [];
    let api!: ReturnType<typeof fakeApi>;
    ts.run(({ cold }) => {
      const decode = Object.assign(new Error('malformed watch event (not JSON): {"type":'), { name: 'DecodeError' });
      api = fakeApi(ts, [cold('a|', { a: page('10') })], [cold('-a#', { a: added('x', '12') }, decode), cold('-b', { b: added('y', '13') })]);
      log = record(ts, watcherWithErrors(api, base()), 5000);
    });
    expect(log).toEqual([[0, 'I'], [0, 'D'], [1, 'A:x'], [2, 'E:watchFailed'], [803, 'A:y']]);
    expect(api.calls.map((c) => [c.kind, (c.params as WatchParams).resourceVersion])).toEqual([['list', undefined], ['watch', '10'], ['watch', '12']]);
  });

  describe('streaming list', () => {
    it('ends its listing on the initial-events-end bookmark and reconnects without asking for initial events', () => {
      let log: Array<[number, string]> = [];
      let api!: ReturnType<typeof fakeApi>;
      ts.run(({ cold }) => {
        api = fakeApi(
          ts,
          [],
          [cold('-a-b-c|', { a: added('x', '5'), b: bookmark('8', true), c: added('y', '9') }), cold('-d', { d: added('z', '10') })],
        );
        log = record(ts, watcherWithErrors(api, { ...base(), initialListStrategy: 'streamingList' }), 100);
      });
      expect(log).toEqual([[1, 'I'], [1, 'a:x'], [3, 'D'], [5, 'A:y'], [7, 'A:z']]);
      expect(api.calls).toEqual([
        { kind: 'watch', at: 0, params: { timeoutSeconds: 290, bookmarks: true, sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' } },
        { kind: 'watch', at: 6, params: { resourceVersion: '9', bookmarks: true, timeoutSeconds: 290 } },
      ]);
    });

    it('starts the streaming list over after 410 during the initial events', () => {
      let log: Array<[number, string]> = [];
      let api!: ReturnType<typeof fakeApi>;
      ts.run(({ cold }) => {
        api = fakeApi(ts, [], [cold('-a-e', { a: added('x', '5'), e: gone }), cold('-a-b', { a: added('y', '6'), b: bookmark('7', true) })]);
        log = record(ts, watcherWithErrors(api, { ...base(), initialListStrategy: 'streamingList' }), 2000);
      });
      expect(log).toEqual([[1, 'I'], [1, 'a:x'], [3, 'E:watchError'], [804, 'I'], [804, 'a:y'], [806, 'D']]);
      expect(api.calls.map((c) => (c.params as WatchParams).sendInitialEvents)).toEqual([true, true]);
    });

    it('falls back to LIST + WATCH at once when the server refuses the streaming list (422), reports it once, and never streams again', () => {
      const invalid = { code: 422, status: { code: 422, reason: 'Invalid', message: 'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled' } };
      let log: Array<[number, string]> = [];
      let api!: ReturnType<typeof fakeApi>;
      ts.run(({ cold }) => {
        api = fakeApi(
          ts,
          [cold('-l|', { l: page('10', cm('a', '5')) }), cold('-l|', { l: page('20', cm('b', '15')) })],
          [cold('-#', {}, invalid), cold('-x-e', { x: added('c', '11'), e: gone }), cold('-y', { y: added('d', '21') })],
        );
        log = record(ts, watcherWithErrors(api, { ...base(), initialListStrategy: 'streamingList' }), 5000);
      });
      // 1: refused -> LIST at once (no backoff); 2: listed; 3..: watch; 6: 410 -> backoff 800 ms -> LIST, not a streaming list.
      expect(log).toEqual([
        [1, 'E:streamingListUnsupported'],
        [2, 'I'],
        [2, 'a:a'],
        [2, 'D'],
        [3, 'A:c'],
        [5, 'E:watchError'],
        [806, 'I'],
        [806, 'a:b'],
        [806, 'D'],
        [807, 'A:d'],
      ]);
      expect(api.calls.map((c) => `${c.kind}@${c.at}${(c.params as WatchParams).sendInitialEvents ? '+initialEvents' : ''}`)).toEqual([
        'watch@0+initialEvents',
        'list@1',
        'watch@2',
        'list@805',
        'watch@806',
      ]);
    });

    it('keeps retrying the streaming list (with backoff) on 429, 5xx and broken connections, which say nothing about the server\'s features', () => {
      let log: Array<[number, string]> = [];
      let api!: ReturnType<typeof fakeApi>;
      ts.run(({ cold }) => {
        api = fakeApi(
          ts,
          [],
          [
            cold('-#', {}, { code: 503, status: { code: 503 } }),
            cold('-#', {}, Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
            cold('-b', { b: bookmark('3', true) }),
          ],
        );
        log = record(ts, watcherWithErrors(api, { ...base(), initialListStrategy: 'streamingList' }), 5000);
      });
      expect(log.map(([, e]) => e)).toEqual(['E:watchStartFailed', 'E:watchFailed', 'I', 'D']);
      expect(api.calls.every((c) => c.kind === 'watch' && (c.params as WatchParams).sendInitialEvents === true)).toBe(true);
    });

    it('falls back when a streaming list ends before its initial-events-end bookmark (a server that ignores sendInitialEvents)', () => {
      let log: Array<[number, string]> = [];
      let api!: ReturnType<typeof fakeApi>;
      ts.run(({ cold }) => {
        api = fakeApi(ts, [cold('-l|', { l: page('10', cm('a', '5')) })], [cold('-a-|', { a: added('a', '5') })]);
        log = record(ts, watcherWithErrors(api, { ...base(), initialListStrategy: 'streamingList' }), 5000);
      });
      expect(log).toEqual([[1, 'I'], [1, 'a:a'], [3, 'E:streamingListUnsupported'], [4, 'I'], [4, 'a:a'], [4, 'D']]);
      expect(api.calls.map((c) => c.kind)).toEqual(['watch', 'list', 'watch']);
    });
  });

  it('aborts the request at once when unsubscribed', () => {
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const stream = cold<WatchEvent<Cm>>('-');
      const api = fakeApi(ts, [cold('-a|', { a: page('10') })], [stream]);
      const types = watcher(api, base()).pipe(map((e) => e.type));
      expectObservable(types, '^ 5ms !').toBe('-(ab)', { a: 'init', b: 'initDone' });
      expectSubscriptions(stream.subscriptions).toBe('-^ 4ms !');
    });
  });

  it('cancels a pending retry when unsubscribed during the backoff', () => {
    let api!: ReturnType<typeof fakeApi>;
    ts.run(({ cold }) => {
      api = fakeApi(ts, [cold('#'), cold('a|', { a: page('1') })], []);
      record(ts, watcherWithErrors(api, base()), 500);
    });
    expect(api.calls.map((c) => c.at)).toEqual([0]);
  });

  it('never errors or completes; failures reach onError as typed WatcherErrors', () => {
    const errors: WatcherError[] = [];
    let log: Array<[number, string]> = [];
    ts.run(({ cold }) => {
      const api = fakeApi(ts, [cold('#', undefined, { code: 500, message: 'etcd down' }), cold('a|', { a: page('1') })], [cold('-')]);
      log = record(ts, watcher(api, { ...base(), onError: (e) => errors.push(e) }) as Observable<WatcherItem<Cm>>, 5000);
    });
    expect(log).toEqual([[800, 'I'], [800, 'D']]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.reason).toBe('initialListFailed');
    expect(errors[0]?.context).toMatchObject({ phase: 'empty', code: 500 });
    expect(errors[0]?.cause).toEqual({ code: 500, message: 'etcd down' });
  });

  it('errors the stream when onError itself throws', () => {
    ts.run(({ cold, expectObservable }) => {
      const api = fakeApi(ts, [cold('#')], []);
      const bug = new Error('bug in handler');
      const out = watcher(api, { ...base(), onError: () => { throw bug; } });
      expectObservable(out).toBe('#', undefined, bug);
    });
  });
});
