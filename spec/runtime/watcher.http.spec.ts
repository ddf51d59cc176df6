/**
 * The watcher against a scripted local HTTP server, through the real Client and Api: how it
 * behaves on the failure modes a real API server and network produce.
 */
import type { Subscription } from 'rxjs';
import { Api } from '../../lib/client/api.js';
import { Client } from '../../lib/client/client.js';
import { ConfigMap } from '../../lib/core/builtins.js';
import { reflector } from '../../lib/runtime/reflector.js';
import { store } from '../../lib/runtime/store.js';
import { watcher, type WatcherConfig } from '../../lib/runtime/watcher.js';
import type { WatcherError } from '../../lib/runtime/watcher-error.js';
import { cm, listAnswer, statusAnswer, until, watchAnswer, watchServer, type Step, type WatchServer } from './support/watch-server.js';

const fast: WatcherConfig = { backoff: { initialMs: 20, maxMs: 200 }, random: () => 0.5, initialListStrategy: 'listWatch' };

describe('watcher over HTTP', () => {
  let server: WatchServer | undefined;
  let sub: Subscription | undefined;
  afterEach(async () => {
    sub?.unsubscribe();
    await server?.close();
  });

  async function run(script: Step[], config: WatcherConfig = {}) {
    server = await watchServer(script);
    const api = Api.namespaced(new Client({ server: server.url }, { retry: false }), ConfigMap, 'ns');
    const { reader, writer } = store<ConfigMap>();
    const errors: WatcherError[] = [];
    const types: string[] = [];
    sub = reflector(writer, watcher(api, { ...fast, ...config, onError: (e) => errors.push(e) })).subscribe((e) => types.push(e.type));
    const names = (): string[] => reader.list().map((o) => o.metadata?.name ?? '').sort();
    return { reader, errors, types, names, seen: server.seen };
  }

  it('relists after a 410 ERROR event mid-stream', async () => {
    const t = await run([
      listAnswer('10', cm('a', '5')),
      watchAnswer([{ type: 'ADDED', object: cm('b', '11') }, { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } }], { keepOpen: true }),
      listAnswer('20', cm('c', '19')),
    ]);
    await until(() => t.seen.length >= 4, 5000, 'the watch after the relist');
    expect(t.seen.map((s) => s.query.get('watch') === 'true' ? `watch@${s.query.get('resourceVersion')}` : 'list')).toEqual(['list', 'watch@10', 'list', 'watch@20']);
    expect(t.names()).toEqual(['c']);
    expect(t.errors.map((e) => [e.reason, e.gone])).toEqual([['watchError', true]]);
    expect(t.types).toEqual(['init', 'initApply', 'initDone', 'apply', 'init', 'initApply', 'initDone']);
  });

  it('relists after an HTTP 410 on watch start', async () => {
    const t = await run([listAnswer('10', cm('a', '5')), statusAnswer(410, 'Expired'), listAnswer('30', cm('a', '25'), cm('d', '26'))]);
    await until(() => t.seen.length >= 4, 5000, 'the watch after the relist');
    expect(t.seen[3]?.query.get('resourceVersion')).toBe('30');
    expect(t.names()).toEqual(['a', 'd']);
    expect(t.errors.map((e) => [e.reason, e.gone, (e.cause as { code?: number }).code])).toEqual([['watchStartFailed', true, 410]]);
  });

  it('re-watches from the last resourceVersion after a connection dropped mid-line, without relisting', async () => {
    const t = await run([
      listAnswer('10'),
      watchAnswer([{ type: 'ADDED', object: cm('b', '11') }, '{"type":"ADDED","object":{"metadata":{"na'], { destroy: true }),
      watchAnswer([{ type: 'ADDED', object: cm('c', '12') }], { keepOpen: true }),
    ]);
    await until(() => t.names().includes('c'), 5000, 'object c');
    expect(t.seen.map((s) => s.query.get('resourceVersion'))).toEqual([null, '10', '11']);
    expect(t.names()).toEqual(['b', 'c']);
    expect(t.errors.map((e) => e.reason)).toEqual(['watchFailed']);
  });

  it('reconnects when the stream stalls with the socket left open, and closes the stalled one', async () => {
    const t = await run(
      [listAnswer('10'), watchAnswer([{ type: 'ADDED', object: cm('b', '11') }], { keepOpen: true }), watchAnswer([{ type: 'ADDED', object: cm('c', '12') }], { keepOpen: true })],
      { timeoutSeconds: 1, idleMarginSeconds: 0.2 },
    );
    await until(() => t.names().includes('c'), 5000, 'object c after the reconnect');
    const [, first, second] = t.seen;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1150);
    expect(second!.query.get('resourceVersion')).toBe('11');
    expect(t.errors.map((e) => e.reason)).toEqual(['watchFailed']);
    expect(t.errors[0]?.message).toMatch(/no watch event for 1.2 s/);
    await until(() => server!.closedSockets() >= 1, 2000, 'the stalled socket to close');
  });

  it('surfaces a malformed JSON line as an error and recovers', async () => {
    const t = await run([
      listAnswer('10'),
      watchAnswer([{ type: 'ADDED', object: cm('b', '11') }, '{"type": not json}\n', { type: 'ADDED', object: cm('x', '13') }], { keepOpen: true }),
      watchAnswer([{ type: 'ADDED', object: cm('c', '12') }], { keepOpen: true }),
    ]);
    await until(() => t.names().includes('c'), 5000, 'object c');
    expect(t.errors).toHaveLength(1);
    expect(t.errors[0]?.reason).toBe('watchFailed');
    expect((t.errors[0]?.cause as Error).name).toBe('DecodeError');
    expect(t.seen[2]?.query.get('resourceVersion')).toBe('11');
    expect(t.names()).toEqual(['b', 'c']);
  });

  it('waits as long as Retry-After asks on 429', async () => {
    const t = await run([statusAnswer(429, 'TooManyRequests', { 'Retry-After': '1' }, { retryAfterSeconds: 1 }), listAnswer('10', cm('a', '1'))]);
    await until(() => t.names().includes('a'), 5000, 'the listing');
    expect(t.seen[1]!.at - t.seen[0]!.at).toBeGreaterThanOrEqual(950);
    expect(t.errors.map((e) => [e.reason, (e.cause as { code?: number }).code])).toEqual([['initialListFailed', 429]]);
  });

  it('resumes from the resourceVersion of the last bookmark', async () => {
    const t = await run([
      listAnswer('10'),
      watchAnswer([{ type: 'ADDED', object: cm('b', '11') }, { type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '50' } } }]),
    ]);
    await until(() => t.seen.length >= 3, 5000, 'the second watch');
    expect(t.seen[1]?.query.get('allowWatchBookmarks')).toBe('true');
    expect(t.seen[2]?.query.get('resourceVersion')).toBe('50');
    expect(t.seen.filter((s) => s.query.get('watch') !== 'true')).toHaveLength(1);
    expect(t.errors).toEqual([]);
  });

  it('aborts the HTTP request at once when unsubscribed', async () => {
    const t = await run([listAnswer('10'), watchAnswer([], { keepOpen: true })]);
    await until(() => t.seen.length >= 2, 5000, 'the watch');
    await new Promise((r) => setTimeout(r, 50));
    const before = server!.closedSockets();
    const unsubscribedAt = Date.now();
    sub?.unsubscribe();
    await until(() => server!.closedSockets() > before, 1000, 'the watch socket to close');
    expect(Date.now() - unsubscribedAt).toBeLessThan(500);
  });

  it('falls back to LIST + WATCH when the server refuses streaming lists (422, WatchList gate off), and reports it once', async () => {
    const refused = statusAnswer(422, 'Invalid', {}, {
      kind: 'ListOptions',
      group: 'meta.k8s.io',
      causes: [{ reason: 'FieldValueForbidden', message: 'Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled', field: 'sendInitialEvents' }],
    });
    const t = await run(
      [
        refused,
        listAnswer('10', cm('a', '5')),
        watchAnswer([{ type: 'ADDED', object: cm('b', '11') }, { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' } }], { keepOpen: true }),
        listAnswer('20', cm('c', '19')),
      ],
      { initialListStrategy: 'streamingList' },
    );
    await until(() => t.seen.length >= 5, 5000, 'the watch after the relist');
    const described = t.seen.map((s) => (s.query.get('watch') === 'true' ? `watch${s.query.get('sendInitialEvents') === 'true' ? '+initialEvents' : `@${s.query.get('resourceVersion')}`}` : 'list'));
    expect(described).toEqual(['watch+initialEvents', 'list', 'watch@10', 'list', 'watch@20']);
    expect(t.names()).toEqual(['c']);
    expect(t.errors.map((e) => e.reason)).toEqual(['streamingListUnsupported', 'watchError']);
    expect(t.errors[0]?.message).toMatch(/does not serve streaming lists.*422.*LIST \+ WATCH/);
  });

  it('drops an object deleted during a streaming list before its end bookmark (kube-apiserver may send it so)', async () => {
    const end = { type: 'BOOKMARK' as const, object: { kind: 'ConfigMap', metadata: { resourceVersion: '9', annotations: { 'k8s.io/initial-events-end': 'true' } } } };
    const t = await run(
      [
        watchAnswer(
          [
            { type: 'ADDED', object: cm('a', '5') },
            { type: 'ADDED', object: cm('b', '6') },
            { type: 'DELETED', object: cm('a', '8') },
            end,
          ],
          { keepOpen: true },
        ),
      ],
      { initialListStrategy: 'streamingList' },
    );
    await until(() => t.types.includes('initDone'), 5000, 'the end of the streaming list');
    // Before the fix the delete was ignored and the deleted `a` stayed in the store after the listing.
    expect(t.names()).toEqual(['b']);
    expect(t.errors).toEqual([]);
  });
});
