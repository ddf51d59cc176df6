import type { ObjectList } from '../../lib/core/object.js';
import type { WatchEvent } from '../../lib/core/response.js';
import { parseWatchLine } from '../../lib/core/error-boundary.js';
import { sourceTextOf } from '../../lib/core/source-text.js';
import {
  EMPTY_WATCHER_STATE,
  statusCodeOf,
  watcherRequest,
  watcherStep,
  type WatcherRequestOptions,
  type WatcherState,
} from '../../lib/runtime/watcher-step.js';

interface Cm {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}
const cm = (name: string, rv: string): Cm => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });
const page = (items: Cm[], rv?: string, cont?: string): ObjectList<Cm> => ({
  metadata: { ...(rv === undefined ? {} : { resourceVersion: rv }), ...(cont === undefined ? {} : { continue: cont }) },
  items,
});
const ev = (e: WatchEvent<Cm>) => ({ type: 'event' as const, event: e });
const opts: WatcherRequestOptions = {
  timeoutSeconds: 290,
  pageSize: 500,
  bookmarks: true,
  listSemantic: 'mostRecent',
  initialListStrategy: 'listWatch',
};
const watching = (rv: string): WatcherState => ({ phase: 'watching', resourceVersion: rv });

describe('watcherStep', () => {
  it('lists one page into init, initApply…, initDone and then watches from its resourceVersion', () => {
    const r = watcherStep(EMPTY_WATCHER_STATE, { type: 'listed', page: page([cm('a', '1'), cm('b', '2')], '10') });
    expect(r.events).toEqual([{ type: 'init' }, { type: 'initApply', object: cm('a', '1') }, { type: 'initApply', object: cm('b', '2') }, { type: 'initDone' }]);
    expect(r.state).toEqual(watching('10'));
    expect(r.next).toBe('request');
    expect(r.error).toBeUndefined();
  });

  it('follows continue tokens, emitting init only once', () => {
    const first = watcherStep(EMPTY_WATCHER_STATE, { type: 'listed', page: page([cm('a', '1')], '10', 'tok1') });
    expect(first.events.map((e) => e.type)).toEqual(['init', 'initApply']);
    expect(first.state).toEqual({ phase: 'initPage', continueToken: 'tok1' });
    expect(watcherRequest(first.state, opts)).toEqual({ kind: 'list', params: { limit: 500, continueToken: 'tok1' } });
    const last = watcherStep(first.state, { type: 'listed', page: page([cm('b', '2')], '11') });
    expect(last.events.map((e) => e.type)).toEqual(['initApply', 'initDone']);
    expect(last.state).toEqual(watching('11'));
  });

  it('reports noResourceVersion when the listing has none, and lists again', () => {
    const r = watcherStep(EMPTY_WATCHER_STATE, { type: 'listed', page: page([cm('a', '1')]) });
    expect(r.error?.reason).toBe('noResourceVersion');
    expect(r.state).toEqual(EMPTY_WATCHER_STATE);
    expect(r.next).toBe('retry');
    expect(r.events.map((e) => e.type)).not.toContain('initDone');
  });

  it('retries a failed page from the same token, but restarts when the token expired (410)', () => {
    const s: WatcherState = { phase: 'initPage', continueToken: 't' };
    const transient = watcherStep(s, { type: 'listFailed', error: { code: 500 } });
    expect(transient.state).toBe(s);
    expect(transient.error?.reason).toBe('initialListFailed');
    expect(transient.next).toBe('retry');
    const expired = watcherStep(s, { type: 'listFailed', error: { code: 410 } });
    expect(expired.state).toEqual(EMPTY_WATCHER_STATE);
    expect(expired.error?.gone).toBe(true);
  });

  it('turns watch events into apply and delete, advancing the resourceVersion', () => {
    const a = watcherStep(watching('10'), ev({ type: 'ADDED', object: cm('a', '11') }));
    expect(a.events).toEqual([{ type: 'apply', object: cm('a', '11') }]);
    expect(a.state).toEqual(watching('11'));
    expect(a.next).toBe('read');
    const m = watcherStep(a.state, ev({ type: 'MODIFIED', object: cm('a', '12') }));
    expect(m.events).toEqual([{ type: 'apply', object: cm('a', '12') }]);
    const d = watcherStep(m.state, ev({ type: 'DELETED', object: cm('a', '13') }));
    expect(d.events).toEqual([{ type: 'delete', object: cm('a', '13') }]);
    expect(d.state).toEqual(watching('13'));
  });

  it('advances the resourceVersion on a bookmark without emitting anything', () => {
    const r = watcherStep(watching('10'), ev({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '99' } } }));
    expect(r.events).toEqual([]);
    expect(r.state).toEqual(watching('99'));
    expect(watcherRequest(r.state, opts)).toEqual({ kind: 'watch', params: { resourceVersion: '99', bookmarks: true, timeoutSeconds: 290 } });
  });

  it('re-watches from the last resourceVersion when the server ends the watch, without relisting', () => {
    const r = watcherStep(watching('42'), { type: 'ended' });
    expect(r).toEqual({ state: watching('42'), events: [], next: 'request' });
  });

  it('relists after 410 Gone in an ERROR event', () => {
    const r = watcherStep(watching('42'), ev({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } }));
    expect(r.state).toEqual(EMPTY_WATCHER_STATE);
    expect(r.error?.reason).toBe('watchError');
    expect(r.error?.gone).toBe(true);
    expect(r.error?.context).toMatchObject({ resourceVersion: '42', code: 410 });
    expect(r.next).toBe('retry');
  });

  it('keeps its resourceVersion after a non-410 ERROR event', () => {
    const r = watcherStep(watching('42'), ev({ type: 'ERROR', object: { kind: 'Status', code: 500, message: 'boom' } }));
    expect(r.state).toEqual(watching('42'));
    expect(r.error?.reason).toBe('watchError');
    expect(r.error?.gone).toBe(false);
  });

  it('relists after an HTTP 410 on watch start; other start failures keep the resourceVersion', () => {
    const gone = watcherStep(watching('42'), { type: 'failed', error: { code: 410, message: 'Gone' } });
    expect(gone.state).toEqual(EMPTY_WATCHER_STATE);
    expect(gone.error?.reason).toBe('watchStartFailed');
    const forbidden = watcherStep(watching('42'), { type: 'failed', error: { code: 403 } });
    expect(forbidden.state).toEqual(watching('42'));
    expect(forbidden.error?.reason).toBe('watchStartFailed');
    const broken = watcherStep(watching('42'), { type: 'failed', error: new Error('socket hang up') });
    expect(broken.state).toEqual(watching('42'));
    expect(broken.error?.reason).toBe('watchFailed');
    expect(broken.error?.cause).toBeInstanceOf(Error);
  });

  describe('streaming list', () => {
    const streaming: WatcherRequestOptions = { ...opts, initialListStrategy: 'streamingList' };

    it('asks for the initial events on the first watch only', () => {
      expect(watcherRequest(EMPTY_WATCHER_STATE, streaming)).toEqual({
        kind: 'watch',
        params: { timeoutSeconds: 290, bookmarks: true, sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' },
      });
      expect(watcherRequest(watching('7'), streaming).params).not.toHaveProperty('sendInitialEvents');
      expect(watcherRequest(EMPTY_WATCHER_STATE, { ...streaming, listSemantic: 'any' }).params).toMatchObject({ resourceVersion: '0' });
    });

    it('turns initial events into a listing ended by the initial-events-end bookmark', () => {
      const a = watcherStep(EMPTY_WATCHER_STATE, ev({ type: 'ADDED', object: cm('a', '5') }));
      expect(a.events).toEqual([{ type: 'init' }, { type: 'initApply', object: cm('a', '5') }]);
      expect(a.state).toEqual({ phase: 'initialWatch', resourceVersion: '5' });
      const plain = watcherStep(a.state, ev({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '6' } } }));
      expect(plain.events).toEqual([]);
      const end = watcherStep(plain.state, ev({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '8', annotations: { 'k8s.io/initial-events-end': 'true' } } } }));
      expect(end.events).toEqual([{ type: 'initDone' }]);
      expect(end.state).toEqual(watching('8'));
      expect(end.next).toBe('read');
    });

    it('passes a delete during the initial events on as a delete (the end bookmark may come after newer events)', () => {
      const a = watcherStep(EMPTY_WATCHER_STATE, ev({ type: 'ADDED', object: cm('a', '5') }));
      const gone = watcherStep(a.state, ev({ type: 'DELETED', object: cm('a', '7') }));
      expect(gone.events).toEqual([{ type: 'delete', object: cm('a', '7') }]);
      expect(gone.state).toEqual({ phase: 'initialWatch', resourceVersion: '7' });
      expect(gone.next).toBe('read');
    });

    it('emits an empty listing when the end bookmark comes first', () => {
      const r = watcherStep(EMPTY_WATCHER_STATE, ev({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '3', annotations: { 'k8s.io/initial-events-end': 'true' } } } }));
      expect(r.events).toEqual([{ type: 'init' }, { type: 'initDone' }]);
      expect(r.state).toEqual(watching('3'));
    });

    it('falls back to LIST + WATCH when the stream ends before the end bookmark (the server ignored sendInitialEvents)', () => {
      for (const state of [{ phase: 'initialWatch', resourceVersion: '5' } as const, EMPTY_WATCHER_STATE]) {
        const r = watcherStep(state, { type: 'ended' });
        expect(r.state).toEqual(EMPTY_WATCHER_STATE);
        expect(r.error?.reason).toBe('streamingListUnsupported');
        expect(r.fallBackToListWatch).toBe(true);
        expect(r.next).toBe('request');
      }
    });

    it('falls back when the server refuses the streaming list with a 4xx other than 410 and 429, or 501', () => {
      for (const code of [400, 403, 404, 405, 422, 501]) {
        const refused = watcherStep(EMPTY_WATCHER_STATE, { type: 'failed', error: { code, status: { code } } });
        expect([code, refused.error?.reason, refused.fallBackToListWatch, refused.next]).toEqual([code, 'streamingListUnsupported', true, 'request']);
        expect(refused.error?.context).toMatchObject({ code, fallback: 'listWatch' });
        const inStream = watcherStep({ phase: 'initialWatch', resourceVersion: '5' }, ev({ type: 'ERROR', object: { kind: 'Status', code, reason: 'Invalid' } }));
        expect([code, inStream.error?.reason, inStream.fallBackToListWatch, inStream.state]).toEqual([code, 'streamingListUnsupported', true, EMPTY_WATCHER_STATE]);
      }
    });

    it('retries (does not fall back) on 410, 429, 5xx and failures without a status', () => {
      for (const error of [{ code: 410 }, { code: 429 }, { code: 500 }, { code: 503 }, new Error('socket hang up')]) {
        const r = watcherStep(EMPTY_WATCHER_STATE, { type: 'failed', error });
        expect(r.fallBackToListWatch).toBeUndefined();
        expect(r.next).toBe('retry');
      }
      const gone = watcherStep({ phase: 'initialWatch', resourceVersion: '5' }, ev({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } }));
      expect([gone.error?.reason, gone.fallBackToListWatch, gone.next]).toEqual(['watchError', undefined, 'retry']);
    });
  });

  it('finds status codes on ApiError-like values and Status objects', () => {
    expect(statusCodeOf({ code: 410 })).toBe(410);
    expect(statusCodeOf({ status: { code: 429 } })).toBe(429);
    expect(statusCodeOf({ code: 'ECONNRESET' })).toBeUndefined();
    expect(statusCodeOf(undefined)).toBeUndefined();
  });

  it('carries the watch line of an applied or initially listed object over to its event, for compact stores', () => {
    const decoded = (line: string) => {
      const e = parseWatchLine<Cm>(line);
      if (!('type' in e)) throw e;
      return e;
    };
    const modified = '{"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":"ns","resourceVersion":"11"}}}';
    const applied = watcherStep<Cm>(watching('10'), ev(decoded(modified)));
    expect(applied.events).toEqual([{ type: 'apply', object: cm('a', '11') }]);
    expect(sourceTextOf(applied.events[0]!)).toBe(modified);
    const added = '{"type":"ADDED","object":{"metadata":{"name":"b","namespace":"ns","resourceVersion":"12"}}}';
    const initial = watcherStep<Cm>(EMPTY_WATCHER_STATE, ev(decoded(added)));
    expect(initial.events).toEqual([{ type: 'init' }, { type: 'initApply', object: cm('b', '12') }]);
    expect(sourceTextOf(initial.events[1]!)).toBe(added);
    // Listed items have no line of their own.
    const listed = watcherStep<Cm>(EMPTY_WATCHER_STATE, { type: 'listed', page: page([cm('c', '1')], '10') });
    expect(sourceTextOf(listed.events[1]!)).toBeUndefined();
  });
});
