// Regression tests for defects found by adversarial runs against the watcher (issue 11): a hot loop
// on empty watches, a backoff that success did not reset, refused connections waiting out a long
// backoff, name-less objects filed under the key "/", and ERROR causes that were plain objects.
import { EMPTY, NEVER, type Observable, throwError, defer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ApiError, isGone, NetworkError } from '../../lib/client/errors.js';
import { DecodeError } from '../../lib/core/error-boundary.js';
import type { ObjectList } from '../../lib/core/object.js';
import type { WatchEvent } from '../../lib/core/response.js';
import { watcherWithErrors, type WatchSource, type WatcherConfig, type WatcherItem } from '../../lib/runtime/watcher.js';
import type { WatcherError } from '../../lib/runtime/watcher-error.js';

interface Cm {
  metadata: { name?: string; namespace: string; resourceVersion: string };
}
const cm = (name: string | undefined, rv: string): Cm => ({ metadata: { ...(name === undefined ? {} : { name }), namespace: 'ns', resourceVersion: rv } });
const page = (rv: string, ...items: Cm[]): ObjectList<Cm> => ({ metadata: { resourceVersion: rv }, items });
const added = (name: string | undefined, rv: string): WatchEvent<Cm> => ({ type: 'ADDED', object: cm(name, rv) });

/** A source whose every call is answered by `answer(callNumber)`; it stops answering (NEVER) after `cap` calls. */
function source(ts: TestScheduler, lists: (n: number) => Observable<ObjectList<Cm>>, watches: (n: number) => Observable<WatchEvent<Cm>>, cap = 1000) {
  const calls: Array<{ kind: 'list' | 'watch'; at: number }> = [];
  const api: WatchSource<Cm> = {
    list$: () => {
      calls.push({ kind: 'list', at: ts.now() });
      return calls.length > cap ? NEVER : lists(calls.filter((c) => c.kind === 'list').length);
    },
    watch: () => {
      calls.push({ kind: 'watch', at: ts.now() });
      return calls.length > cap ? NEVER : watches(calls.filter((c) => c.kind === 'watch').length);
    },
  };
  return { api, calls };
}

function collect(ts: TestScheduler, items: Observable<WatcherItem<Cm>>, until: number): { events: Array<[number, WatcherItem<Cm>]>; errors: WatcherError[] } {
  const events: Array<[number, WatcherItem<Cm>]> = [];
  const errors: WatcherError[] = [];
  const sub = items.subscribe((item) => {
    events.push([ts.now(), item]);
    if (item.type === 'error') errors.push(item.error);
  });
  ts.schedule(() => sub.unsubscribe(), until);
  return { events, errors };
}

const refusedError = (): NetworkError => new NetworkError({ verb: 'watch', method: 'GET', path: '/api/v1/configmaps' }, 'connect ECONNREFUSED 127.0.0.1:6443', 'ECONNREFUSED');
const resetError = (): NetworkError => new NetworkError({ verb: 'watch', method: 'GET', path: '/api/v1/configmaps' }, 'socket hang up', 'ECONNRESET');

describe('watcher hardening', () => {
  let ts: TestScheduler;
  const base = (): WatcherConfig => ({ scheduler: ts, random: () => 0.5, initialListStrategy: 'listWatch' });
  beforeEach(() => {
    ts = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('backs off, and reports emptyWatch, when every watch ends at once without an event', () => {
    let got!: ReturnType<typeof collect>;
    let s!: ReturnType<typeof source>;
    ts.run(() => {
      s = source(ts, () => defer(() => [page('10')]), () => EMPTY);
      got = collect(ts, watcherWithErrors(s.api, base()), 10_000);
    });
    const watches = s.calls.filter((c) => c.kind === 'watch');
    // 800 + 1600 + 3200 ms of backoff fit before 10 s (the 4th retry waits 6.4 s): 4 watches, not hundreds.
    expect(watches.map((c) => c.at)).toEqual([0, 800, 2400, 5600]);
    expect(got.errors.map((e) => e.reason)).toEqual(['emptyWatch', 'emptyWatch', 'emptyWatch', 'emptyWatch']);
    expect(got.errors[0]?.message).toMatch(/ended the watch within 1000 ms without sending any event/);
  });

  it('still re-watches at once when a watch that delivered events ends normally', () => {
    let s!: ReturnType<typeof source>;
    ts.run(({ cold }) => {
      s = source(ts, () => cold('a|', { a: page('10') }), (n) => (n === 1 ? cold('a|', { a: added('x', '11') }) : NEVER));
      collect(ts, watcherWithErrors(s.api, base()), 100);
    });
    expect(s.calls.map((c) => [c.kind, c.at])).toEqual([['list', 0], ['watch', 0], ['watch', 1]]);
  });

  it('resets the backoff once a reconnect has delivered an event, so the next incident starts at the first delay', () => {
    let got!: ReturnType<typeof collect>;
    let s!: ReturnType<typeof source>;
    ts.run(({ cold }) => {
      s = source(
        ts,
        () => cold('a|', { a: page('10') }),
        (n) => {
          // watches 1–4 fail to start; 5 delivers an event and then breaks; 6 fails again.
          if (n <= 4 || n === 6) return throwError(() => resetError());
          if (n === 5) return cold('a-#', { a: added('x', '11') }, resetError());
          return NEVER;
        },
      );
      got = collect(ts, watcherWithErrors(s.api, base()), 60_000);
    });
    const at = s.calls.filter((c) => c.kind === 'watch').map((c) => c.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // 800, 1600, 3200, 6400 while failing; watch 5 lives 2 ms; then 800 again (was 12,800 before the fix), then 1600.
    expect(gaps).toEqual([800, 1600, 3200, 6400, 2 + 800, 1600]);
    expect(got.errors.length).toBe(6);
  });

  it('caps the delay at refusedMaxMs while connections are refused', () => {
    let s!: ReturnType<typeof source>;
    ts.run(({ cold }) => {
      s = source(ts, () => cold('a|', { a: page('10') }), () => throwError(() => refusedError()));
      collect(ts, watcherWithErrors(s.api, base()), 5_000);
    });
    const at = s.calls.filter((c) => c.kind === 'watch').map((c) => c.at);
    expect(at).toEqual([0, 800, 1800, 2800, 3800, 4800]);
  });

  it('does not store an object without metadata.name: an invalidObject error names it, the watch goes on', () => {
    let got!: ReturnType<typeof collect>;
    ts.run(({ cold }) => {
      const s = source(
        ts,
        () => cold('a|', { a: page('10', cm('ok', '5'), cm(undefined, '6'), cm(undefined, '7')) }),
        (n) => (n === 1 ? cold('-a-b', { a: added(undefined, '11'), b: added('y', '12') }) : NEVER),
      );
      got = collect(ts, watcherWithErrors(s.api, base()), 100);
    });
    const shortened = got.events.map(([t, i]) =>
      `${t}:${i.type === 'error' ? `E:${i.error.reason}` : i.type === 'initApply' || i.type === 'apply' ? `${i.type}:${i.object.metadata.name}` : i.type}`,
    );
    expect(shortened).toEqual(['0:init', '0:initApply:ok', '0:initDone', '0:E:invalidObject', '1:E:invalidObject', '3:apply:y']);
    expect(got.errors[0]?.cause).toBeInstanceOf(DecodeError);
    expect((got.errors[0]?.cause as DecodeError).field).toBe('metadata.name');
    expect(got.errors[0]?.message).toMatch(/no metadata\.name.*\(and 1 more\)/);
    expect(got.errors[1]?.message).toMatch(/at resourceVersion 11/);
  });

  it('makes the cause of an ERROR event an ApiError that the guards recognise', () => {
    let got!: ReturnType<typeof collect>;
    ts.run(({ cold }) => {
      const gone: WatchEvent<Cm> = { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 10 (40)' } };
      const s = source(ts, () => cold('a|', { a: page('10') }), (n) => (n === 1 ? cold('-e', { e: gone }) : NEVER));
      got = collect(ts, watcherWithErrors(s.api, base()), 100);
    });
    const cause = got.errors[0]?.cause;
    expect(cause).toBeInstanceOf(ApiError);
    expect(cause).toBeInstanceOf(Error);
    expect(isGone(cause)).toBe(true);
    expect((cause as ApiError).status.message).toBe('too old resource version: 10 (40)');
    expect(got.errors[0]?.gone).toBe(true);
  });

  it('treats a LIST answered with an empty body (null) as a failed LIST and retries, instead of dying silently', () => {
    let got!: ReturnType<typeof collect>;
    let s!: ReturnType<typeof source>;
    ts.run(({ cold }) => {
      s = source(ts, (n) => (n === 1 ? cold('a|', { a: null as unknown as ObjectList<Cm> }) : cold('a|', { a: page('10', cm('x', '5')) })), () => NEVER);
      got = collect(ts, watcherWithErrors(s.api, base()), 5_000);
    });
    expect(got.errors.map((e) => e.reason)).toEqual(['initialListFailed']);
    expect(got.errors[0]?.cause).toBeInstanceOf(DecodeError);
    expect(got.errors[0]?.message).toMatch(/the LIST answer is an empty body, not an object list/);
    expect(s.calls.map((c) => [c.kind, c.at])).toEqual([['list', 0], ['list', 800], ['watch', 800]]);
    expect(got.events.filter(([, i]) => i.type === 'initApply').length).toBe(1);
  });

  it('survives a streaming-list BOOKMARK without metadata (reports it, carries on)', () => {
    let got!: ReturnType<typeof collect>;
    ts.run(({ cold }) => {
      const s = source(
        ts,
        () => NEVER,
        (n) => (n === 1 ? cold('a', { a: { type: 'BOOKMARK', object: {} } as unknown as WatchEvent<Cm> }) : NEVER),
      );
      got = collect(ts, watcherWithErrors(s.api, { ...base(), initialListStrategy: 'streamingList' }), 100);
    });
    // Before the fix this threw inside the subscriber and the watcher stopped for good.
    expect(got.events.map(([, i]) => i.type)).toEqual(['init']);
  });
});
