// The watcher and reflector against the real kube-apiserver: the store must converge to what a
// fresh LIST says after heavy churn, after 410 Gone, and in streaming-list mode.
import { map, type Subscription } from 'rxjs';
import { Api } from '../../../lib/client/api.js';
import { Client } from '../../../lib/client/client.js';
import { ConfigMap } from '../../../lib/core/builtins.js';
import { Patch } from '../../../lib/core/patch.js';
import { configFromKubeconfig } from '../../../lib/config/from-kubeconfig.js';
import { reflector } from '../../../lib/runtime/reflector.js';
import { store, type Store } from '../../../lib/runtime/store.js';
import { watcher, type WatchSource, type WatcherConfig } from '../../../lib/runtime/watcher.js';
import type { WatcherError } from '../../../lib/runtime/watcher-error.js';
import type { WatcherEvent } from '../../../lib/runtime/watcher-event.js';
import { compactEtcd, eventually, kubeconfigPath, kubectl, useNamespace } from '../support/cluster.js';
import { startPrivatePlane } from '../support/private-plane.js';

const fast: WatcherConfig = { backoff: { initialMs: 100, maxMs: 2000 } };

/** name → resourceVersion of the store. */
function storeState(reader: Store<ConfigMap>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of reader.list()) out[o.metadata?.name ?? ''] = o.metadata?.resourceVersion ?? '';
  return out;
}

/** name → resourceVersion of a fresh LIST. */
async function listState(api: Api<ConfigMap, 'Namespaced'>, selector?: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const list = await api.list(selector === undefined ? {} : { labelSelector: selector });
  for (const o of list.items) out[o.metadata?.name ?? ''] = o.metadata?.resourceVersion ?? '';
  return out;
}

function manifest(names: string[], label: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: names.map((name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { set: label } }, data: { v: '0' } })),
  });
}

describe('watcher (e2e)', () => {
  const ns = useNamespace('runtime-watcher');
  let api: Api<ConfigMap, 'Namespaced'>;
  const subs: Subscription[] = [];
  beforeAll(() => {
    api = Api.namespaced(new Client(configFromKubeconfig({ path: kubeconfigPath() })), ConfigMap, ns);
  });
  afterEach(() => {
    for (const s of subs.splice(0)) s.unsubscribe();
  });

  function reflect(source: WatchSource<ConfigMap>, config: WatcherConfig) {
    const { reader, writer } = store<ConfigMap>();
    const errors: WatcherError[] = [];
    const events: WatcherEvent<ConfigMap>[] = [];
    subs.push(reflector(writer, watcher(source, { ...fast, ...config, onError: (e) => errors.push(e) })).subscribe((e) => events.push(e)));
    return { reader, errors, events };
  }

  it('matches a fresh LIST after 200 ConfigMaps are created, updated and deleted by kubectl and rxkube', async () => {
    const { reader, errors } = reflect(api, { labelSelector: 'set in (kubectl,rxkube)', pageSize: 50 });
    await reader.ready();
    const byKubectl = Array.from({ length: 100 }, (_, i) => `k-${i}`);
    const byRxkube = Array.from({ length: 100 }, (_, i) => `r-${i}`);

    await kubectl(['apply', '-n', ns, '-f', '-'], { input: manifest(byKubectl, 'kubectl') });
    for (let i = 0; i < byRxkube.length; i += 20) {
      await Promise.all(
        byRxkube.slice(i, i + 20).map((name) => api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { set: 'rxkube' } }, data: { v: '0' } })),
      );
    }
    // updates: kubectl on the even ones of both sets, rxkube on the odd ones
    const all = [...byKubectl, ...byRxkube];
    const even = all.filter((_, i) => i % 2 === 0);
    const odd = all.filter((_, i) => i % 2 === 1);
    await kubectl(['label', 'configmap', '-n', ns, '--overwrite', ...even, 'touched=kubectl']);
    for (let i = 0; i < odd.length; i += 20) {
      await Promise.all(odd.slice(i, i + 20).map((name) => api.patch(name, Patch.merge({ data: { v: '1' } }))));
    }
    // deletes: 25 of each set by each tool
    await kubectl(['delete', 'configmap', '-n', ns, '--wait=false', ...byKubectl.slice(0, 25), ...byRxkube.slice(0, 25)]);
    await Promise.all([...byKubectl.slice(25, 50), ...byRxkube.slice(25, 50)].map((name) => api.delete(name)));

    const expected = await listState(api, 'set in (kubectl,rxkube)');
    expect(Object.keys(expected)).toHaveLength(100);
    await eventually(() => JSON.stringify(sortKeys(storeState(reader))) === JSON.stringify(sortKeys(expected)) || undefined, { timeoutMs: 30_000 });
    expect(sortKeys(storeState(reader))).toEqual(sortKeys(await listState(api, 'set in (kubectl,rxkube)')));
    expect(reader.get({ name: 'k-60', namespace: ns })?.metadata?.labels?.touched).toBe('kubectl');
    expect(reader.get({ name: 'r-61', namespace: ns })?.data?.v).toBe('1');
    expect(errors).toEqual([]);
  });

  it('relists after watching from a compacted resourceVersion (410 Gone) and converges', async () => {
    // The shared plane's watch cache still covers old resourceVersions, so it would never say 410: use a private
    // plane without a watch cache, whose watches come from etcd, and compact etcd, as a long-running cluster has.
    const plane = await startPrivatePlane({ apiserverArgs: ['--watch-cache=false'] });
    try {
      const papi = Api.namespaced(new Client(configFromKubeconfig({ path: plane.kubeconfig })), ConfigMap, 'default');
      const pk = (args: string[], input?: string) => kubectl(args, { kubeconfig: plane.kubeconfig, ...(input === undefined ? {} : { input }) });
      await pk(['apply', '-n', 'default', '-f', '-'], manifest(['g-1', 'g-2', 'g-3'], 'gone'));
      await compactEtcd(plane.runDir);
      // A listing whose resourceVersion is long compacted: the server answers the watch from it with 410.
      let lists = 0;
      const stale: WatchSource<ConfigMap> = {
        list$: (p) => papi.list$(p).pipe(map((page) => (lists++ === 0 ? { ...page, metadata: { ...page.metadata, resourceVersion: '1' } } : page))),
        watch: (p) => papi.watch(p),
      };
      const { reader, errors, events } = reflect(stale, { labelSelector: 'set=gone', initialListStrategy: 'listWatch' });
      await eventually(() => errors.length > 0 || undefined, { timeoutMs: 30_000 });
      expect(errors[0]?.gone).toBe(true);
      expect(['watchError', 'watchStartFailed']).toContain(errors[0]?.reason);
      await eventually(() => lists >= 2 || undefined, { timeoutMs: 30_000 });
      await pk(['delete', 'configmap', '-n', 'default', 'g-1']);
      await pk(['apply', '-n', 'default', '-f', '-'], manifest(['g-4'], 'gone'));
      await eventually(async () => JSON.stringify(sortKeys(storeState(reader))) === JSON.stringify(sortKeys(await listState(papi, 'set=gone'))) || undefined, { timeoutMs: 30_000 });
      expect(Object.keys(storeState(reader)).sort()).toEqual(['g-2', 'g-3', 'g-4']);
      expect(events.filter((e) => e.type === 'initDone').length).toBe(2);
    } finally {
      for (const s of subs.splice(0)) s.unsubscribe();
      await plane.stop();
    }
  });

  it('lists through a streaming list (sendInitialEvents) and then follows changes', async () => {
    await kubectl(['apply', '-n', ns, '-f', '-'], { input: manifest(['s-1', 's-2'], 'stream') });
    const { reader, errors, events } = reflect(api, { labelSelector: 'set=stream', initialListStrategy: 'streamingList' });
    await reader.ready();
    expect(Object.keys(storeState(reader)).sort()).toEqual(['s-1', 's-2']);
    expect(events.map((e) => e.type)).toEqual(['init', 'initApply', 'initApply', 'initDone']);
    await kubectl(['apply', '-n', ns, '-f', '-'], { input: manifest(['s-3'], 'stream') });
    await kubectl(['delete', 'configmap', '-n', ns, 's-1']);
    await eventually(async () => JSON.stringify(sortKeys(storeState(reader))) === JSON.stringify(sortKeys(await listState(api, 'set=stream'))) || undefined, { timeoutMs: 20_000 });
    expect(events.slice(4).map((e) => e.type)).toEqual(['apply', 'delete']);
    expect(errors).toEqual([]);
  });

  it('fills a compact store with what the server holds, through a streaming list and through LIST + WATCH', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `c-${i}`);
    await kubectl(['apply', '-n', ns, '-f', '-'], { input: manifest(names.slice(0, 20), 'compact') });
    const stores = (['streamingList', 'listWatch'] as const).map((initialListStrategy) => {
      const plain = store<ConfigMap>();
      const compact = store<ConfigMap>({ compact: true });
      const errors: WatcherError[] = [];
      const events$ = watcher(api, { ...fast, labelSelector: 'set=compact', initialListStrategy, onError: (e) => errors.push(e) });
      subs.push(reflector(compact.writer, reflector(plain.writer, events$)).subscribe());
      return { plain: plain.reader, compact: compact.reader, errors };
    });
    await Promise.all(stores.map((s) => s.compact.ready()));
    // Then changes as watch events: creates, updates with non-ASCII text, deletes.
    await Promise.all(names.slice(20).map((name) => api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { set: 'compact' } }, data: { v: '0' } })));
    await Promise.all(names.slice(0, 10).map((name, i) => api.patch(name, Patch.merge({ data: { v: `Grüße ${i} 雪 \u{1F600}` } }))));
    await kubectl(['delete', 'configmap', '-n', ns, ...names.slice(25)]);
    const server = async () => {
      const list = await api.list({ labelSelector: 'set=compact' });
      return list.items.map((o) => ({ name: o.metadata?.name, resourceVersion: o.metadata?.resourceVersion, data: o.data })).sort(byName);
    };
    const held = (reader: Store<ConfigMap>) => reader.list().map((o) => ({ name: o.metadata?.name, resourceVersion: o.metadata?.resourceVersion, data: o.data })).sort(byName);
    for (const s of stores) {
      await eventually(async () => JSON.stringify(held(s.compact)) === JSON.stringify(await server()) || undefined, { timeoutMs: 20_000 });
      expect(held(s.compact)).toEqual(await server());
      // Whole objects, as the store of objects fed the same events holds them.
      expect(s.compact.list().sort(byMetaName)).toEqual(s.plain.list().sort(byMetaName));
      expect(s.compact.get({ name: 'c-3', namespace: ns })?.data?.v).toBe('Grüße 3 雪 \u{1F600}');
      expect(s.errors).toEqual([]);
    }
  });

  it('falls back to LIST + WATCH on a server whose WatchList feature gate is off (422 to sendInitialEvents), reported once', async () => {
    // 1.36 still lets the (beta, default-on) WatchList gate be turned off; the server then refuses sendInitialEvents.
    const plane = await startPrivatePlane({ apiserverArgs: ['--feature-gates=WatchList=false'] });
    try {
      const papi = Api.namespaced(new Client(configFromKubeconfig({ path: plane.kubeconfig })), ConfigMap, 'default');
      const pk = (args: string[], input?: string) => kubectl(args, { kubeconfig: plane.kubeconfig, ...(input === undefined ? {} : { input }) });
      await pk(['apply', '-n', 'default', '-f', '-'], manifest(['w-1', 'w-2'], 'nowatchlist'));
      // The refusal itself, as the server words it.
      const refused = await new Promise<unknown>((resolve) => {
        subs.push(papi.watch({ sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', bookmarks: true }).subscribe({ error: resolve, complete: () => resolve(undefined) }));
      });
      expect(refused).toMatchObject({ code: 422, reason: 'Invalid' });
      expect((refused as Error).message).toMatch(/sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled/);

      const { reader, errors, events } = reflect(papi, { labelSelector: 'set=nowatchlist', initialListStrategy: 'streamingList' });
      await reader.ready();
      expect(Object.keys(storeState(reader)).sort()).toEqual(['w-1', 'w-2']);
      expect(events.map((e) => e.type)).toEqual(['init', 'initApply', 'initApply', 'initDone']);
      await pk(['apply', '-n', 'default', '-f', '-'], manifest(['w-3'], 'nowatchlist'));
      await eventually(async () => JSON.stringify(sortKeys(storeState(reader))) === JSON.stringify(sortKeys(await listState(papi, 'set=nowatchlist'))) || undefined, { timeoutMs: 20_000 });
      expect(errors.map((e) => [e.reason, e.context.code])).toEqual([['streamingListUnsupported', 422]]);
    } finally {
      for (const s of subs.splice(0)) s.unsubscribe();
      await plane.stop();
    }
  });
});

function byName(a: { name?: string | undefined }, b: { name?: string | undefined }): number {
  return (a.name ?? '').localeCompare(b.name ?? '');
}

function byMetaName(a: ConfigMap, b: ConfigMap): number {
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

function sortKeys(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
}
