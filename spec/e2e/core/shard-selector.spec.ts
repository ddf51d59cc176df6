// Shard selectors against the real API server (KEP-5866). With the ShardedListAndWatch feature gate on, the
// server's own filtering of LIST, WATCH and streaming lists must select exactly the objects rxkube's FNV-1a hash
// and ShardSelector.matches say; with it off, the server ignores the selector, which shardFilteringSupported must
// notice. RXKUBE_TEST_SHARDING=server|client says which plane this run expects (CI runs both); unset, the spec
// takes what it finds.
import { firstValueFrom, type Subscription } from 'rxjs';
import { Api } from '../../../lib/client/api.js';
import { Client } from '../../../lib/client/client.js';
import { ConfigMap } from '../../../lib/core/builtins.js';
import { ShardSelector } from '../../../lib/core/shard-selector.js';
import type { WatchEvent } from '../../../lib/core/response.js';
import { configFromKubeconfig } from '../../../lib/config/from-kubeconfig.js';
import { BucketSet } from '../../../lib/runtime/bucket-set.js';
import { shardFilteringSupported } from '../../../lib/runtime/shard-support.js';
import { watcher } from '../../../lib/runtime/watcher.js';
import type { WatcherEvent } from '../../../lib/runtime/watcher-event.js';
import { eventually, kubeconfigPath, kubectl, useNamespace } from '../support/cluster.js';

function manifest(names: string[]): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: names.map((name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { set: 'shard' } }, data: { v: '0' } })),
  });
}

const names = (items: ConfigMap[]): string[] => items.map((o) => o.metadata?.name ?? '').sort();

describe('shard selectors (e2e)', () => {
  const ns = useNamespace('core-shard');
  let api: Api<ConfigMap, 'Namespaced'>;
  let all: ConfigMap[];
  let serverSide: boolean;
  const subs: Subscription[] = [];

  beforeAll(async () => {
    api = Api.namespaced(new Client(configFromKubeconfig({ path: kubeconfigPath() })), ConfigMap, ns);
    await kubectl(['apply', '-n', ns, '-f', '-'], { input: manifest(Array.from({ length: 60 }, (_, i) => `cm-${i}`)) });
    all = (await api.list({ labelSelector: 'set=shard' })).items;
    serverSide = await firstValueFrom(shardFilteringSupported(api));
  });
  afterEach(() => {
    for (const s of subs.splice(0)) s.unsubscribe();
  });

  it('detects whether the server filters by shard selector (as this run expects)', () => {
    expect(all).toHaveLength(60);
    const expected = process.env.RXKUBE_TEST_SHARDING;
    if (expected === 'server' || expected === 'client') expect(serverSide ? 'server' : 'client').toBe(expected);
  });

  it('LIST: the server returns exactly what ShardSelector.matches says, and four slices partition the objects', async () => {
    if (!serverSide) {
      // The fallback's reason: a server without the gate answers with everything and no shardInfo.
      const page = await api.list({ labelSelector: 'set=shard', shardSelector: ShardSelector.slice(0, 4).print() });
      expect(page.items).toHaveLength(60);
      expect(page.metadata.shardInfo).toBeUndefined();
      return;
    }
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const selector = ShardSelector.slice(i, 4);
      const page = await api.list({ labelSelector: 'set=shard', shardSelector: selector.print() });
      expect(page.metadata.shardInfo?.selector).toBe(selector.print());
      expect(names(page.items)).toEqual(names(all.filter((o) => selector.matches(o))));
      seen.push(...names(page.items));
    }
    expect(seen.sort()).toEqual(names(all));
    // Several ranges, and the namespace field (every object of one namespace hashes alike).
    const scattered = BucketSet.of(64, [0, 3, 4, 5, 17, 31, 32, 50, 63]).toSelector();
    expect(scattered.ranges.length).toBeGreaterThan(1);
    expect(names((await api.list({ labelSelector: 'set=shard', shardSelector: scattered.print() })).items)).toEqual(names(all.filter((o) => scattered.matches(o))));
    const byNamespace = ShardSelector.slice(0, 2, 'object.metadata.namespace');
    const nsCount = (await api.list({ labelSelector: 'set=shard', shardSelector: byNamespace.print() })).items.length;
    expect(nsCount).toBe(byNamespace.matches({ metadata: { namespace: ns } }) ? 60 : 0);
  });

  it('WATCH: only events of objects in the ranges arrive', async () => {
    if (!serverSide) return;
    const selector = ShardSelector.slice(1, 2);
    const from = (await api.list({ labelSelector: 'set=shard', limit: 1 })).metadata.resourceVersion!;
    const events: WatchEvent<ConfigMap>[] = [];
    subs.push(api.watch({ labelSelector: 'set=shard', shardSelector: selector.print(), resourceVersion: from }).subscribe((e) => events.push(e)));
    const fresh = Array.from({ length: 30 }, (_, i) => `new-${i}`);
    await kubectl(['apply', '-n', ns, '-f', '-'], { input: manifest(fresh) });
    const created = (await api.list({ labelSelector: 'set=shard' })).items.filter((o) => o.metadata?.name?.startsWith('new-'));
    const expected = names(created.filter((o) => selector.matches(o)));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(30);
    await eventually(() => events.filter((e) => e.type === 'ADDED').length >= expected.length, { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 1_000)); // room for any event that should not come
    expect(names(events.filter((e) => e.type === 'ADDED').map((e) => e.object as ConfigMap))).toEqual(expected);
  });

  it('streaming list: the watcher with a shard selector lists exactly the objects in the ranges', async () => {
    if (!serverSide) return;
    const selector = ShardSelector.slice(0, 3);
    const listed: ConfigMap[] = [];
    const done = new Promise<void>((resolve) => {
      subs.push(
        watcher(api, { labelSelector: 'set=shard', shardSelector: selector.print(), initialListStrategy: 'streamingList' }).subscribe((e: WatcherEvent<ConfigMap>) => {
          if (e.type === 'initApply') listed.push(e.object);
          if (e.type === 'initDone') resolve();
        }),
      );
    });
    await done;
    const current = (await api.list({ labelSelector: 'set=shard' })).items;
    expect(names(listed)).toEqual(names(current.filter((o) => selector.matches(o))));
  });
});
